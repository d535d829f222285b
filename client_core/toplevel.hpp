// One xdg-shell toplevel: a wl_surface with the xdg_surface and
// xdg_toplevel roles.  Every configure is acknowledged at once; the size a
// compositor suggests is ignored (zcdisplay's clients draw at a fixed size,
// so the workload is the same under every compositor).
#pragma once

#include <string>

struct wl_display;
struct wl_surface;
struct xdg_surface;
struct xdg_toplevel;

namespace zcd::wlc {

struct Globals;

class Toplevel {
  public:
    Toplevel() = default;
    Toplevel(const Toplevel&) = delete;
    Toplevel& operator=(const Toplevel&) = delete;
    ~Toplevel() { finish(); }

    // Creates the surface and its roles, sets title and app_id, and commits
    // without a buffer to ask for the first configure.
    void init(const Globals& g, const std::string& title, const std::string& app_id);
    // Dispatches until the first configure or a close; timeout_ms < 0 waits
    // as long as the connection lives.  false + one line in *error otherwise.
    bool wait_configured(wl_display* d, int timeout_ms, std::string* error);
    void finish();

    wl_surface* surface() const { return surface_; }
    bool configured() const { return configured_; }
    bool closed() const { return closed_; }

    void on_configure() { configured_ = true; }
    void on_close() { closed_ = true; }

  private:
    wl_surface* surface_ = nullptr;
    xdg_surface* xdg_surface_ = nullptr;
    xdg_toplevel* toplevel_ = nullptr;
    bool configured_ = false;
    bool closed_ = false;
};

} // namespace zcd::wlc
