// Headless outputs: frames on the refresh grid, not on wlroots' frame timer.
//
// wlroots 0.15's headless backend (backend/headless/output.c) sends a frame
// event from a wl_event_loop timer of 1000000 / refresh-in-mHz *whole*
// milliseconds (16 at 60 Hz), and arms that timer again only after the frame
// event's handlers have returned.  Rendering inside the handler therefore
// made every frame 16 ms plus the handler's time: 1.7 ms of composition held
// the demo at 56 fps, well under the 60 Hz the output claims.
//
// So on a headless output the frame event does not render.  It only makes
// sure a render is scheduled on the output's true refresh grid -- absolute
// CLOCK_MONOTONIC deadlines t0 + k * period (period = 10^12 / refresh mHz
// ns, t0 the first frame event) on a timerfd, which has the nanosecond
// precision wl_event_source_timer_update's milliseconds lack -- and returns
// at once, so the backend's 16 ms timer runs freely.  A frame event that
// comes while a render is scheduled is absorbed.  Each render schedules the
// next grid deadline after it (deadlines a stall let pass are skipped: one
// frame per period, never a burst of catch-up frames).
//
// The one thing the frame event still gates: wlroots refuses to commit a
// buffer while a frame is pending (wlr_output::frame_pending, set by every
// buffer commit, cleared by the next frame event, wlr_output_send_frame).
// The frame events come every 16 ms and drift 0.67 ms per period against the
// grid, so usually one has cleared it before the next deadline; when none
// has yet (the render took longer than that drift and the event fell just
// before the commit) the deadline waits for the event and renders right
// after it, less than a frame's composition time late, and the next frames
// return to the grid.  That is a present a little late, never a missed
// vblank (docs/metrics.md: an interval over 1.5 periods).
//
// DRM, Wayland and X11 outputs keep rendering in their frame event: theirs
// follows the display's real vblank (or the host compositor's frame
// callback).  Everything else a frame does -- frame callbacks to clients,
// presentation feedback, direct scanout, captures, the timeline -- is
// output_render_frame's, unchanged: only when it runs moves.
#include <sys/timerfd.h>
#include <unistd.h>

#include <cerrno>

#include "app/server.hpp"

namespace zcd::app {

struct FramePacer {
    Output* output = nullptr;
    int fd = -1;                       // timerfd, CLOCK_MONOTONIC
    wl_event_source* source = nullptr; // fd on the server's loop
    int64_t grid_origin_ns = 0;        // t0, the frame event that started the grid
    bool scheduled = false;            // a render is armed on the grid
    bool waiting_for_frame = false;    // a deadline passed while a frame was pending
};

namespace {

constexpr int64_t kPsPerS = 1000000000000; // ns * refresh-in-mHz per grid step

int64_t refresh_mhz(const wlr_output* o) {
    // headless' own default for a mode without a refresh rate: 60 Hz
    return o->refresh > 0 ? o->refresh : 60000;
}

// The first grid deadline strictly after `now`; exact in integer
// nanoseconds (no period rounding accumulates over a long run).
int64_t next_deadline(const FramePacer& p, int64_t now) {
    const __int128 mhz = refresh_mhz(p.output->output);
    const __int128 k = (static_cast<__int128>(now - p.grid_origin_ns) * mhz) / kPsPerS + 1;
    return p.grid_origin_ns + static_cast<int64_t>(k * kPsPerS / mhz);
}

void arm_at(FramePacer& p, int64_t when_ns) {
    itimerspec spec{};
    // An absolute time already past expires at once; 0 would disarm.
    if (when_ns <= 0)
        when_ns = 1;
    spec.it_value.tv_sec = when_ns / 1000000000;
    spec.it_value.tv_nsec = when_ns % 1000000000;
    if (timerfd_settime(p.fd, TFD_TIMER_ABSTIME, &spec, nullptr) != 0) {
        // Cannot happen with a valid fd and time; fall back to the next
        // frame event rather than stopping the output for good.
        wlr_log_errno(WLR_ERROR, "zc-compositor: %s: cannot arm the frame timer",
                      p.output->output->name);
        p.scheduled = false;
        return;
    }
    p.scheduled = true;
}

int handle_deadline(int fd, uint32_t /*mask*/, void* data) {
    auto& p = *static_cast<FramePacer*>(data);
    uint64_t expirations = 0;
    if (read(fd, &expirations, sizeof expirations) < 0 && errno == EAGAIN)
        return 0; // disarmed or re-armed since it became readable
    wlr_output* o = p.output->output;
    if (!o->enabled) {
        // No frames on a disabled output; the frame event after it is
        // enabled again starts a new grid.
        p.scheduled = false;
        p.grid_origin_ns = 0;
        return 0;
    }
    if (o->frame_pending) {
        // The commit would be refused: render when the frame event clears it.
        p.waiting_for_frame = true;
        return 0;
    }
    p.scheduled = false;
    output_render_frame(*p.output);
    // A frame may end the run (--frames) but never destroys the output.
    arm_at(p, next_deadline(p, now_ns()));
    return 0;
}

} // namespace

FramePacer* frame_pacer_create(Output& out) {
    if (!wlr_output_is_headless(out.output))
        return nullptr;
    auto* p = new FramePacer;
    p->output = &out;
    p->fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (p->fd >= 0)
        p->source =
            wl_event_loop_add_fd(out.server->loop, p->fd, WL_EVENT_READABLE, handle_deadline, p);
    if (!p->source) {
        wlr_log(WLR_ERROR, "zc-compositor: %s: no frame timer; frames follow the frame events",
                out.output->name);
        frame_pacer_destroy(p);
        return nullptr;
    }
    return p;
}

void frame_pacer_destroy(FramePacer* pacer) {
    if (!pacer)
        return;
    // A render still scheduled dies with its timer: nothing fires after this.
    if (pacer->source)
        wl_event_source_remove(pacer->source);
    if (pacer->fd >= 0)
        close(pacer->fd);
    delete pacer;
}

void frame_pacer_frame_event(FramePacer& p) {
    if (p.waiting_for_frame) {
        // The deadline has passed; render as soon as this handler returns
        // (not in it: the backend re-arms its timer after the handler).
        p.waiting_for_frame = false;
        arm_at(p, 0);
        return;
    }
    if (p.scheduled)
        return; // absorbed: the grid already has the next render
    // First frame event (or the first after the output was disabled): the
    // grid starts here, with a frame right away.
    p.grid_origin_ns = now_ns();
    arm_at(p, 0);
}

} // namespace zcd::app
