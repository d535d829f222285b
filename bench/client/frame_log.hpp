// What zc-bench-client saw of its own frames: when each was committed and,
// from wp_presentation feedback, when (and whether) it reached the screen.
// Pure: no Wayland here, so the bench harness and a unit test can trust the
// file format without a compositor.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace zcd::bench {

struct FrameRecord {
    uint64_t frame = 0;     // client frame number, from 1
    int64_t commit_ns = 0;  // wl_surface.commit sent, on the presentation clock
    bool presented = false; // feedback said "presented"
    bool discarded = false; // feedback said "discarded" (replaced before shown)
    int64_t present_ns = 0; // presentation timestamp (0 unless presented)
    int64_t refresh_ns = 0; // output refresh period the compositor reported, 0 if unknown
    uint64_t msc = 0;       // presentation sequence counter
    uint32_t flags = 0;     // wp_presentation_feedback.kind bits
    // wl_surface.frame "done" for the callback requested with this commit,
    // on the same clock as commit_ns; 0 if it never came.  Counted for every
    // compositor: sway 1.7 on wlroots 0.15's headless backend never sends
    // presentation feedback, so "done" is the count all three share.
    int64_t done_ns = 0;
};

struct FrameLog {
    uint32_t clock_id = 0; // clockid_t the compositor announced
    uint32_t width = 0, height = 0;
    // CLOCK_MONOTONIC minus the presentation clock, sampled when the log is
    // written, so a reader can put these times on CLOCK_MONOTONIC (weston
    // announces CLOCK_MONOTONIC_RAW; over a short run the two do not drift
    // apart measurably).
    int64_t monotonic_minus_clock_ns = 0;
    std::string compositor_hint; // free text for the reader (e.g. $WAYLAND_DISPLAY)
    std::vector<FrameRecord> frames;
};

// The log as one JSON object (schema in docs/performance.md, "zc-bench-client log").
std::string to_json(const FrameLog& log);

} // namespace zcd::bench
