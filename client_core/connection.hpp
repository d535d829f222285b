// The connection to the compositor and the globals a client binds.
// Lifecycle: connect() (display, registry, one roundtrip for the globals),
// then roundtrip() as often as the client needs the events of what it bound;
// the destructor destroys every bound global and disconnects.
#pragma once

#include <cstdint>
#include <ctime>
#include <functional>
#include <string>

struct wl_display;
struct wl_registry;
struct wl_compositor;
struct wl_subcompositor;
struct wl_shm;
struct xdg_wm_base;
struct wp_presentation;
struct zwp_linux_dmabuf_v1;

namespace zcd::wlc {

struct Globals {
    wl_compositor* compositor = nullptr; // bound at version <= 4
    wl_subcompositor* subcompositor = nullptr;
    wl_shm* shm = nullptr;
    xdg_wm_base* wm_base = nullptr; // pings are answered by the core
    wp_presentation* presentation = nullptr;
    uint32_t presentation_clock = CLOCK_MONOTONIC; // until wp_presentation.clock_id says
    zwp_linux_dmabuf_v1* dmabuf = nullptr;         // only when ConnectOptions ask for it
    uint32_t dmabuf_advertised_version = 0;        // what the compositor offers
    uint32_t dmabuf_version = 0;                   // what was bound
};

struct ConnectOptions {
    // linux-dmabuf is bound only when the compositor offers at least
    // dmabuf_min_version (0: never bound), at min(offered, dmabuf_max_version).
    uint32_t dmabuf_min_version = 0;
    uint32_t dmabuf_max_version = 0;
    // Called right after a global is bound, before any of its events is
    // dispatched: the place for a client's own listener (zc-client listens
    // to linux-dmabuf v3's modifier events).  `proxy` is the bound object.
    std::function<void(const char* iface, void* proxy, uint32_t version)> on_bound;
};

class Connection {
  public:
    Connection() = default;
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;
    ~Connection();

    // Connects to $WAYLAND_DISPLAY and binds the globals (one roundtrip).
    // false + one line in *error on failure.
    bool connect(const ConnectOptions& opt, std::string* error);
    // One roundtrip: the events of what was bound arrive (presentation clock,
    // dmabuf formats).  false + the connection error on failure.
    bool roundtrip(std::string* error);

    wl_display* display() const { return display_; }
    const Globals& globals() const { return g_; }

    // One line describing why the connection failed: "protocol error C on
    // iface@id" or "Wayland connection lost: <errno text>".
    std::string error_line() const;

    // Registry callback (the C listener calls it).
    void on_global(wl_registry* reg, uint32_t name, const char* iface, uint32_t version);
    void on_clock_id(uint32_t clk) { g_.presentation_clock = clk; }

  private:
    wl_display* display_ = nullptr;
    wl_registry* registry_ = nullptr;
    Globals g_;
    ConnectOptions opt_;
};

} // namespace zcd::wlc
