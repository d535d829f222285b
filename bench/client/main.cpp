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
#include "bench/client/shm_buffer.hpp"
#include "presentation-time-client-protocol.h"
#include "xdg-shell-client-protocol.h"

namespace {

using zcd::bench::FrameLog;
using zcd::bench::FrameRecord;
using zcd::bench::ShmBuffer;
using zcd::bench::ShmBufferRing;

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

// Everything the Wayland listeners touch.  One instance, on main's stack.
struct Client {
    wl_display* display = nullptr;
    wl_registry* registry = nullptr;
    wl_compositor* compositor = nullptr;
    wl_shm* shm = nullptr;
    xdg_wm_base* wm_base = nullptr;
    wp_presentation* presentation = nullptr;
    wl_surface* surface = nullptr;
    xdg_surface* xdg = nullptr;
    xdg_toplevel* toplevel = nullptr;
    wl_callback* frame_callback = nullptr; // may be null
    ShmBufferRing ring;
    FrameLog log;
    clockid_t clock = CLOCK_MONOTONIC; // until wp_presentation.clock_id says otherwise
    bool configured = false;
    bool closed = false;
    bool frame_due = false;
    bool callback_has_frame = false; // the outstanding callback belongs to a drawn frame
    uint64_t frames_without_buffer = 0;
};

// Feedback objects carry the index of their record in log.frames (the vector
// grows, so pointers into it would dangle).
struct FeedbackCtx {
    Client* client;
    size_t index;
};

void feedback_sync_output(void*, struct wp_presentation_feedback*, wl_output*) {}

void feedback_presented(void* data, struct wp_presentation_feedback* fb, uint32_t tv_sec_hi,
                        uint32_t tv_sec_lo, uint32_t tv_nsec, uint32_t refresh, uint32_t seq_hi,
                        uint32_t seq_lo, uint32_t flags) {
    std::unique_ptr<FeedbackCtx> ctx(static_cast<FeedbackCtx*>(data));
    FrameRecord& r = ctx->client->log.frames[ctx->index];
    const int64_t sec = static_cast<int64_t>((uint64_t{tv_sec_hi} << 32) | tv_sec_lo);
    r.presented = true;
    r.present_ns = sec * 1000000000 + tv_nsec;
    r.refresh_ns = refresh;
    r.msc = (uint64_t{seq_hi} << 32) | seq_lo;
    r.flags = flags;
    wp_presentation_feedback_destroy(fb);
}

void feedback_discarded(void* data, struct wp_presentation_feedback* fb) {
    std::unique_ptr<FeedbackCtx> ctx(static_cast<FeedbackCtx*>(data));
    ctx->client->log.frames[ctx->index].discarded = true;
    wp_presentation_feedback_destroy(fb);
}

const wp_presentation_feedback_listener kFeedbackListener = {
    .sync_output = feedback_sync_output,
    .presented = feedback_presented,
    .discarded = feedback_discarded,
};

void presentation_clock_id(void* data, wp_presentation*, uint32_t clk_id) {
    auto* c = static_cast<Client*>(data);
    c->clock = static_cast<clockid_t>(clk_id);
    c->log.clock_id = clk_id;
}

const wp_presentation_listener kPresentationListener = {.clock_id = presentation_clock_id};

void frame_done(void* data, wl_callback* cb, uint32_t) {
    auto* c = static_cast<Client*>(data);
    wl_callback_destroy(cb);
    c->frame_callback = nullptr;
    // At most one callback is outstanding and it was requested with the
    // newest commit, so it belongs to the last record.
    if (c->callback_has_frame && !c->log.frames.empty())
        c->log.frames.back().done_ns = now_ns(c->clock);
    c->frame_due = true;
}

const wl_callback_listener kFrameListener = {.done = frame_done};

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
    ShmBuffer* b = c.ring.acquire();
    if (!b) {
        // Every buffer is still held by the compositor: skip this callback,
        // counted so the log reader sees the client was starved, not idle.
        ++c.frames_without_buffer;
        c.callback_has_frame = false;
        c.frame_callback = wl_surface_frame(c.surface);
        wl_callback_add_listener(c.frame_callback, &kFrameListener, &c);
        wl_surface_commit(c.surface);
        return true;
    }
    const uint64_t frame = c.log.frames.size() + 1;
    paint(*b, c.ring.width(), c.ring.height(), frame);
    wl_surface_attach(c.surface, b->buffer, 0, 0);
    wl_surface_damage_buffer(c.surface, 0, 0, INT32_MAX, INT32_MAX);
    b->busy = true;
    c.frame_callback = wl_surface_frame(c.surface);
    wl_callback_add_listener(c.frame_callback, &kFrameListener, &c);
    FrameRecord rec;
    rec.frame = frame;
    c.log.frames.push_back(rec);
    c.callback_has_frame = true;
    if (c.presentation) {
        struct wp_presentation_feedback* fb = wp_presentation_feedback(c.presentation, c.surface);
        wp_presentation_feedback_add_listener(fb, &kFeedbackListener,
                                              new FeedbackCtx{&c, c.log.frames.size() - 1});
    }
    c.log.frames.back().commit_ns = now_ns(c.clock);
    wl_surface_commit(c.surface);
    return true;
}

