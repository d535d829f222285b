#include "app/options.hpp"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <string_view>

namespace zcd::app {

namespace {

bool parse_u64(std::string_view s, uint64_t* out) {
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
    return ec == std::errc() && ptr == s.data() + s.size() && !s.empty();
}

bool parse_positive_i32(std::string_view s, int32_t* out) {
    uint64_t v = 0;
    if (!parse_u64(s, &v) || v == 0 || v > 16384)
        return false;
    *out = static_cast<int32_t>(v);
    return true;
}

bool parse_seconds(const std::string& s, double* out) {
    char* end = nullptr;
    double v = std::strtod(s.c_str(), &end);
    if (s.empty() || end != s.c_str() + s.size() || !std::isfinite(v) || v <= 0)
        return false;
    *out = v;
    return true;
}

bool parse_size(std::string_view s, int32_t* w, int32_t* h) {
    auto x = s.find('x');
    if (x == std::string_view::npos)
        return false;
    return parse_positive_i32(s.substr(0, x), w) && parse_positive_i32(s.substr(x + 1), h);
}

} // namespace

const char* usage_text() {
    return R"(usage: zc-compositor [options] [-- CMD ARGS...]

A wlroots Wayland compositor with a Vulkan renderer that imports client
buffers without copies where it can, and counts every copy with its reason.

  --backend NAME          auto|headless|wayland|x11|drm (default auto: wayland
                          if WAYLAND_DISPLAY, x11 if DISPLAY, else headless)
  --renderer NAME         auto|vulkan|pixman (default auto: vulkan if usable)
  --force-path PATH       auto|copy: copy forces the fallback path (A/B runs)
  --size WxH              headless output size (default 1280x720)
  --refresh HZ            headless output refresh rate (default 60)
  --scale N               integer output scale 1..8 (default 1): each client
                          pixel is shown as an NxN block
  --socket NAME           Wayland socket name (default: first free wayland-N)
  --capture DIR           write composed frames as PNG into DIR
  --capture-every N       capture every Nth presented frame (default 30)
  --frames N              stop after N presented frames
  --duration S            stop after S seconds
  --stats-json FILE       write run statistics as JSON at exit
  --trace FILE            write the frame timeline as Chrome trace JSON (Perfetto)
  --csv FILE              write the frame timeline as CSV (docs/trace-format.md)
  --summary FILE          write the timeline summary JSON (docs/metrics.md)
  --stats-socket PATH     serve live stats as JSON lines on a Unix socket
  --overlay               draw the stats overlay (F12 toggles it)
  --kstat PATH            read the kernel's interconnect counters from PATH each second
  --host-kstat PATH       read the host agent's counter snapshots from PATH
  --overlay-in-capture V  on|off: include the overlay in --capture PNGs (default off)
  --direct-scanout V      on|off: give a client buffer that covers the output
                          exactly to the output without composing (default on)
  --output-buffers V      auto|wlroots: render KMS frames into guest-memory dma-bufs
                          the display imports (auto, default) or into wlroots'
                          buffers (dumb buffers: the copy baseline)
  --exit-with-client      stop when the client started after -- exits
  -v, --verbose           wlroots debug log
  -h, --help              this text

The client after -- runs with WAYLAND_DISPLAY set to our socket.
)";
}

