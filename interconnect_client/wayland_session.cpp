#include "interconnect_client/wayland_session.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <sys/mman.h>
#include <unistd.h>

#include <wayland-client.h>

#include "linux-dmabuf-unstable-v1-client-protocol.h"
#include "presentation-time-client-protocol.h"
#include "xdg-shell-client-protocol.h"

namespace zcd {

namespace {

// C listeners: forward to the session, nothing here may throw.
void registry_global(void* data, wl_registry* reg, uint32_t name, const char* iface,
                     uint32_t version) {
    static_cast<WaylandSession*>(data)->on_global(reg, name, iface, version);
}
void registry_global_remove(void*, wl_registry*, uint32_t) {}
const wl_registry_listener kRegistryListener = {registry_global, registry_global_remove};

void dmabuf_format(void*, zwp_linux_dmabuf_v1*, uint32_t) {}
void dmabuf_modifier(void* data, zwp_linux_dmabuf_v1*, uint32_t format, uint32_t hi, uint32_t lo) {
    static_cast<WaylandSession*>(data)->on_modifier(format, uint64_t(hi) << 32 | lo);
}
const zwp_linux_dmabuf_v1_listener kDmabufListener = {dmabuf_format, dmabuf_modifier};

void fb_done(void* data, zwp_linux_dmabuf_feedback_v1*) {
    static_cast<WaylandSession*>(data)->on_feedback_done();
}
void fb_format_table(void* data, zwp_linux_dmabuf_feedback_v1*, int32_t fd, uint32_t size) {
    static_cast<WaylandSession*>(data)->on_format_table(fd, size);
}
void fb_main_device(void* data, zwp_linux_dmabuf_feedback_v1*, wl_array* dev) {
    static_cast<WaylandSession*>(data)->on_main_device(dev->data, dev->size);
}
void fb_tranche_done(void*, zwp_linux_dmabuf_feedback_v1*) {}
void fb_tranche_target_device(void*, zwp_linux_dmabuf_feedback_v1*, wl_array*) {}
void fb_tranche_formats(void* data, zwp_linux_dmabuf_feedback_v1*, wl_array* indices) {
    static_cast<WaylandSession*>(data)->on_tranche_formats(
        static_cast<const uint16_t*>(indices->data), indices->size / sizeof(uint16_t));
}
void fb_tranche_flags(void*, zwp_linux_dmabuf_feedback_v1*, uint32_t) {}
const zwp_linux_dmabuf_feedback_v1_listener kFeedbackListener = {
    fb_done,         fb_format_table,          fb_main_device,
    fb_tranche_done, fb_tranche_target_device, fb_tranche_formats,
    fb_tranche_flags};

void shm_format(void*, wl_shm*, uint32_t) {}
const wl_shm_listener kShmListener = {shm_format};

void wm_ping(void*, xdg_wm_base* base, uint32_t serial) {
    xdg_wm_base_pong(base, serial);
}
const xdg_wm_base_listener kWmBaseListener = {wm_ping};

void xdg_surface_configure(void* data, xdg_surface* s, uint32_t serial) {
    xdg_surface_ack_configure(s, serial);
    static_cast<WaylandSession*>(data)->on_configure(serial);
}
const xdg_surface_listener kXdgSurfaceListener = {xdg_surface_configure};

void toplevel_configure(void*, xdg_toplevel*, int32_t, int32_t, wl_array*) {}
void toplevel_close(void* data, xdg_toplevel*) {
    static_cast<WaylandSession*>(data)->on_close();
}
#ifdef XDG_TOPLEVEL_CONFIGURE_BOUNDS_SINCE_VERSION
void toplevel_bounds(void*, xdg_toplevel*, int32_t, int32_t) {}
#endif
#ifdef XDG_TOPLEVEL_WM_CAPABILITIES_SINCE_VERSION
void toplevel_caps(void*, xdg_toplevel*, wl_array*) {}
#endif
const xdg_toplevel_listener kToplevelListener = {
    toplevel_configure,
    toplevel_close,
#ifdef XDG_TOPLEVEL_CONFIGURE_BOUNDS_SINCE_VERSION
    toplevel_bounds,
#endif
#ifdef XDG_TOPLEVEL_WM_CAPABILITIES_SINCE_VERSION
    toplevel_caps,
#endif
};

void presentation_clock(void* data, wp_presentation*, uint32_t clk) {
    static_cast<WaylandSession*>(data)->on_clock_id(clk);
}
const wp_presentation_listener kPresentationListener = {presentation_clock};

} // namespace

WaylandSession::~WaylandSession() {
    if (toplevel_)
        xdg_toplevel_destroy(toplevel_);
    if (xdg_surface_)
        xdg_surface_destroy(xdg_surface_);
    if (surface_)
        wl_surface_destroy(surface_);
    if (presentation_)
        wp_presentation_destroy(presentation_);
    if (offer_.dmabuf)
        zwp_linux_dmabuf_v1_destroy(offer_.dmabuf);
    if (offer_.shm)
        wl_shm_destroy(offer_.shm);
    if (wm_base_)
        xdg_wm_base_destroy(wm_base_);
    if (compositor_)
        wl_compositor_destroy(compositor_);
    if (registry_)
        wl_registry_destroy(registry_);
    if (display_)
        wl_display_disconnect(display_);
}

void WaylandSession::on_global(wl_registry* reg, uint32_t name, const char* iface,
                               uint32_t version) {
    auto is = [&](const wl_interface& i) { return std::strcmp(iface, i.name) == 0; };
    if (is(wl_compositor_interface)) {
        compositor_ = static_cast<wl_compositor*>(
            wl_registry_bind(reg, name, &wl_compositor_interface, std::min(version, 4u)));
    } else if (is(wl_shm_interface)) {
        offer_.shm = static_cast<wl_shm*>(wl_registry_bind(reg, name, &wl_shm_interface, 1));
        wl_shm_add_listener(offer_.shm, &kShmListener, this);
    } else if (is(xdg_wm_base_interface)) {
        wm_base_ =
            static_cast<xdg_wm_base*>(wl_registry_bind(reg, name, &xdg_wm_base_interface, 1));
        xdg_wm_base_add_listener(wm_base_, &kWmBaseListener, this);
    } else if (is(zwp_linux_dmabuf_v1_interface) && version >= 3) {
        // v4: default feedback (format table + main device), asked for in
        // connect(); v3: every format/modifier pair as an event.
        dmabuf_version_ = std::min(version, 4u);
        offer_.dmabuf = static_cast<zwp_linux_dmabuf_v1*>(
            wl_registry_bind(reg, name, &zwp_linux_dmabuf_v1_interface, dmabuf_version_));
        zwp_linux_dmabuf_v1_add_listener(offer_.dmabuf, &kDmabufListener, this);
    } else if (is(wp_presentation_interface)) {
        presentation_ = static_cast<wp_presentation*>(
            wl_registry_bind(reg, name, &wp_presentation_interface, 1));
        wp_presentation_add_listener(presentation_, &kPresentationListener, this);
    }
}

void WaylandSession::on_modifier(uint32_t format, uint64_t modifier) {
    offer_.dmabuf_formats.emplace_back(format, modifier);
}

void WaylandSession::on_format_table(int fd, uint32_t size) {
    on_feedback_done(); // a new table replaces the old one
    void* map = mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (map != MAP_FAILED) {
        format_table_ = map;
        format_table_size_ = size;
    }
}

void WaylandSession::on_main_device(const void* data, size_t size) {
    dev_t dev = 0;
    if (size == sizeof dev) {
        std::memcpy(&dev, data, sizeof dev);
        offer_.main_device = dev;
    }
}

void WaylandSession::on_tranche_formats(const uint16_t* indices, size_t count) {
    // Table entries: u32 format, u32 padding, u64 modifier.
    struct Entry {
        uint32_t format, pad;
        uint64_t modifier;
    };
    if (!format_table_)
        return;
    const auto* table = static_cast<const Entry*>(format_table_);
    const size_t entries = format_table_size_ / sizeof(Entry);
    for (size_t i = 0; i < count; ++i)
        if (indices[i] < entries &&
            !offer_.dmabuf_supports(table[indices[i]].format, table[indices[i]].modifier))
            offer_.dmabuf_formats.emplace_back(table[indices[i]].format,
                                               table[indices[i]].modifier);
}

void WaylandSession::on_feedback_done() {
    if (format_table_)
        munmap(const_cast<void*>(format_table_), format_table_size_);
    format_table_ = nullptr;
    format_table_size_ = 0;
}

void WaylandSession::on_configure(uint32_t) {
    configured_ = true;
}

bool WaylandSession::connect(std::string* error) {
    display_ = wl_display_connect(nullptr);
    if (!display_) {
        *error = std::string("cannot connect to a Wayland display (is WAYLAND_DISPLAY set?): ") +
                 std::strerror(errno);
        return false;
    }
    registry_ = wl_display_get_registry(display_);
    wl_registry_add_listener(registry_, &kRegistryListener, this);
    // First roundtrip: globals; second: the events of what we bound.
    if (wl_display_roundtrip(display_) < 0) {
        *error = connection_error();
        return false;
    }
    zwp_linux_dmabuf_feedback_v1* feedback = nullptr; // may be null: v3 or no linux-dmabuf
    if (offer_.dmabuf && dmabuf_version_ >= 4) {
        feedback = zwp_linux_dmabuf_v1_get_default_feedback(offer_.dmabuf);
        zwp_linux_dmabuf_feedback_v1_add_listener(feedback, &kFeedbackListener, this);
    }
    const bool ok = wl_display_roundtrip(display_) >= 0;
    if (feedback)
        zwp_linux_dmabuf_feedback_v1_destroy(feedback);
    on_feedback_done();
    if (!ok) {
        *error = connection_error();
        return false;
    }
    if (!compositor_ || !wm_base_) {
        *error =
            std::string("compositor lacks ") + (!compositor_ ? "wl_compositor" : "xdg_wm_base");
        return false;
    }
    return true;
}

bool WaylandSession::create_window(const std::string& title, std::string* error) {
    surface_ = wl_compositor_create_surface(compositor_);
    xdg_surface_ = xdg_wm_base_get_xdg_surface(wm_base_, surface_);
    xdg_surface_add_listener(xdg_surface_, &kXdgSurfaceListener, this);
    toplevel_ = xdg_surface_get_toplevel(xdg_surface_);
    xdg_toplevel_add_listener(toplevel_, &kToplevelListener, this);
    xdg_toplevel_set_title(toplevel_, title.c_str());
    xdg_toplevel_set_app_id(toplevel_, title.c_str());
    wl_surface_commit(surface_);
    while (!configured_ && !closed_)
        if (wl_display_dispatch(display_) < 0) {
            *error = connection_error();
            return false;
        }
    if (closed_) {
        *error = "window closed before it was configured";
        return false;
    }
    return true;
}

std::string WaylandSession::connection_error() const {
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

} // namespace zcd
