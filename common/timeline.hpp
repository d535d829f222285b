// The frame timeline: what happened to every client commit and every output
// frame, on CLOCK_MONOTONIC nanoseconds.  Filled by zc-compositor (and, for
// its own commits, by zc-client); exported to Chrome trace JSON, CSV and a
// summary by common/trace_*; read back by zc-stat.  Every field's meaning is
// defined in docs/metrics.md -- change both together.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/import_path.hpp"
#include "common/scanout_path.hpp"

namespace zcd {

// Presentation feedback flags, bit-identical to wp_presentation_feedback.kind.
enum PresentFlags : uint32_t {
    kPresentVsync = 0x1,
    kPresentHwClock = 0x2,
    kPresentHwCompletion = 0x4,
    kPresentZeroCopy = 0x8,
};

// One buffer a client committed.  Times are 0 when the event did not happen.
struct CommitRecord {
    uint64_t commit_id = 0;       // unique within the run, from 1
    uint32_t client_id = 0;       // stable per client within the run, from 1
    std::string client_name;      // app_id or title, "" if none
    int64_t commit_ns = 0;        // wl_surface.commit received (or sent, client side)
    int64_t import_begin_ns = 0;  // renderer started making the buffer sampleable
    int64_t import_end_ns = 0;    // ... and finished
    ImportPath path = ImportPath::ShmCopy;
    FallbackReason reason = FallbackReason::None;
    uint64_t bytes_copied = 0;
    uint64_t bytes_zero_copy = 0;
    uint32_t width = 0, height = 0;
    uint32_t drm_format = 0;      // DRM fourcc
    uint64_t modifier = 0;        // DRM format modifier (0 = linear)
    // Presentation of this commit: first output frame that showed it.
    bool presented = false;       // false: replaced before shown, or "discarded"
    bool discarded = false;       // presentation feedback said "discarded" (zc-client fills it)
    uint64_t output_seq = 0;      // OutputFrameRecord::output_seq that showed it
    int64_t present_ns = 0;       // presentation timestamp of that frame
    uint32_t present_flags = 0;   // PresentFlags as sent to the client
    int64_t refresh_ns = 0;       // output refresh period, 0 if unknown
    uint64_t msc = 0;             // presentation sequence (vblank counter)
};

// One frame the compositor composed for one output.
struct OutputFrameRecord {
    uint64_t output_seq = 0;          // per output, from 1
    std::string output_name;          // wlr_output name, e.g. "HEADLESS-1"
    int64_t composite_cpu_begin_ns = 0; // frame event handling started
    int64_t composite_cpu_end_ns = 0;   // commit to the output returned
    int64_t gpu_begin_ns = 0;         // GPU timestamp, top of pipe
    int64_t gpu_end_ns = 0;           // GPU timestamp, bottom of pipe
    bool gpu_on_monotonic = false;    // GPU times calibrated to CLOCK_MONOTONIC
    int64_t overlay_cpu_ns = 0;       // CPU time spent building/recording the overlay
    int64_t overlay_gpu_ns = 0;       // GPU time of the overlay pass
    bool presented = false;           // output present event with presented=true
    int64_t present_ns = 0;
    uint32_t present_flags = 0;
    int64_t refresh_ns = 0;
    uint64_t msc = 0;
    uint32_t commits_shown = 0;       // client commits first shown by this frame
    // The output hop (common/scanout_path.hpp).
    ScanoutPath scanout_path = ScanoutPath::ComposedCopy;
    ScanoutCopyReason scanout_reason = ScanoutCopyReason::Unclassified;
    DirectScanoutMiss direct_scanout_miss = DirectScanoutMiss::None;
    uint64_t scanout_bytes_copied = 0; // bytes the output hop copied
};

struct Timeline {
    std::string producer;             // "zc-compositor" or "zc-client"
    std::vector<CommitRecord> commits;
    std::vector<OutputFrameRecord> frames;
};

} // namespace zcd
