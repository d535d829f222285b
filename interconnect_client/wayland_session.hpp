// zc-client's Wayland side: the globals it binds, what the compositor offers
// for buffers (wl_shm, linux-dmabuf formats/modifiers), and one xdg-shell
// toplevel.  Lifecycle: connect() -> create_window() -> frames -> destroy.
#pragma once

#include <cstdint>
#include <string>

#include "interconnect_client/sources/buffer_source.hpp"

struct wl_display;
struct wl_registry;
struct wl_compositor;
struct wl_surface;
struct xdg_wm_base;
struct xdg_surface;
struct xdg_toplevel;
struct wp_presentation;
struct zwp_linux_dmabuf_feedback_v1;

namespace zcd {

class WaylandSession {
  public:
    WaylandSession() = default;
    WaylandSession(const WaylandSession&) = delete;
    WaylandSession& operator=(const WaylandSession&) = delete;
    ~WaylandSession();

    // Connects to $WAYLAND_DISPLAY, binds globals, collects the dmabuf
    // format/modifier events.  false + one line on failure.
    bool connect(std::string* error);
    // Maps an xdg toplevel and waits for its first configure.
    bool create_window(const std::string& title, std::string* error);

    wl_display* display() const { return display_; }
    wl_surface* surface() const { return surface_; }
    wp_presentation* presentation() const { return presentation_; } // may be null
    uint32_t presentation_clock() const { return clock_id_; }
    const CompositorOffer& offer() const { return offer_; }
    bool closed() const { return closed_; }

    // One line describing a fatal connection error (protocol error etc.).
    std::string connection_error() const;

    // Registry and protocol callbacks (C listeners call these).
    void on_global(wl_registry* reg, uint32_t name, const char* iface, uint32_t version);
    void on_modifier(uint32_t format, uint64_t modifier);
    // linux-dmabuf v4 default feedback.
    void on_format_table(int fd, uint32_t size);
    void on_main_device(const void* data, size_t size);
    void on_tranche_formats(const uint16_t* indices, size_t count);
    void on_feedback_done();
    void on_configure(uint32_t serial);
    void on_close() { closed_ = true; }
    void on_clock_id(uint32_t clk) { clock_id_ = clk; }

  private:
    wl_display* display_ = nullptr;
    wl_registry* registry_ = nullptr;
    wl_compositor* compositor_ = nullptr;
    xdg_wm_base* wm_base_ = nullptr;
    wp_presentation* presentation_ = nullptr;
    wl_surface* surface_ = nullptr;
    xdg_surface* xdg_surface_ = nullptr;
    xdg_toplevel* toplevel_ = nullptr;
    CompositorOffer offer_;
    uint32_t dmabuf_version_ = 0;
    const void* format_table_ = nullptr; // mmapped v4 format table, may be null
    size_t format_table_size_ = 0;
    uint32_t clock_id_ = 1; // CLOCK_MONOTONIC until told otherwise
    bool configured_ = false;
    bool closed_ = false;
};

} // namespace zcd
