// zc-test-client: a Wayland client whose behaviour the e2e tests know exactly.
//
//   normal:  a toplevel filled with one colour, N frames, each waiting for
//            presentation feedback; prints "presented=N discarded=D zero_copy=Z".
//   --source memfd-dmabuf: the same pixels in a memfd sent through
//            zwp_linux_dmabuf_v1 as a linear XRGB8888 dmabuf (what these
//            machines can do without /dev/udmabuf).
//   --bad KIND: sends one malformed dmabuf (create_immed) and expects the
//            compositor to answer with a protocol error: exit 0 if it did,
//            1 if the buffer was accepted.
//   --destroy-mid-frame: commits a frame and vanishes at once (no cleanup).
//   --destroy-buffer-in-use: destroys a wl_buffer the compositor still holds,
//            then keeps drawing with fresh buffers.
//   --subsurface: a desynchronised subsurface (half size, at 16,16, the
//            colour inverted) gets a new buffer with every frame too, as a
//            video player's content surface does.
//   --reattach: every second frame attaches the previous buffer again
//            without damage (as foot, mpv and GTK4 do with unchanged content).
//   Prints "commits=N subsurface_commits=S reattached=R" when done.
//
// Exit: 0 success, 1 unexpected compositor behaviour, 2 bad arguments,
// 3 a needed global is missing.
#include <fcntl.h>
#include <poll.h>
#include <sys/mman.h>
#include <unistd.h>
#include <wayland-client.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "client_core/connection.hpp"
#include "client_core/frame_loop.hpp"
#include "client_core/shm_buffer.hpp"
#include "client_core/toplevel.hpp"
#include "linux-dmabuf-unstable-v1-client-protocol.h"
#include "presentation-time-client-protocol.h"
#include "xdg-shell-client-protocol.h"

namespace {

constexpr uint32_t kFourccXrgb8888 = 0x34325258; // 'XR24'
constexpr uint32_t kFourccBogus = 0x5a5a5a5a;    // 'ZZZZ': no such format

struct Args {
    int width = 200, height = 150;
    uint32_t color = 0xff3366; // 0xRRGGBB
    int frames = 60;
    std::string app_id = "zc-test-client";
    std::string source = "shm";
    std::string bad;
    bool destroy_mid_frame = false;
    bool destroy_buffer_in_use = false;
    bool dmabuf_feedback = false; // print the v4 default feedback and exit
    bool subsurface = false;
    bool reattach = false;
    int timeout_s = 20;
};

void usage() {
    std::puts("usage: zc-test-client [--size WxH] [--color RRGGBB] [--frames N] [--app-id ID]\n"
              "                      [--source shm|memfd-dmabuf] [--timeout S]\n"
              "                      [--bad plane-count|offset|stride|format|fd]\n"
              "                      [--destroy-mid-frame] [--destroy-buffer-in-use]\n"
              "                      [--dmabuf-feedback] [--subsurface] [--reattach]");
}

[[noreturn]] void die(int code, const char* fmt, const char* arg = "") {
    std::fprintf(stderr, "zc-test-client: ");
    std::fprintf(stderr, fmt, arg);
    std::fprintf(stderr, "\n");
    std::exit(code);
}

bool parse_args(int argc, char** argv, Args* a) {
    for (int i = 1; i < argc; ++i) {
        std::string s = argv[i];
        auto next = [&]() -> std::string {
            if (i + 1 >= argc)
                die(2, "%s needs a value", s.c_str());
            return argv[++i];
        };
        if (s == "-h" || s == "--help") {
            usage();
            std::exit(0);
        } else if (s == "--size") {
            std::string v = next();
            if (std::sscanf(v.c_str(), "%dx%d", &a->width, &a->height) != 2 || a->width <= 0 ||
                a->height <= 0)
                die(2, "--size: expected WxH, got '%s'", v.c_str());
        } else if (s == "--color") {
            a->color = static_cast<uint32_t>(std::strtoul(next().c_str(), nullptr, 16)) & 0xffffff;
        } else if (s == "--frames") {
            a->frames = std::atoi(next().c_str());
            if (a->frames <= 0)
                die(2, "--frames: expected a positive count");
        } else if (s == "--app-id") {
            a->app_id = next();
        } else if (s == "--source") {
            a->source = next();
            if (a->source != "shm" && a->source != "memfd-dmabuf")
                die(2, "--source: expected shm or memfd-dmabuf, got '%s'", a->source.c_str());
        } else if (s == "--bad") {
            a->bad = next();
        } else if (s == "--timeout") {
            a->timeout_s = std::atoi(next().c_str());
        } else if (s == "--destroy-mid-frame") {
            a->destroy_mid_frame = true;
        } else if (s == "--subsurface") {
            a->subsurface = true;
        } else if (s == "--reattach") {
            a->reattach = true;
        } else if (s == "--dmabuf-feedback") {
            a->dmabuf_feedback = true;
        } else if (s == "--destroy-buffer-in-use") {
            a->destroy_buffer_in_use = true;
        } else {
            die(2, "unknown option '%s' (see --help)", s.c_str());
        }
    }
    return true;
}

// The connection, the toplevel and the frame loop are the client core's
// (client_core/); what is here is what the e2e tests ask of this client.
struct Client {
    Args args;
    zcd::wlc::Connection conn;
    zcd::wlc::Toplevel window;
    zcd::wlc::FrameCallback frame_cb{[this] { frame_done = true; }};
    zcd::wlc::FeedbackSet feedback;
    int presented = 0, discarded = 0, zero_copy = 0;
    bool frame_done = true;

