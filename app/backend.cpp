// Backend choice: headless (CI, demo), nested Wayland or X11, or DRM/KMS with
// a libseat session.  The nested and DRM cases go through wlroots' own
// autocreate with WLR_BACKENDS set, so wlroots opens the session and input
// devices the way every wlroots compositor does.
#include <cstdio>
#include <cstdlib>

#include "app/server.hpp"

namespace zcd::app {

namespace {

BackendChoice resolve_auto() {
    const char* wayland = std::getenv("WAYLAND_DISPLAY");
    const char* x11 = std::getenv("DISPLAY");
    if (wayland && *wayland)
        return BackendChoice::Wayland;
    if (x11 && *x11)
        return BackendChoice::X11;
    // No display: the build machines and CI.  DRM must be asked for
    // explicitly, because taking over a VT by surprise is rude.
    return BackendChoice::Headless;
}

const char* backend_name(BackendChoice c) {
    switch (c) {
    case BackendChoice::Auto:
        return "auto";
    case BackendChoice::Headless:
        return "headless";
    case BackendChoice::Wayland:
        return "wayland";
    case BackendChoice::X11:
        return "x11";
    case BackendChoice::Drm:
        return "drm";
    }
    return "?";
}

} // namespace

bool create_backend(Server& server) {
    BackendChoice choice = server.options.backend;
    if (choice == BackendChoice::Auto)
        choice = resolve_auto();
    server.facts.backend = backend_name(choice);
    if (choice == BackendChoice::Headless) {
        server.backend = wlr_headless_backend_create(server.display);
        if (!server.backend) {
            std::fprintf(stderr, "zc-compositor: cannot create the headless backend\n");
            return false;
        }
        // The output's size and refresh are set in its new_output handler.
        wlr_headless_add_output(server.backend, static_cast<unsigned>(server.options.width),
                                static_cast<unsigned>(server.options.height));
        return true;
    }
    const char* names = choice == BackendChoice::Wayland ? "wayland"
                        : choice == BackendChoice::X11   ? "x11"
                                                         : "drm,libinput";
    setenv("WLR_BACKENDS", names, 1);
    server.backend = wlr_backend_autocreate(server.display);
    if (!server.backend) {
        std::fprintf(stderr,
                     "zc-compositor: cannot create the %s backend (for drm: a seat and "
                     "/dev/dri are needed; for wayland/x11: a running display)\n",
                     server.facts.backend.c_str());
        return false;
    }
    return true;
}

} // namespace zcd::app