void wm_base_ping(void*, xdg_wm_base* base, uint32_t serial) {
    xdg_wm_base_pong(base, serial);
}
const xdg_wm_base_listener kWmBaseListener = {.ping = wm_base_ping};

void xdg_surface_configure(void* data, xdg_surface* surface, uint32_t serial) {
    auto* c = static_cast<Client*>(data);
    xdg_surface_ack_configure(surface, serial);
    if (!c->configured) {
        c->configured = true;
        c->frame_due = true; // first frame right after the first configure
    }
}
const xdg_surface_listener kXdgSurfaceListener = {.configure = xdg_surface_configure};

// The size is fixed on purpose (same workload under every compositor); a
// tiling compositor's suggested size is acknowledged and ignored.
void toplevel_configure(void*, xdg_toplevel*, int32_t, int32_t, wl_array*) {}
void toplevel_close(void* data, xdg_toplevel*) {
    static_cast<Client*>(data)->closed = true;
}
void toplevel_bounds(void*, xdg_toplevel*, int32_t, int32_t) {}
void toplevel_capabilities(void*, xdg_toplevel*, wl_array*) {}
const xdg_toplevel_listener kToplevelListener = {
    .configure = toplevel_configure,
    .close = toplevel_close,
    .configure_bounds = toplevel_bounds,
    .wm_capabilities = toplevel_capabilities,
};

void registry_global(void* data, wl_registry* reg, uint32_t name, const char* iface,
                     uint32_t version) {
    auto* c = static_cast<Client*>(data);
    std::string_view i = iface;
    if (i == wl_compositor_interface.name) {
        c->compositor = static_cast<wl_compositor*>(
            wl_registry_bind(reg, name, &wl_compositor_interface, std::min(version, 4u)));
    } else if (i == wl_shm_interface.name) {
        c->shm = static_cast<wl_shm*>(wl_registry_bind(reg, name, &wl_shm_interface, 1));
    } else if (i == xdg_wm_base_interface.name) {
        c->wm_base =
            static_cast<xdg_wm_base*>(wl_registry_bind(reg, name, &xdg_wm_base_interface, 1));
        xdg_wm_base_add_listener(c->wm_base, &kWmBaseListener, c);
    } else if (i == wp_presentation_interface.name) {
        c->presentation = static_cast<wp_presentation*>(
            wl_registry_bind(reg, name, &wp_presentation_interface, 1));
        wp_presentation_add_listener(c->presentation, &kPresentationListener, c);
    }
}
void registry_global_remove(void*, wl_registry*, uint32_t) {}
const wl_registry_listener kRegistryListener = {
    .global = registry_global,
    .global_remove = registry_global_remove,
};