    wl_display* display() const { return conn.display(); }
    const zcd::wlc::Globals& g() const { return conn.globals(); }
};

// A memfd holding one XRGB8888 frame of the client's colour (or `a`'s
// size and colour when given another Args).
int make_filled_memfd(const Args& a, size_t* size_out) {
    const size_t size = static_cast<size_t>(a.width) * 4 * static_cast<size_t>(a.height);
    // Sealed against shrinking, as a well-behaved client does: the
    // compositor may then read it without a copy.
    zcd::wlc::SealedMemfd mem;
    std::string err;
    if (!mem.init("zc-test-client", size, &err))
        die(1, "%s", err.c_str());
    auto* px = static_cast<uint32_t*>(mem.data());
    for (size_t i = 0; i < size / 4; ++i)
        px[i] = 0xff000000u | a.color;
    *size_out = size;
    return mem.release();
}

// Default feedback of linux-dmabuf v4: the format table, the main device and
// at least one tranche, then "done".
struct Feedback {
    uint32_t table_size = 0;
    bool main_device = false;
    int tranches = 0;
    size_t tranche_formats = 0;
    bool done = false;
};
void fbk_done(void* d, zwp_linux_dmabuf_feedback_v1*) {
    static_cast<Feedback*>(d)->done = true;
}
void fbk_table(void* d, zwp_linux_dmabuf_feedback_v1*, int32_t fd, uint32_t size) {
    static_cast<Feedback*>(d)->table_size = size;
    close(fd);
}
void fbk_main(void* d, zwp_linux_dmabuf_feedback_v1*, wl_array* dev) {
    static_cast<Feedback*>(d)->main_device = dev->size == sizeof(dev_t);
}
void fbk_tranche_done(void* d, zwp_linux_dmabuf_feedback_v1*) {
    static_cast<Feedback*>(d)->tranches++;
}
void fbk_target(void*, zwp_linux_dmabuf_feedback_v1*, wl_array*) {}
void fbk_formats(void* d, zwp_linux_dmabuf_feedback_v1*, wl_array* indices) {
    static_cast<Feedback*>(d)->tranche_formats += indices->size / sizeof(uint16_t);
}
void fbk_flags(void*, zwp_linux_dmabuf_feedback_v1*, uint32_t) {}
const zwp_linux_dmabuf_feedback_v1_listener kDmabufFeedback = {
    fbk_done, fbk_table, fbk_main, fbk_tranche_done, fbk_target, fbk_formats, fbk_flags};

int print_dmabuf_feedback(Client& c) {
    if (!c.g().dmabuf)
        die(3, "the compositor offers no zwp_linux_dmabuf_v1%s", "");
    if (c.g().dmabuf_advertised_version < 4) {
        std::fprintf(stderr, "zc-test-client: zwp_linux_dmabuf_v1 is version %u, not 4\n",
                     c.g().dmabuf_advertised_version);
        return 1;
    }
    Feedback fb;
    zwp_linux_dmabuf_feedback_v1* f = zwp_linux_dmabuf_v1_get_default_feedback(c.g().dmabuf);
    zwp_linux_dmabuf_feedback_v1_add_listener(f, &kDmabufFeedback, &fb);
    while (!fb.done)
        if (wl_display_dispatch(c.display()) < 0)
            die(1, "connection lost before the feedback was done%s", "");
    zwp_linux_dmabuf_feedback_v1_destroy(f);
    std::printf("dmabuf-feedback version=%u table_bytes=%u main_device=%d tranches=%d "
                "formats=%zu\n",
                c.g().dmabuf_advertised_version, fb.table_size, fb.main_device ? 1 : 0, fb.tranches,
                fb.tranche_formats);
    return fb.table_size > 0 && fb.main_device && fb.tranches > 0 && fb.tranche_formats > 0 ? 0 : 1;
}

// Dispatch that gives up at `deadline`: a compositor that stops sending
// events must make this client fail with a message, not hang.  Returns > 0
// on progress, 0 on timeout, -1 on error.
int dispatch_until(wl_display* d, std::chrono::steady_clock::time_point deadline) {
    return zcd::wlc::dispatch_timeout(d, zcd::wlc::ms_until(deadline));
}

wl_buffer* make_shm_buffer(Client& c, const Args& a) {
    size_t size = 0;
    int fd = make_filled_memfd(a, &size);
    wl_shm_pool* pool = wl_shm_create_pool(c.g().shm, fd, static_cast<int32_t>(size));
    wl_buffer* b =
        wl_shm_pool_create_buffer(pool, 0, a.width, a.height, a.width * 4, WL_SHM_FORMAT_XRGB8888);
    wl_shm_pool_destroy(pool);
    close(fd);
    return b;
}

// Linear XRGB8888 "dmabuf" backed by a memfd: linux-dmabuf carries any fd,
// and the renderer's import path sees exactly what a real dmabuf would give.
wl_buffer* make_memfd_dmabuf(Client& c) {
    if (!c.g().dmabuf)
        die(3, "the compositor offers no zwp_linux_dmabuf_v1%s", "");
    size_t size = 0;
    int fd = make_filled_memfd(c.args, &size);
    zwp_linux_buffer_params_v1* params = zwp_linux_dmabuf_v1_create_params(c.g().dmabuf);
    zwp_linux_buffer_params_v1_add(params, fd, 0, 0, static_cast<uint32_t>(c.args.width) * 4, 0, 0);
    wl_buffer* b = zwp_linux_buffer_params_v1_create_immed(params, c.args.width, c.args.height,
                                                           kFourccXrgb8888, 0);
    zwp_linux_buffer_params_v1_destroy(params);
    close(fd);
    return b;
}

wl_buffer* make_buffer(Client& c) {
    return c.args.source == "shm" ? make_shm_buffer(c, c.args) : make_memfd_dmabuf(c);
}

// One malformed dmabuf; the compositor must reject it with a protocol error.
int send_bad_dmabuf(Client& c) {
    if (!c.g().dmabuf)
        die(3, "the compositor offers no zwp_linux_dmabuf_v1%s", "");
    const Args& a = c.args;
    const uint32_t stride = static_cast<uint32_t>(a.width) * 4;
    size_t size = 0;
    int fd = make_filled_memfd(a, &size);
    uint32_t format = kFourccXrgb8888;
    zwp_linux_buffer_params_v1* params = zwp_linux_dmabuf_v1_create_params(c.g().dmabuf);
    if (a.bad == "plane-count") {
        // XRGB8888 has one plane; a second one is wrong.
        zwp_linux_buffer_params_v1_add(params, fd, 0, 0, stride, 0, 0);
        zwp_linux_buffer_params_v1_add(params, fd, 1, 0, stride, 0, 0);
    } else if (a.bad == "offset") {
        zwp_linux_buffer_params_v1_add(params, fd, 0, static_cast<uint32_t>(size) + 4096, stride, 0,
                                       0);
    } else if (a.bad == "stride") {
        zwp_linux_buffer_params_v1_add(params, fd, 0, 0, stride * 4, 0, 0);
    } else if (a.bad == "format") {
        zwp_linux_buffer_params_v1_add(params, fd, 0, 0, stride, 0, 0);
        format = kFourccBogus;
    } else if (a.bad == "fd") {
        // Not a buffer at all: the read end of a pipe.
        int p[2];
        if (pipe(p) != 0)
            die(1, "pipe: %s", std::strerror(errno));
        zwp_linux_buffer_params_v1_add(params, p[0], 0, 0, stride, 0, 0);
        close(p[0]);
        close(p[1]);
    } else {
        die(2, "--bad: expected plane-count, offset, stride, format or fd, got '%s'",
            a.bad.c_str());
    }
    close(fd);
    wl_buffer* b = zwp_linux_buffer_params_v1_create_immed(params, a.width, a.height, format, 0);
    zwp_linux_buffer_params_v1_destroy(params);
    wl_surface_attach(c.window.surface(), b, 0, 0);
    wl_surface_commit(c.window.surface());
    wl_display_roundtrip(c.display());
    // Destroyed whatever happened: a sanitized run reports a proxy left.
    wl_buffer_destroy(b);
    int err = wl_display_get_error(c.display());
    if (err == 0) {
        std::fprintf(stderr, "zc-test-client: malformed dmabuf (%s) was accepted\n", a.bad.c_str());
        return 1;
    }
    const wl_interface* iface = nullptr;
    uint32_t id = 0;
    uint32_t code = wl_display_get_protocol_error(c.display(), &iface, &id);
    std::printf("protocol-error interface=%s code=%u (bad %s)\n", iface ? iface->name : "none",
                code, a.bad.c_str());
    return 0;
}

int run(Client& c) {
    const Args& a = c.args;
    zcd::wlc::ConnectOptions opt;
    // v4 only when asked: feedback replaces the format events of v3.
    opt.dmabuf_min_version = 2;
    opt.dmabuf_max_version = a.dmabuf_feedback ? 4 : 3;
    std::string err;
    if (!c.conn.connect(opt, &err)) {
        if (!c.display())
            die(3, "cannot connect to the Wayland display%s", "");
        die(1, "%s", err.c_str());
    }
    if (!c.g().compositor || !c.g().shm || !c.g().wm_base)
        die(3, "compositor lacks wl_compositor, wl_shm or xdg_wm_base%s", "");
    if (a.dmabuf_feedback)
        return print_dmabuf_feedback(c);
    c.window.init(c.g(), a.app_id, a.app_id);
    if (!c.window.wait_configured(c.display(), a.timeout_s * 1000, &err))
        die(1, "no configure from the compositor (connection lost or timeout)%s", "");

    if (!a.bad.empty())
        return send_bad_dmabuf(c);

    // Whatever this loop creates goes before the connection does, on every
    // way out: a sanitized run reports each proxy left as a leak.
    struct Owned {
        std::vector<wl_buffer*> buffers;
        wl_subsurface* sub = nullptr;
        wl_surface* sub_surface = nullptr;
        ~Owned() {
            for (wl_buffer* b : buffers)
                wl_buffer_destroy(b);
            if (sub)
                wl_subsurface_destroy(sub);
            if (sub_surface)
                wl_surface_destroy(sub_surface);
        }
    } owned;
    std::vector<wl_buffer*>& old_buffers = owned.buffers;
    wl_surface*& sub_surface = owned.sub_surface;
    Args sub_args = a;
    if (a.subsurface) {
        if (!c.g().subcompositor)
            die(3, "compositor lacks wl_subcompositor%s", "");
        sub_surface = wl_compositor_create_surface(c.g().compositor);
        wl_subsurface* sub = owned.sub =
            wl_subcompositor_get_subsurface(c.g().subcompositor, sub_surface, c.window.surface());
        wl_subsurface_set_position(sub, 16, 16);
        wl_subsurface_set_desync(sub);
        sub_args.width = std::max(1, a.width / 2);
        sub_args.height = std::max(1, a.height / 2);
        sub_args.color = ~a.color & 0xffffffu;
    }

    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(a.timeout_s);
    int committed = 0, sub_committed = 0, reattached = 0;
    wl_buffer* last = nullptr;
    while (c.presented < a.frames) {
        if (std::chrono::steady_clock::now() > deadline) {
            std::fprintf(stderr, "zc-test-client: timeout: %d of %d frames presented\n",
                         c.presented, a.frames);
            return 1;
        }
        if (c.frame_done && committed - c.presented - c.discarded < 2) {
            if (sub_surface) {
                wl_buffer* sb = make_shm_buffer(c, sub_args);
                wl_surface_attach(sub_surface, sb, 0, 0);
                wl_surface_damage_buffer(sub_surface, 0, 0, sub_args.width, sub_args.height);
                wl_surface_commit(sub_surface);
                old_buffers.push_back(sb);
                sub_committed++;
            }
            // Unchanged content: the same buffer again, nothing damaged.
            const bool again = a.reattach && last && committed % 2 == 1;
            wl_buffer* b = again ? last : make_buffer(c);
            wl_surface_attach(c.window.surface(), b, 0, 0);
            if (!again)
                wl_surface_damage_buffer(c.window.surface(), 0, 0, a.width, a.height);
            reattached += again ? 1 : 0;
            c.frame_cb.request(c.window.surface());
            c.frame_done = false;
            if (c.g().presentation)
                c.feedback.request(c.g().presentation, c.window.surface(),
                                   [&c](const zcd::wlc::Presented* p) {
                                       if (!p) {
                                           c.discarded++;
                                           return;
                                       }
                                       c.presented++;
                                       if (p->flags & WP_PRESENTATION_FEEDBACK_KIND_ZERO_COPY)
                                           c.zero_copy++;
                                   });
            wl_surface_commit(c.window.surface());
            committed++;
            if (a.destroy_mid_frame && committed == 3) {
                // Vanish between commit and presentation: no destroy
                // requests, no waiting; the socket just closes.
                wl_display_flush(c.display());
                std::printf("destroyed mid-frame after %d commits\n", committed);
                std::fflush(stdout);
                _exit(0);
            }
            if (a.destroy_buffer_in_use && committed == 3) {
                // The compositor holds this buffer (no release yet):
                // destroying it is legal, the content becomes undefined.
                wl_display_roundtrip(c.display());
                wl_buffer_destroy(b);
                b = nullptr;
            }
            if (b && !again)
                old_buffers.push_back(b);
            last = b;
        }
        int n = dispatch_until(c.display(), deadline);
        if (n < 0) {
            std::fprintf(stderr, "zc-test-client: connection lost (error %d)\n",
                         wl_display_get_error(c.display()));
            return 1;
        }
        // Keep at most a few buffers alive; older ones have been replaced.
        while (old_buffers.size() > (sub_surface ? 6u : 3u)) {
            wl_buffer_destroy(old_buffers.front());
            old_buffers.erase(old_buffers.begin());
        }
    }
    std::printf("presented=%d discarded=%d zero_copy=%d\n", c.presented, c.discarded, c.zero_copy);
    std::printf("commits=%d subsurface_commits=%d reattached=%d\n", committed, sub_committed,
                reattached);
    return 0; // owned goes now; the window and the connection with the Client
}

} // namespace

int main(int argc, char** argv) {
    Client c;
    parse_args(argc, argv, &c.args);
    return run(c);
}
