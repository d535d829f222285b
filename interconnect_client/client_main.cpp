// zc-client: maps one xdg toplevel and commits pattern frames into buffers
// from the chosen source, paced by frame callbacks or --fps, recording each
// commit's presentation feedback.  See docs/options.md (## zc-client).
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <poll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <wayland-client.h>

#include "client_core/frame_loop.hpp"
#include "common/trace_export.hpp"
#include "interconnect_client/client_options.hpp"
#include "interconnect_client/client_timeline.hpp"
#include "interconnect_client/wayland_session.hpp"

namespace {

constexpr uint32_t kBufferCount = 3;
constexpr int kFeedbackWaitMs = 1000; // after the last commit, for outstanding feedback

int64_t now_ns() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

struct Client {
    zcd::ClientOptions opt;
    zcd::WaylandSession session;
    std::unique_ptr<zcd::BufferSource> source;
    zcd::ClientTimeline timeline{"zc-client"};
    uint64_t next_frame = 0;
    bool frame_due = true; // callback mode: the compositor asked for a frame
    zcd::wlc::FrameCallback frame_cb{[this] { frame_due = true; }};
    zcd::wlc::FeedbackSet feedback;
    uint64_t no_free_buffer = 0; // ticks skipped because every buffer was busy
};

void buffer_release(void* data, wl_buffer*) {
    static_cast<zcd::ClientBuffer*>(data)->busy = false;
}
const wl_buffer_listener kBufferListener = {buffer_release};

bool done_committing(const Client& c) {
    return c.opt.frames && c.next_frame >= c.opt.frames;
}

// Draws the next frame into a free buffer and commits it.  false when every
// buffer is still held by the compositor.
bool commit_frame(Client& c) {
    auto& bufs = c.source->buffers();
    size_t i = 0;
    while (i < bufs.size() && bufs[i].busy)
        ++i;
    if (i == bufs.size()) {
        ++c.no_free_buffer;
        return false;
    }
    c.source->begin_write(i);
    zcd::ClientBuffer& b = bufs[i];
    if (b.pixels)
        zcd::render_pattern(
            c.opt.pattern, c.next_frame,
            zcd::MutableImageView{b.pixels, c.opt.width, c.opt.height, b.stride_px});
    c.source->end_write(i);

    wl_surface* s = c.session.surface();
    wl_surface_attach(s, b.wl, 0, 0);
    wl_surface_damage_buffer(s, 0, 0, int32_t(c.opt.width), int32_t(c.opt.height));
    if (c.opt.fps == 0) {
        c.frame_cb.request(s);
        c.frame_due = false;
    }
    const int64_t t = now_ns();
    size_t index =
        c.timeline.on_commit(c.next_frame, t, c.opt.width, c.opt.height, c.source->drm_format(),
                             c.source->modifier(), c.source->is_dmabuf());
    if (c.session.presentation())
        c.feedback.request(
            c.session.presentation(), s, [&tl = c.timeline, index](const zcd::wlc::Presented* p) {
                if (p)
                    tl.on_presented(index, p->time_ns, p->refresh_ns, p->msc, p->flags);
                else
                    tl.on_discarded(index);
            });
    wl_surface_commit(s);
    b.busy = true;
    ++c.next_frame;
    return true;
}

// The end of the connection: a protocol error is a failure; the compositor
// going away is the normal end of a run without --frames.
int connection_ended(const Client& c) {
    if (wl_display_get_error(c.session.display()) != EPROTO && c.opt.frames == 0) {
        std::printf("zc-client: compositor went away\n");
        return 0;
    }
    std::fprintf(stderr, "zc-client: %s\n", c.session.connection_error().c_str());
    return 1;
}

int fail(const std::string& what) {
    std::fprintf(stderr, "zc-client: %s\n", what.c_str());
    return 1;
}

} // namespace

