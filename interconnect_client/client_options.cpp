#include "interconnect_client/client_options.hpp"

#include <charconv>
#include <string_view>

#include "interconnect_client/sources/buffer_source.hpp"

namespace zcd {

namespace {

template <typename T> bool parse_uint(std::string_view s, T* v, T min, T max) {
    T x{};
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), x, 10);
    if (s.empty() || ec != std::errc() || end != s.data() + s.size() || x < min || x > max)
        return false;
    *v = x;
    return true;
}

} // namespace

const char* client_usage() {
    return "usage: zc-client [options]\n"
           "\n"
           "Wayland (xdg-shell) client drawing deterministic patterns; every frame\n"
           "carries its sequence number in a frame-identity stripe.\n"
           "\n"
           "  --pattern NAME      smpte|gradient|checker|motion|solid:RRGGBB (default smpte)\n"
           "  --size WxH          buffer size (default 640x480)\n"
           "  --fps N             commit N frames/s; default: one per frame callback\n"
           "  --frames N          stop after N frames (default: until closed)\n"
           "  --source NAME       auto|gbm|vulkan|udmabuf|shm (default auto: the first\n"
           "                      usable in that order; prints why others were not)\n"
           "  --device PATH       render node for the gbm source (default: the\n"
           "                      compositor's main device, else the first renderD*)\n"
           "  --dev-root DIR      where /dev/udmabuf and /dev/dri are looked up\n"
           "                      (default /dev; for tests)\n"
           "  --trace FILE        write the client timeline (Chrome trace JSON)\n"
           "  --title TEXT        window title and app_id (default zc-client)\n"
           "  --help              this text\n"
           "\n"
           "Exit: 0 done, 1 runtime failure (no display, source unusable, protocol\n"
           "error), 2 bad arguments.\n";
}

ParseOutcome parse_client_options(int argc, const char* const* argv, ClientOptions* out,
                                  std::string* error) {
    ClientOptions o;
    for (int i = 1; i < argc; ++i) {
        std::string_view a = argv[i];
        if (a == "--help" || a == "-h")
            return ParseOutcome::Help;
        const bool takes_value = a == "--pattern" || a == "--size" || a == "--fps" ||
                                 a == "--frames" || a == "--source" || a == "--device" ||
                                 a == "--dev-root" || a == "--trace" || a == "--title";
        if (!takes_value) {
            *error = "unknown argument '" + std::string(a) + "' (see --help)";
            return ParseOutcome::Error;
        }
        if (i + 1 >= argc) {
            *error = std::string(a) + " needs a value";
            return ParseOutcome::Error;
        }
        std::string_view v = argv[++i];
        if (a == "--pattern") {
            std::string err;
            auto p = parse_pattern(v, &err);
            if (!p) {
                *error = "--pattern: " + err;
                return ParseOutcome::Error;
            }
            o.pattern = *p;
        } else if (a == "--size") {
            size_t x = v.find('x');
            if (x == std::string_view::npos ||
                !parse_uint<uint32_t>(v.substr(0, x), &o.width, 1, 16384) ||
                !parse_uint<uint32_t>(v.substr(x + 1), &o.height, 1, 16384)) {
                *error = "--size must be WxH with 1..16384 each, got '" + std::string(v) + "'";
                return ParseOutcome::Error;
            }
        } else if (a == "--fps") {
            if (!parse_uint<uint32_t>(v, &o.fps, 1, 1000)) {
                *error = "--fps must be 1..1000, got '" + std::string(v) + "'";
                return ParseOutcome::Error;
            }
        } else if (a == "--frames") {
            if (!parse_uint<uint64_t>(v, &o.frames, 1, UINT64_MAX)) {
                *error = "--frames must be a positive number, got '" + std::string(v) + "'";
                return ParseOutcome::Error;
            }
        } else if (a == "--source") {
            if (v != "auto" && !is_source_name(std::string(v))) {
                *error =
                    "--source must be auto|gbm|vulkan|udmabuf|shm, got '" + std::string(v) + "'";
                return ParseOutcome::Error;
            }
            o.source = v;
        } else if (a == "--device") {
            o.device = v;
        } else if (a == "--dev-root") {
            o.dev_root = v;
        } else if (a == "--trace") {
            o.trace = v;
        } else if (a == "--title") {
            o.title = v;
        }
    }
    *out = std::move(o);
    return ParseOutcome::Run;
}

} // namespace zcd
