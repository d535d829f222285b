// zc-bench-client: the benchmark workload, and the witness that counts what
// a compositor presented.
//
// It does what weston-simple-shm does -- an xdg toplevel that redraws a full
// wl_shm buffer on every frame callback -- but at a chosen size (simple-shm is
// fixed at 250x250), and it asks wp_presentation for feedback on every commit.
// The same binary runs under zc-compositor, weston and sway, so "frames
// presented" and commit-to-present latency are counted the same way for all
// three.  The log (JSON, see frame_log.hpp) is written at exit; the bench
// harness turns it into rows.
#include <cerrno>
#include <cinttypes>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <memory>
#include <poll.h>
#include <string>
#include <string_view>

#include <wayland-client.h>

#include "bench/client/frame_log.hpp"
#include "client_core/connection.hpp"
#include "client_core/frame_loop.hpp"
#include "client_core/shm_buffer.hpp"
#include "client_core/toplevel.hpp"

namespace {

using zcd::bench::FrameLog;
using zcd::bench::FrameRecord;
using zcd::wlc::ShmBuffer;
using zcd::wlc::ShmRing;

void usage(FILE* to) {
    std::fputs("usage: zc-bench-client [options]\n"
               "\n"
               "A wl_shm client that redraws its whole buffer on every frame callback and\n"
               "logs wp_presentation feedback for every commit (JSON at exit).\n"
               "\n"
               "  --size WxH        buffer size (default 1920x1080)\n"
               "  --duration S      seconds to run, then exit 0 (default 10)\n"
               "  --buffers N       shm buffers in the ring, 2..4 (default 3)\n"
               "  --log FILE        write the frame log JSON here (default: stdout)\n"
               "  --help            this text\n",
               to);
}

struct Options {
    uint32_t width = 1920, height = 1080;
    double duration_s = 10.0;
    int buffers = 3;
    std::string log_path; // empty: stdout
};

[[noreturn]] void die_usage(const std::string& msg) {
    std::fprintf(stderr, "zc-bench-client: %s (see --help)\n", msg.c_str());
    std::exit(2);
}

Options parse_options(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        std::string_view a = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc)
                die_usage(std::string(a) + " needs a value");
            return argv[++i];
        };
        if (a == "--help" || a == "-h") {
            usage(stdout);
            std::exit(0);
        } else if (a == "--size") {
            std::string v = value();
            unsigned w = 0, h = 0;
            char tail = 0;
            if (std::sscanf(v.c_str(), "%ux%u%c", &w, &h, &tail) != 2 || w == 0 || h == 0 ||
                w > 8192 || h > 8192)
                die_usage("bad --size '" + v + "', want WxH up to 8192x8192");
            o.width = w;
            o.height = h;
        } else if (a == "--duration") {
            std::string v = value();
            char* end = nullptr;
            o.duration_s = std::strtod(v.c_str(), &end);
            if (*end != '\0' || !(o.duration_s > 0) || o.duration_s > 3600)
                die_usage("bad --duration '" + v + "', want seconds in (0, 3600]");
        } else if (a == "--buffers") {
            std::string v = value();
            char* end = nullptr;
            long n = std::strtol(v.c_str(), &end, 10);
            if (*end != '\0' || n < 2 || n > 4)
                die_usage("bad --buffers '" + v + "', want 2..4");
            o.buffers = static_cast<int>(n);
        } else if (a == "--log") {
            o.log_path = value();
        } else {
            die_usage("unknown argument '" + std::string(a) + "'");
        }
    }
    return o;
}

int64_t now_ns(clockid_t clock) {
    timespec ts{};
    clock_gettime(clock, &ts);
    return int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
}

// Everything the frame loop touches.  One instance, on main's stack; the
// connection, window and buffers come from the client core (client_core/).
struct Client {
    zcd::wlc::Connection conn;
    zcd::wlc::Toplevel window;
    zcd::wlc::FrameCallback frame_callback;
    zcd::wlc::FeedbackSet feedback;
    ShmRing ring;
    FrameLog log;
    clockid_t clock = CLOCK_MONOTONIC; // until wp_presentation.clock_id says otherwise
    bool frame_due = true;             // the first frame goes right after the first configure
    bool callback_has_frame = false;   // the outstanding callback belongs to a drawn frame
    uint64_t frames_without_buffer = 0;

    void on_frame_done() {
        // At most one callback is outstanding and it was requested with the
        // newest commit, so it belongs to the last record.
        if (callback_has_frame && !log.frames.empty())
            log.frames.back().done_ns = now_ns(clock);
        frame_due = true;
    }
};

// Paint a frame that differs from the previous one everywhere, like
// simple-shm's animation, so every compositor has to take the whole buffer.
void paint(ShmBuffer& b, uint32_t width, uint32_t height, uint64_t frame) {
    const uint32_t base = 0xff000000u | static_cast<uint32_t>((frame * 0x010305u) & 0xffffffu);
    const uint32_t bar_x = static_cast<uint32_t>((frame * 8) % width);
    for (uint32_t y = 0; y < height; ++y) {
        uint32_t* row = b.pixels + size_t{y} * width;
        for (uint32_t x = 0; x < width; ++x)
            row[x] = base ^ (x - bar_x < 64 ? 0x00ffffffu : 0u);
    }
}

