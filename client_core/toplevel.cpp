#include "client_core/toplevel.hpp"

#include <chrono>

#include <wayland-client.h>

#include "client_core/connection.hpp"
#include "client_core/frame_loop.hpp"
#include "xdg-shell-client-protocol.h"

namespace zcd::wlc {

namespace {

void xdg_surface_configure(void* data, xdg_surface* s, uint32_t serial) {
    xdg_surface_ack_configure(s, serial);
    static_cast<Toplevel*>(data)->on_configure();
}
const xdg_surface_listener kXdgSurfaceListener = {xdg_surface_configure};

void toplevel_configure(void*, xdg_toplevel*, int32_t, int32_t, wl_array*) {}
void toplevel_close(void* data, xdg_toplevel*) {
    static_cast<Toplevel*>(data)->on_close();
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

} // namespace

void Toplevel::init(const Globals& g, const std::string& title, const std::string& app_id) {
    surface_ = wl_compositor_create_surface(g.compositor);
    xdg_surface_ = xdg_wm_base_get_xdg_surface(g.wm_base, surface_);
    xdg_surface_add_listener(xdg_surface_, &kXdgSurfaceListener, this);
    toplevel_ = xdg_surface_get_toplevel(xdg_surface_);
    xdg_toplevel_add_listener(toplevel_, &kToplevelListener, this);
    xdg_toplevel_set_title(toplevel_, title.c_str());
    xdg_toplevel_set_app_id(toplevel_, app_id.c_str());
    wl_surface_commit(surface_);
}

bool Toplevel::wait_configured(wl_display* d, int timeout_ms, std::string* error) {
    const auto deadline = std::chrono::steady_clock::now() +
                          std::chrono::milliseconds(timeout_ms < 0 ? 0 : timeout_ms);
    while (!configured_ && !closed_) {
        const int left = timeout_ms < 0 ? -1 : ms_until(deadline);
        const int n = dispatch_timeout(d, left);
        if (n < 0) {
            *error = "connection lost before the first configure";
            return false;
        }
        if (n == 0 && timeout_ms >= 0 && std::chrono::steady_clock::now() >= deadline) {
            *error =
                "no configure from the compositor within " + std::to_string(timeout_ms) + " ms";
            return false;
        }
    }
    if (closed_) {
        *error = "window closed before it was configured";
        return false;
    }
    return true;
}

void Toplevel::finish() {
    if (toplevel_)
        xdg_toplevel_destroy(toplevel_);
    if (xdg_surface_)
        xdg_surface_destroy(xdg_surface_);
    if (surface_)
        wl_surface_destroy(surface_);
    toplevel_ = nullptr;
    xdg_surface_ = nullptr;
    surface_ = nullptr;
}

} // namespace zcd::wlc