ParseResult parse_options(const std::vector<std::string>& args) {
    ParseResult r;
    Options& o = r.options;
    auto fail = [&r](std::string msg) {
        r.error = std::move(msg);
        return r;
    };
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "--") {
            o.command.assign(args.begin() + static_cast<long>(i) + 1, args.end());
            if (o.command.empty())
                return fail("-- must be followed by a command");
            break;
        }
        if (a == "-h" || a == "--help") {
            r.help = true;
            return r;
        }
        if (a == "-v" || a == "--verbose") {
            o.verbose = true;
            continue;
        }
        if (a == "--overlay") {
            o.overlay = true;
            continue;
        }
        if (a == "--exit-with-client") {
            o.exit_with_client = true;
            continue;
        }
        // Every other flag takes one value.
        static const char* const kValued[] = {
            "--backend",
            "--renderer",
            "--force-path",
            "--size",
            "--refresh",
            "--scale",
            "--socket",
            "--capture",
            "--capture-every",
            "--frames",
            "--duration",
            "--stats-json",
            "--trace",
            "--csv",
            "--summary",
            "--stats-socket",
            "--overlay-in-capture",
            "--direct-scanout",
            "--output-buffers",
            "--kstat",
            "--host-kstat",
        };
        bool valued = false;
        for (const char* k : kValued)
            valued = valued || a == k;
        if (!valued)
            return fail("unknown option '" + a + "' (see --help)");
        if (i + 1 >= args.size())
            return fail(a + " needs a value (see --help)");
        const std::string& v = args[++i];
        if (a == "--backend") {
            if (v == "auto")
                o.backend = BackendChoice::Auto;
            else if (v == "headless")
                o.backend = BackendChoice::Headless;
            else if (v == "wayland")
                o.backend = BackendChoice::Wayland;
            else if (v == "x11")
                o.backend = BackendChoice::X11;
            else if (v == "drm")
                o.backend = BackendChoice::Drm;
            else
                return fail("--backend: unknown backend '" + v +
                            "' (auto, headless, wayland, x11, drm)");
        } else if (a == "--renderer") {
            if (v == "auto")
                o.renderer = RendererChoice::Auto;
            else if (v == "vulkan")
                o.renderer = RendererChoice::Vulkan;
            else if (v == "pixman")
                o.renderer = RendererChoice::Pixman;
            else
                return fail("--renderer: unknown renderer '" + v + "' (auto, vulkan, pixman)");
        } else if (a == "--force-path") {
            if (v == "auto")
                o.force_path = ForcePathChoice::Auto;
            else if (v == "copy")
                o.force_path = ForcePathChoice::Copy;
            else
                return fail("--force-path: unknown path '" + v + "' (auto, copy)");
        } else if (a == "--size") {
            if (!parse_size(v, &o.width, &o.height))
                return fail("--size: expected WxH with 1..16384, got '" + v + "'");
        } else if (a == "--refresh") {
            if (!parse_positive_i32(v, &o.refresh_hz) || o.refresh_hz > 1000)
                return fail("--refresh: expected a rate in Hz (1..1000), got '" + v + "'");
        } else if (a == "--scale") {
            if (!parse_positive_i32(v, &o.scale) || o.scale > 8)
                return fail("--scale: expected an integer scale 1..8, got '" + v + "'");
        } else if (a == "--socket") {
            if (v.empty() || v.find('/') != std::string::npos)
                return fail("--socket: expected a socket name without '/', got '" + v + "'");
            o.socket = v;
        } else if (a == "--capture") {
            if (v.empty())
                return fail("--capture: expected a directory");
            o.capture_dir = v;
        } else if (a == "--capture-every") {
            uint64_t n = 0;
            if (!parse_u64(v, &n) || n == 0 || n > UINT32_MAX)
                return fail("--capture-every: expected a positive count, got '" + v + "'");
            o.capture_every = static_cast<uint32_t>(n);
        } else if (a == "--frames") {
            if (!parse_u64(v, &o.frames) || o.frames == 0)
                return fail("--frames: expected a positive count, got '" + v + "'");
        } else if (a == "--duration") {
            if (!parse_seconds(v, &o.duration_s))
                return fail("--duration: expected positive seconds, got '" + v + "'");
        } else if (a == "--stats-json") {
            if (v.empty())
                return fail("--stats-json: expected a file name");
            o.stats_json = v;
        } else if (a == "--kstat" || a == "--host-kstat") {
            if (v.empty())
                return fail(a + ": expected a path");
            (a == "--kstat" ? o.kstat : o.host_kstat) = v;
        } else if (a == "--overlay-in-capture") {
            if (v == "on")
                o.overlay_in_capture = true;
            else if (v == "off")
                o.overlay_in_capture = false;
            else
                return fail("--overlay-in-capture: expected on or off, got '" + v + "'");
        } else if (a == "--direct-scanout") {
            if (v == "on")
                o.direct_scanout = true;
            else if (v == "off")
                o.direct_scanout = false;
            else
                return fail("--direct-scanout: expected on or off, got '" + v + "'");
        } else if (a == "--output-buffers") {
            if (v == "auto")
                o.output_buffers = OutputBuffersChoice::Auto;
            else if (v == "wlroots")
                o.output_buffers = OutputBuffersChoice::Wlroots;
            else
                return fail("--output-buffers: expected auto or wlroots, got '" + v + "'");
        } else if (a == "--trace" || a == "--csv" || a == "--summary" || a == "--stats-socket") {
            if (v.empty())
                return fail(a + ": expected a file name");
            (a == "--trace"     ? o.trace
             : a == "--csv"     ? o.csv
             : a == "--summary" ? o.summary
                                : o.stats_socket) = v;
        }
    }
    if (o.exit_with_client && o.command.empty())
        return fail("--exit-with-client needs a command after --");
    return r;
}

} // namespace zcd::app
