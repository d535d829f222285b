// zc-compositor's command line, parsed without wlroots so it is unit-tested.
// Every flag here has a row in docs/options.md (section "## zc-compositor").
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace zcd::app {

enum class BackendChoice : uint8_t {
    Auto,     // wayland if WAYLAND_DISPLAY, x11 if DISPLAY, headless otherwise
    Headless, // no display at all: the CI and demo case
    Wayland,  // nested in another Wayland compositor
    X11,      // nested in an X11 window
    Drm,      // KMS with a libseat session
};

enum class RendererChoice : uint8_t {
    Auto,   // our Vulkan renderer when it can be created, else wlroots' pixman
    Vulkan, // our Vulkan renderer or fail
    Pixman, // wlroots' software renderer (comparison and debugging only)
};

enum class ForcePathChoice : uint8_t { Auto, Copy };

// Where a KMS output's frames are rendered (app/output_allocator.cpp).
enum class OutputBuffersChoice : uint8_t {
    Auto,    // guest-memory dma-bufs the display imports, else wlroots' allocator
    Wlroots, // wlroots' allocator (dumb buffers with lavapipe): the copy baseline
};

struct Options {
    BackendChoice backend = BackendChoice::Auto;
    RendererChoice renderer = RendererChoice::Auto;
    ForcePathChoice force_path = ForcePathChoice::Auto;
    int32_t width = 1280, height = 720; // headless output size
    int32_t refresh_hz = 60;            // headless output refresh
    int32_t scale = 1;                  // integer output scale (1 logical px = scale^2 px)
    std::string socket;                 // Wayland socket name; empty: first free wayland-N
    std::string capture_dir;            // empty: no capture
    uint32_t capture_every = 30;        // capture every Nth presented frame
    uint64_t frames = 0;                // stop after N presented frames (0: no limit)
    double duration_s = 0;              // stop after S seconds (0: no limit)
    std::string stats_json;             // empty: no stats file
    std::string trace, csv, summary;    // timeline exports; empty: off
    std::string stats_socket;           // live stats (JSON lines); empty: off
    std::string kstat;                  // guest debugfs interconnect_stats; empty: off
    std::string host_kstat;             // host agent snapshots (virtio-serial); empty: off
    bool overlay = false;               // draw the stats overlay
    bool overlay_in_capture = false;    // include the overlay in --capture PNGs
    bool direct_scanout = true;         // scan a covering client buffer out without composing
    bool exit_with_client = false;      // end when the spawned client exits
    bool verbose = false;               // wlroots debug log
    std::vector<std::string> command;   // after "--": client to spawn
    // --output-buffers: guest dma-bufs on virtio-gpu KMS, or wlroots' buffers
    OutputBuffersChoice output_buffers = OutputBuffersChoice::Auto;
};

// Result of parsing: either options, a request for help, or one error line.
struct ParseResult {
    Options options;
    bool help = false;
    std::string error; // non-empty: bad input, print it and exit 2
};

ParseResult parse_options(const std::vector<std::string>& args); // args without argv[0]

// The --help text; docs/options.md must list every flag that appears in it.
const char* usage_text();

} // namespace zcd::app