volatile sig_atomic_t g_stop = 0;
void on_signal(int) {
    g_stop = 1;
}

// Dispatch events for at most timeout_ms.  Returns false when the
// connection is gone.
bool dispatch_for(wl_display* d, int timeout_ms) {
    while (wl_display_prepare_read(d) != 0)
        if (wl_display_dispatch_pending(d) < 0)
            return false;
    if (wl_display_flush(d) < 0 && errno != EAGAIN) {
        wl_display_cancel_read(d);
        return false;
    }
    pollfd pfd = {wl_display_get_fd(d), POLLIN, 0};
    int n = poll(&pfd, 1, timeout_ms);
    if (n <= 0) {
        wl_display_cancel_read(d);
        return n == 0 || errno == EINTR;
    }
    if (wl_display_read_events(d) < 0)
        return false;
    return wl_display_dispatch_pending(d) >= 0;
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
    c.display = wl_display_connect(nullptr);
    if (!c.display) {
        const char* wd = std::getenv("WAYLAND_DISPLAY");
        std::fprintf(stderr, "zc-bench-client: cannot connect to Wayland display '%s'\n",
                     wd ? wd : "wayland-0");
        return 1;
    }
    c.log.width = opt.width;
    c.log.height = opt.height;
    if (const char* wd = std::getenv("WAYLAND_DISPLAY"))
        c.log.compositor_hint = wd;
    c.registry = wl_display_get_registry(c.display);
    wl_registry_add_listener(c.registry, &kRegistryListener, &c);
    wl_display_roundtrip(c.display);
    wl_display_roundtrip(c.display); // wp_presentation.clock_id arrives after the bind
    if (!c.compositor || !c.shm || !c.wm_base) {
        std::fprintf(stderr, "zc-bench-client: compositor lacks %s\n",
                     !c.compositor ? "wl_compositor"
                     : !c.shm      ? "wl_shm"
                                   : "xdg_wm_base");
        return 1;
    }
    if (!c.presentation)
        std::fprintf(stderr, "zc-bench-client: compositor has no wp_presentation; "
                             "frames will be logged as pending\n");
    if (!c.ring.init(c.shm, opt.width, opt.height, opt.buffers))
        return 1;
    c.surface = wl_compositor_create_surface(c.compositor);
    c.xdg = xdg_wm_base_get_xdg_surface(c.wm_base, c.surface);
    xdg_surface_add_listener(c.xdg, &kXdgSurfaceListener, &c);
    c.toplevel = xdg_surface_get_toplevel(c.xdg);
    xdg_toplevel_add_listener(c.toplevel, &kToplevelListener, &c);
    xdg_toplevel_set_title(c.toplevel, "zc-bench-client");
    xdg_toplevel_set_app_id(c.toplevel, "zc-bench-client");
    wl_surface_commit(c.surface);

    const int64_t deadline = now_ns(CLOCK_MONOTONIC) + static_cast<int64_t>(opt.duration_s * 1e9);
    bool connected = true;
    while (connected && !c.closed && !g_stop && now_ns(CLOCK_MONOTONIC) < deadline) {
        if (c.frame_due && c.configured) {
            c.frame_due = false;
            draw(c);
        }
        connected = dispatch_for(c.display, 100);
    }
    // Let feedback for the last commits arrive (two refreshes are plenty).
    const int64_t grace_end = now_ns(CLOCK_MONOTONIC) + 100'000'000;
    while (connected && now_ns(CLOCK_MONOTONIC) < grace_end)
        connected = dispatch_for(c.display, 20);
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
    // Feedback objects still pending own FeedbackCtx allocations; the process
    // ends here, so they are left to the OS rather than tracked.
    c.ring.finish(); // wl_buffers must go before the connection does
    wl_display_disconnect(c.display);
    return ok && connected ? 0 : 1;
}
