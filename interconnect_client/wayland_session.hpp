// zc-client's Wayland side: the shared client core (client_core/) for the
// connection and the toplevel, plus what only zc-client needs -- what the
// compositor offers for buffers (wl_shm, linux-dmabuf formats/modifiers from
// v3 events or the v4 default feedback).
// Lifecycle: connect() -> create_window() -> frames -> destroy.
#pragma once

#include <cstdint>
#include <string>

#include "client_core/connection.hpp"
#include "client_core/toplevel.hpp"
#include "interconnect_client/sources/buffer_source.hpp"

struct wl_display;
struct wl_surface;
struct wp_presentation;

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

    wl_display* display() const { return conn_.display(); }
    wl_surface* surface() const { return window_.surface(); }
    wp_presentation* presentation() const { return conn_.globals().presentation; } // may be null
    uint32_t presentation_clock() const { return conn_.globals().presentation_clock; }
    const CompositorOffer& offer() const { return offer_; }
    bool closed() const { return window_.closed(); }

    // One line describing a fatal connection error (protocol error etc.).
    std::string connection_error() const { return conn_.error_line(); }

    // linux-dmabuf callbacks (C listeners call these).
    void on_modifier(uint32_t format, uint64_t modifier);
    // linux-dmabuf v4 default feedback.
    void on_format_table(int fd, uint32_t size);
    void on_main_device(const void* data, size_t size);
    void on_tranche_formats(const uint16_t* indices, size_t count);
    void on_feedback_done();

  private:
    // Declared first, destroyed last: the window and the buffers go before
    // the connection does.
    wlc::Connection conn_;
    wlc::Toplevel window_;
    CompositorOffer offer_;
    const void* format_table_ = nullptr; // mmapped v4 format table, may be null
    size_t format_table_size_ = 0;
};

} // namespace zcd
