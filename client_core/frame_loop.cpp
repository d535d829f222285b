#include "client_core/frame_loop.hpp"

#include <cerrno>
#include <poll.h>

#include <wayland-client.h>

#include "presentation-time-client-protocol.h"

namespace zcd::wlc {

int dispatch_timeout(wl_display* d, int timeout_ms) {
    while (wl_display_prepare_read(d) != 0)
        if (wl_display_dispatch_pending(d) < 0)
            return -1;
    if (wl_display_flush(d) < 0 && errno != EAGAIN) {
        wl_display_cancel_read(d);
        return -1;
    }
    pollfd p{wl_display_get_fd(d), POLLIN, 0};
    const int r = poll(&p, 1, timeout_ms);
    if (r <= 0) {
        const bool interrupted = r < 0 && errno == EINTR;
        wl_display_cancel_read(d);
        return r == 0 || interrupted ? 0 : -1;
    }
    if (wl_display_read_events(d) < 0)
        return -1;
    const int n = wl_display_dispatch_pending(d);
    return n < 0 ? -1 : n + 1; // woke up: progress even with 0 events
}

int ms_until(std::chrono::steady_clock::time_point deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    return left.count() > 0 ? static_cast<int>(left.count()) : 0;
}

namespace {

void frame_done(void* data, wl_callback*, uint32_t) {
    static_cast<FrameCallback*>(data)->on_done();
}
const wl_callback_listener kFrameListener = {frame_done};

void fb_sync_output(void*, struct wp_presentation_feedback*, wl_output*) {}
void fb_presented(void* data, struct wp_presentation_feedback*, uint32_t sec_hi, uint32_t sec_lo,
                  uint32_t nsec, uint32_t refresh, uint32_t seq_hi, uint32_t seq_lo,
                  uint32_t flags);
void fb_discarded(void* data, struct wp_presentation_feedback*);
const wp_presentation_feedback_listener kFeedbackListener = {fb_sync_output, fb_presented,
                                                             fb_discarded};

} // namespace

FrameCallback::~FrameCallback() {
    if (cb_)
        wl_callback_destroy(cb_);
}

void FrameCallback::request(wl_surface* s) {
    if (cb_)
        wl_callback_destroy(cb_);
    cb_ = wl_surface_frame(s);
    wl_callback_add_listener(cb_, &kFrameListener, this);
}

void FrameCallback::on_done() {
    wl_callback_destroy(cb_);
    cb_ = nullptr;
    if (on_done_)
        on_done_();
}

struct FeedbackSet::Entry {
    FeedbackSet* set;
    struct wp_presentation_feedback* fb;
    FeedbackHandler handler;
};

namespace {

void fb_presented(void* data, struct wp_presentation_feedback*, uint32_t sec_hi, uint32_t sec_lo,
                  uint32_t nsec, uint32_t refresh, uint32_t seq_hi, uint32_t seq_lo,
                  uint32_t flags) {
    auto* e = static_cast<FeedbackSet::Entry*>(data);
    Presented p;
    p.time_ns = static_cast<int64_t>((uint64_t{sec_hi} << 32 | sec_lo) * 1000000000ull + nsec);
    p.refresh_ns = refresh;
    p.msc = uint64_t{seq_hi} << 32 | seq_lo;
    p.flags = flags;
    e->set->on_answer(e, &p);
}

void fb_discarded(void* data, struct wp_presentation_feedback*) {
    auto* e = static_cast<FeedbackSet::Entry*>(data);
    e->set->on_answer(e, nullptr);
}

} // namespace

FeedbackSet::~FeedbackSet() {
    for (Entry* e : pending_) {
        wp_presentation_feedback_destroy(e->fb);
        delete e;
    }
}

void FeedbackSet::request(wp_presentation* presentation, wl_surface* s, FeedbackHandler handler) {
    auto* e = new Entry{this, wp_presentation_feedback(presentation, s), std::move(handler)};
    wp_presentation_feedback_add_listener(e->fb, &kFeedbackListener, e);
    pending_.insert(e);
}

void FeedbackSet::on_answer(Entry* e, const Presented* p) {
    // Forget it first: the handler may ask for more feedback.
    std::unique_ptr<Entry> owned(e);
    pending_.erase(e);
    wp_presentation_feedback_destroy(e->fb);
    if (owned->handler)
        owned->handler(p);
}

} // namespace zcd::wlc