bool draw(Client& c) {
    wl_surface* surface = c.window.surface();
    ShmBuffer* b = c.ring.acquire();
    if (!b) {
        // Every buffer is still held by the compositor: skip this callback,
        // counted so the log reader sees the client was starved, not idle.
        ++c.frames_without_buffer;
        c.callback_has_frame = false;
        c.frame_callback.request(surface);
        wl_surface_commit(surface);
        return true;
    }
    const uint64_t frame = c.log.frames.size() + 1;
    paint(*b, c.ring.width(), c.ring.height(), frame);
    wl_surface_attach(surface, b->buffer, 0, 0);
    wl_surface_damage_buffer(surface, 0, 0, INT32_MAX, INT32_MAX);
    b->busy = true;
    c.frame_callback.request(surface);
    FrameRecord rec;
    rec.frame = frame;
    c.log.frames.push_back(rec);
    c.callback_has_frame = true;
    if (wp_presentation* pres = c.conn.globals().presentation) {
        // The record's index, not a pointer: log.frames grows.
        const size_t index = c.log.frames.size() - 1;
        c.feedback.request(pres, surface, [&c, index](const zcd::wlc::Presented* p) {
            FrameRecord& r = c.log.frames[index];
            if (!p) {
                r.discarded = true;
                return;
            }
            r.presented = true;
            r.present_ns = p->time_ns;
            r.refresh_ns = p->refresh_ns;
            r.msc = p->msc;
            r.flags = p->flags;
        });
    }
    c.log.frames.back().commit_ns = now_ns(c.clock);
    wl_surface_commit(surface);
    return true;
}

volatile sig_atomic_t g_stop = 0;
void on_signal(int) {
    g_stop = 1;
}

// Dispatch events for at most timeout_ms.  Returns false when the
// connection is gone.
bool dispatch_for(wl_display* d, int timeout_ms) {
    return zcd::wlc::dispatch_timeout(d, timeout_ms) >= 0;
}

bool write_log(const Options& o, const FrameLog& log) {
    const std::string json = zcd::bench::to_json(log);
    FILE* f = o.log_path.empty() ? stdout : std::fopen(o.log_path.c_str(), "w");
    if (!f) {
        std::fprintf(stderr, "zc-bench-client: cannot write %s: %s\n", o.log_path.c_str(),
                     std::strerror(errno));
        return false;
    }
    bool ok = std::fwrite(json.data(), 1, json.size(), f) == json.size();
    ok = (f == stdout ? std::fflush(f) : std::fclose(f)) == 0 && ok;
    if (!ok)
        std::fprintf(stderr, "zc-bench-client: short write to %s\n",
                     o.log_path.empty() ? "stdout" : o.log_path.c_str());
    return ok;
}

} // namespace

int main(int argc, char** argv) {
    const Options opt = parse_options(argc, argv);
    std::signal(SIGTERM, on_signal);
    std::signal(SIGINT, on_signal);

    Client c;
    c.frame_callback.set_on_done([&c] { c.on_frame_done(); });
    std::string err;
    if (!c.conn.connect({}, &err)) {
        const char* wd = std::getenv("WAYLAND_DISPLAY");
        std::fprintf(stderr, "zc-bench-client: cannot connect to Wayland display '%s'\n",
                     wd ? wd : "wayland-0");
        return 1;
    }
    c.log.width = opt.width;
    c.log.height = opt.height;
    if (const char* wd = std::getenv("WAYLAND_DISPLAY"))
        c.log.compositor_hint = wd;
    c.conn.roundtrip(&err); // wp_presentation.clock_id arrives after the bind
    const zcd::wlc::Globals& g = c.conn.globals();
    c.clock = static_cast<clockid_t>(g.presentation_clock);
    c.log.clock_id = g.presentation ? g.presentation_clock : 0;
    if (!g.compositor || !g.shm || !g.wm_base) {
        std::fprintf(stderr, "zc-bench-client: compositor lacks %s\n",
                     !g.compositor ? "wl_compositor"
                     : !g.shm      ? "wl_shm"
                                   : "xdg_wm_base");
        return 1;
    }
    if (!g.presentation)
        std::fprintf(stderr, "zc-bench-client: compositor has no wp_presentation; "
                             "frames will be logged as pending\n");
    zcd::wlc::ShmRingConfig rc;
    rc.width = opt.width;
    rc.height = opt.height;
    rc.count = static_cast<uint32_t>(opt.buffers);
    rc.name = "zc-bench-client";
    if (!c.ring.init(g.shm, rc, &err)) {
        std::fprintf(stderr, "zc-bench-client: %s\n", err.c_str());
        return 1;
    }
    c.window.init(g, "zc-bench-client", "zc-bench-client");

    const int64_t deadline = now_ns(CLOCK_MONOTONIC) + static_cast<int64_t>(opt.duration_s * 1e9);
    bool connected = true;
    while (connected && !c.window.closed() && !g_stop && now_ns(CLOCK_MONOTONIC) < deadline) {
        if (c.frame_due && c.window.configured()) {
            c.frame_due = false;
            draw(c);
        }
        connected = dispatch_for(c.conn.display(), 100);
    }
    // Let feedback for the last commits arrive (two refreshes are plenty).
    const int64_t grace_end = now_ns(CLOCK_MONOTONIC) + 100'000'000;
    while (connected && now_ns(CLOCK_MONOTONIC) < grace_end)
        connected = dispatch_for(c.conn.display(), 20);
    if (!connected)
        std::fprintf(stderr,
                     "zc-bench-client: connection to the compositor lost after %zu frames\n",
                     c.log.frames.size());
    if (c.frames_without_buffer > 0)
        std::fprintf(stderr,
                     "zc-bench-client: %" PRIu64 " frame callbacks found every buffer busy\n",
                     c.frames_without_buffer);
    c.log.monotonic_minus_clock_ns = now_ns(CLOCK_MONOTONIC) - now_ns(c.clock);
    const bool ok = write_log(opt, c.log);
    c.ring.finish(); // wl_buffers must go before the connection does
    return ok && connected ? 0 : 1;
}
