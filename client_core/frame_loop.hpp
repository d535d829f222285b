// The frame loop's pieces: dispatching with a timeout (a compositor that
// stops sending events must make a client fail with a message, not hang),
// wl_surface.frame callbacks, and wp_presentation feedback per commit.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <unordered_set>

struct wl_display;
struct wl_surface;
struct wl_callback;
struct wp_presentation;

namespace zcd::wlc {

// Flushes, waits up to timeout_ms (< 0: without limit) for events and
// dispatches them.  -1: the connection is gone; 0: nothing arrived (timeout,
// or a signal interrupted the wait); > 0: woke up with events.
int dispatch_timeout(wl_display* d, int timeout_ms);

// Milliseconds from now to `deadline`, 0 when it has passed.
int ms_until(std::chrono::steady_clock::time_point deadline);

// At most one outstanding wl_surface.frame callback; `on_done` runs when the
// compositor says it is a good time to draw the next frame.
class FrameCallback {
  public:
    explicit FrameCallback(std::function<void()> on_done = {}) : on_done_(std::move(on_done)) {}
    FrameCallback(const FrameCallback&) = delete;
    FrameCallback& operator=(const FrameCallback&) = delete;
    ~FrameCallback();

    void set_on_done(std::function<void()> f) { on_done_ = std::move(f); }
    // Requests the callback for the next commit of `s` (replaces a pending one).
    void request(wl_surface* s);
    bool pending() const { return cb_ != nullptr; }

    void on_done(); // the C listener calls it

  private:
    wl_callback* cb_ = nullptr;
    std::function<void()> on_done_;
};

// What wp_presentation_feedback.presented says about one commit.
struct Presented {
    int64_t time_ns = 0;     // on the compositor's presentation clock
    uint32_t refresh_ns = 0; // 0 if unknown
    uint64_t msc = 0;
    uint32_t flags = 0; // wp_presentation_feedback.kind bits
};

// Called once per commit: `p` is the presentation, or null when the
// commit was discarded (replaced before it was shown).
using FeedbackHandler = std::function<void(const Presented* p)>;

// The wp_presentation_feedback objects a client has asked for and not yet
// heard back on.  Those still pending when it is destroyed are destroyed
// with it (before the connection goes: declare it after the Connection).
class FeedbackSet {
  public:
    FeedbackSet() = default;
    FeedbackSet(const FeedbackSet&) = delete;
    FeedbackSet& operator=(const FeedbackSet&) = delete;
    ~FeedbackSet();

    // Asks for feedback on the next commit of `s`; `handler` runs once.
    void request(wp_presentation* presentation, wl_surface* s, FeedbackHandler handler);
    size_t pending() const { return pending_.size(); }

    struct Entry;                                 // one outstanding feedback object
    void on_answer(Entry* e, const Presented* p); // the C listeners call it

  private:
    std::unordered_set<Entry*> pending_;
};

} // namespace zcd::wlc
