#include "client_core/connection.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <wayland-client.h>

#include "linux-dmabuf-unstable-v1-client-protocol.h"
#include "presentation-time-client-protocol.h"
#include "xdg-shell-client-protocol.h"

namespace zcd::wlc {

namespace {

// C listeners: forward to the connection, nothing here may throw.
void registry_global(void* data, wl_registry* reg, uint32_t name, const char* iface,
                     uint32_t version) {
    static_cast<Connection*>(data)->on_global(reg, name, iface, version);
}
void registry_global_remove(void*, wl_registry*, uint32_t) {}
const wl_registry_listener kRegistryListener = {registry_global, registry_global_remove};

// A client that does not answer pings is declared unresponsive; every
// client answers them the same way.
void wm_ping(void*, xdg_wm_base* base, uint32_t serial) {
    xdg_wm_base_pong(base, serial);
}
const xdg_wm_base_listener kWmBaseListener = {wm_ping};

void presentation_clock(void* data, wp_presentation*, uint32_t clk) {
    static_cast<Connection*>(data)->on_clock_id(clk);
}
const wp_presentation_listener kPresentationListener = {presentation_clock};

} // namespace

Connection::~Connection() {
    if (g_.presentation)
        wp_presentation_destroy(g_.presentation);
    if (g_.dmabuf)
        zwp_linux_dmabuf_v1_destroy(g_.dmabuf);
    if (g_.shm)
        wl_shm_destroy(g_.shm);
    if (g_.wm_base)
        xdg_wm_base_destroy(g_.wm_base);
    if (g_.subcompositor)
        wl_subcompositor_destroy(g_.subcompositor);
    if (g_.compositor)
        wl_compositor_destroy(g_.compositor);
    if (registry_)
        wl_registry_destroy(registry_);
    if (display_)
        wl_display_disconnect(display_);
}

void Connection::on_global(wl_registry* reg, uint32_t name, const char* iface, uint32_t version) {
    auto is = [&](const wl_interface& i) { return std::strcmp(iface, i.name) == 0; };
    auto bind = [&](const wl_interface& i, uint32_t v) {
        void* p = wl_registry_bind(reg, name, &i, v);
        if (opt_.on_bound)
            opt_.on_bound(iface, p, v);
        return p;
    };
    if (is(wl_compositor_interface)) {
        g_.compositor =
            static_cast<wl_compositor*>(bind(wl_compositor_interface, std::min(version, 4u)));
    } else if (is(wl_subcompositor_interface)) {
        g_.subcompositor = static_cast<wl_subcompositor*>(bind(wl_subcompositor_interface, 1));
    } else if (is(wl_shm_interface)) {
        g_.shm = static_cast<wl_shm*>(bind(wl_shm_interface, 1));
    } else if (is(xdg_wm_base_interface)) {
        g_.wm_base =
            static_cast<xdg_wm_base*>(wl_registry_bind(reg, name, &xdg_wm_base_interface, 1));
        xdg_wm_base_add_listener(g_.wm_base, &kWmBaseListener, this);
        if (opt_.on_bound)
            opt_.on_bound(iface, g_.wm_base, 1);
    } else if (is(wp_presentation_interface)) {
        g_.presentation = static_cast<wp_presentation*>(
            wl_registry_bind(reg, name, &wp_presentation_interface, 1));
        wp_presentation_add_listener(g_.presentation, &kPresentationListener, this);
        if (opt_.on_bound)
            opt_.on_bound(iface, g_.presentation, 1);
    } else if (is(zwp_linux_dmabuf_v1_interface) && opt_.dmabuf_min_version &&
               version >= opt_.dmabuf_min_version) {
        g_.dmabuf_advertised_version = version;
        g_.dmabuf_version = std::min(version, opt_.dmabuf_max_version);
        g_.dmabuf = static_cast<zwp_linux_dmabuf_v1*>(
            bind(zwp_linux_dmabuf_v1_interface, g_.dmabuf_version));
    }
}

bool Connection::connect(const ConnectOptions& opt, std::string* error) {
    opt_ = opt;
    display_ = wl_display_connect(nullptr);
    if (!display_) {
        *error = std::string("cannot connect to a Wayland display (is WAYLAND_DISPLAY set?): ") +
                 std::strerror(errno);
        return false;
    }
    registry_ = wl_display_get_registry(display_);
    wl_registry_add_listener(registry_, &kRegistryListener, this);
    return roundtrip(error);
}

bool Connection::roundtrip(std::string* error) {
    if (wl_display_roundtrip(display_) >= 0)
        return true;
    *error = error_line();
    return false;
}

std::string Connection::error_line() const {
    int err = wl_display_get_error(display_);
    if (err == EPROTO) {
        const wl_interface* iface = nullptr;
        uint32_t id = 0;
        uint32_t code = wl_display_get_protocol_error(display_, &iface, &id);
        return "protocol error " + std::to_string(code) + " on " +
               (iface ? iface->name : "unknown") + "@" + std::to_string(id);
    }
    return std::string("Wayland connection lost: ") + std::strerror(err ? err : EPIPE);
}

} // namespace zcd::wlc