int main(int argc, char** argv) {
    Client c;
    std::string err;
    switch (zcd::parse_client_options(argc, argv, &c.opt, &err)) {
    case zcd::ParseOutcome::Help:
        std::fputs(zcd::client_usage(), stdout);
        return 0;
    case zcd::ParseOutcome::Error:
        std::fprintf(stderr, "zc-client: %s\n", err.c_str());
        return 2;
    case zcd::ParseOutcome::Run:
        break;
    }
    c.timeline = zcd::ClientTimeline(c.opt.title);

    if (!c.session.connect(&err))
        return fail(err);

    zcd::SourceConfig cfg;
    cfg.width = c.opt.width;
    cfg.height = c.opt.height;
    cfg.dev_root = c.opt.dev_root;
    cfg.gbm_device = c.opt.device;
    zcd::SourceChoice choice = zcd::choose_source(c.opt.source, cfg, c.session.offer());
    if (!choice.source)
        return fail(choice.rejected.empty() ? "no usable buffer source" : choice.rejected.back());
    for (const auto& why : choice.rejected)
        std::printf("zc-client: rejected %s\n", why.c_str());
    c.source = std::move(choice.source);
    if (!c.source->allocate(kBufferCount, &err))
        return fail(err);
    for (auto& b : c.source->buffers())
        wl_buffer_add_listener(b.wl, &kBufferListener, &b);
    std::printf("zc-client: source %s (%ux%u XRGB8888, modifier 0x%llx, %u buffers), pattern %s, "
                "%s\n",
                c.source->name(), c.opt.width, c.opt.height,
                static_cast<unsigned long long>(c.source->modifier()), kBufferCount,
                zcd::to_string(c.opt.pattern).c_str(),
                c.opt.fps ? ("--fps " + std::to_string(c.opt.fps)).c_str() : "frame callbacks");
    std::fflush(stdout);

    if (c.session.presentation() && c.session.presentation_clock() != CLOCK_MONOTONIC)
        std::printf("zc-client: presentation clock is %u, not CLOCK_MONOTONIC: present times are "
                    "not comparable with commit times\n",
                    c.session.presentation_clock());
    if (!c.session.create_window(c.opt.title, &err))
        return fail(err);

    int timer = -1;
    if (c.opt.fps) {
        timer = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
        itimerspec its{};
        its.it_interval.tv_nsec = 1000000000L / c.opt.fps;
        its.it_value.tv_nsec = 1;
        timerfd_settime(timer, 0, &its, nullptr);
    }

    // SIGINT/SIGTERM end the run like a closed window, so the summary and
    // --trace are still written.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    sigprocmask(SIG_BLOCK, &stop_signals, nullptr);
    int sigfd = signalfd(-1, &stop_signals, SFD_CLOEXEC | SFD_NONBLOCK);
    bool stopped = false;

    wl_display* dpy = c.session.display();
    int64_t drain_deadline = 0;
    int rc = 0;
    for (;;) {
        if (c.opt.fps == 0 && c.frame_due && !done_committing(c) && !c.session.closed())
            commit_frame(c);
        if (stopped)
            break;
        if (done_committing(c) || c.session.closed()) {
            // Wait for the feedback of what is still on its way, then stop.
            if (!drain_deadline)
                drain_deadline = now_ns() + int64_t(kFeedbackWaitMs) * 1000000;
            if (c.timeline.pending() == 0 || now_ns() >= drain_deadline ||
                !c.session.presentation())
                break;
        }
        if (wl_display_flush(dpy) < 0 && errno != EAGAIN) {
            rc = connection_ended(c);
            break;
        }
        pollfd fds[3] = {
            {wl_display_get_fd(dpy), POLLIN, 0}, {sigfd, POLLIN, 0}, {timer, POLLIN, 0}};
        int timeout = drain_deadline ? 50 : -1;
        if (poll(fds, timer >= 0 ? 3 : 2, timeout) < 0 && errno != EINTR) {
            rc = fail(std::string("poll: ") + std::strerror(errno));
            break;
        }
        if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
            if (wl_display_dispatch(dpy) < 0) {
                rc = connection_ended(c);
                break;
            }
        } else if (wl_display_dispatch_pending(dpy) < 0) {
            rc = connection_ended(c);
            break;
        }
        if (fds[1].revents & POLLIN)
            stopped = true;
        if (timer >= 0 && (fds[2].revents & POLLIN)) {
            uint64_t ticks = 0;
            if (read(timer, &ticks, sizeof ticks) == sizeof ticks && !done_committing(c) &&
                !c.session.closed())
                commit_frame(c);
        }
    }
    if (timer >= 0)
        close(timer);
    if (sigfd >= 0)
        close(sigfd);

    std::printf("zc-client: %llu frames committed, %llu presented (%llu zero-copy), %llu "
                "discarded, %llu without feedback; source %s%s\n",
                static_cast<unsigned long long>(c.timeline.committed()),
                static_cast<unsigned long long>(c.timeline.presented()),
                static_cast<unsigned long long>(c.timeline.zero_copy()),
                static_cast<unsigned long long>(c.timeline.discarded()),
                static_cast<unsigned long long>(c.timeline.pending()), c.source->name(),
                c.session.presentation() ? "" : " (compositor has no wp_presentation)");
    if (c.no_free_buffer)
        std::printf("zc-client: %llu --fps ticks skipped: all buffers held by the compositor\n",
                    static_cast<unsigned long long>(c.no_free_buffer));
    if (!c.opt.trace.empty() && !zcd::export_chrome_trace(c.timeline.timeline(), c.opt.trace, &err))
        return fail(err);
    return rc;
}
