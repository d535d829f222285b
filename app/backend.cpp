// Backend choice: headless (CI, demo), nested Wayland or X11, or DRM/KMS with
// a libseat session.
//
// The nested backends are created here, one by one, after asking their
// display server ourselves: wlroots 0.15.1's wlr_backend_autocreate asserts
// (SIGABRT) when a nested backend cannot connect, which is what a user in an
// ssh or tmux session with a stale DISPLAY or WAYLAND_DISPLAY would see.
// Asking first gives one line that says what failed and what to do.  DRM
// still goes through autocreate with WLR_BACKENDS set, so wlroots opens the
// session and input devices the way every wlroots compositor does (it fails
// without an assertion there).
#include <xcb/xcb.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <wayland-client-core.h>

#include "app/server.hpp"

namespace zcd::app {

namespace {

// An environment variable's value, null when unset or empty.
const char* non_empty(const char* value /* may be null */) {
    return value && *value ? value : nullptr; // may be null
}

BackendChoice resolve_auto() {
    if (non_empty(std::getenv("WAYLAND_DISPLAY")))
        return BackendChoice::Wayland;
    if (non_empty(std::getenv("DISPLAY")))
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

// "--backend wayland" or "--backend auto (chose wayland: WAYLAND_DISPLAY is
// set)": the start of every nested-backend error line, so the user sees why
// a display was tried at all.
std::string backend_phrase(bool automatic, BackendChoice c, const char* env) {
    if (!automatic)
        return std::string("--backend ") + backend_name(c);
    return std::string("--backend auto (chose ") + backend_name(c) + ": " + env + " is set)";
}

// Connects to the Wayland display wlroots would use and hangs up again.
bool wayland_display_answers(const std::string& phrase) {
    wl_display* probe = wl_display_connect(nullptr);
    if (probe) {
        wl_display_disconnect(probe);
        return true;
    }
    const int err = errno;
    const char* name = non_empty(std::getenv("WAYLAND_DISPLAY"));
    std::fprintf(stderr,
                 "zc-compositor: %s: cannot connect to the Wayland display '%s': %s; start it, "
                 "unset WAYLAND_DISPLAY, or run with --backend headless\n",
                 phrase.c_str(), name ? name : "wayland-0", std::strerror(err ? err : ENOENT));
    return false;
}

// The same for X11 (xcb is what wlroots' X11 backend connects with).
bool x11_display_answers(const std::string& phrase) {
    const char* name = non_empty(std::getenv("DISPLAY"));
    if (!name) {
        std::fprintf(stderr,
                     "zc-compositor: %s: DISPLAY is not set, so there is no X server to run "
                     "in; run inside an X session or with --backend headless\n",
                     phrase.c_str());
        return false;
    }
    xcb_connection_t* probe = xcb_connect(nullptr, nullptr);
    const bool ok = xcb_connection_has_error(probe) == 0;
    xcb_disconnect(probe); // also frees the error object xcb returns on failure
    if (!ok)
        std::fprintf(stderr,
                     "zc-compositor: %s: cannot connect to the X display '%s'; start it, "
                     "unset DISPLAY, or run with --backend headless\n",
                     phrase.c_str(), name);
    return ok;
}

// A nested backend with one output (a window in the parent display), as
// autocreate would make it.
wlr_backend* create_nested(Server& server, BackendChoice choice, bool automatic) {
    const bool wayland = choice == BackendChoice::Wayland;
    const std::string phrase =
        backend_phrase(automatic, choice, wayland ? "WAYLAND_DISPLAY" : "DISPLAY");
    if (wayland ? !wayland_display_answers(phrase) : !x11_display_answers(phrase))
        return nullptr;
    // The display answered a moment ago; it can still go away before
    // wlroots connects, so the result is checked as well.
    wlr_backend* backend = wayland ? wlr_wl_backend_create(server.display, nullptr)
                                   : wlr_x11_backend_create(server.display, nullptr);
    if (!backend) {
        std::fprintf(stderr, "zc-compositor: %s: wlroots could not open the display; run with "
                             "--backend headless\n",
                     phrase.c_str());
        return nullptr;
    }
    // Before the backend starts this only asks for the window (and returns
    // null); it is opened, and new_output emitted, on wlr_backend_start.
    if (wayland)
        wlr_wl_output_create(backend);
    else
        wlr_x11_output_create(backend);
    return backend;
}

} // namespace

bool create_backend(Server& server) {
    const bool automatic = server.options.backend == BackendChoice::Auto;
    const BackendChoice choice = automatic ? resolve_auto() : server.options.backend;
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
    if (choice == BackendChoice::Wayland || choice == BackendChoice::X11) {
        server.backend = create_nested(server, choice, automatic);
        return server.backend != nullptr;
    }
    setenv("WLR_BACKENDS", "drm,libinput", 1);
    server.backend = wlr_backend_autocreate(server.display);
    if (!server.backend) {
        std::fprintf(stderr, "zc-compositor: cannot create the drm backend (a seat and /dev/dri "
                             "are needed); run with --backend headless\n");
        return false;
    }
    return true;
}

} // namespace zcd::app
