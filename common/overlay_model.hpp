// What the on-screen overlay shows: a plain snapshot the compositor fills
// every frame and the renderer's overlay only draws (renderer/overlay*).
// Pure data, no wlroots/Vulkan.  Names follow docs/metrics.md: FPS is output
// frames presented per second, UPS is new client buffers shown per second --
// never mix them.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "common/import_path.hpp"
#include "common/scanout_path.hpp"

namespace zcd {

struct OverlayOutput {
    std::string name; // wlr_output name, e.g. "HEADLESS-1"
    double fps = 0.0; // presented frames per second
    uint64_t missed_vblanks = 0;
    uint64_t stalls = 0; // frames later than one refresh period
};

struct OverlayClient {
    std::string name; // app_id/title, "" if none
    double ups = 0.0; // new buffers shown per second
    ImportPath last_path = ImportPath::ShmCopy;
    FallbackReason last_reason = FallbackReason::None;
    bool has_buffer = false; // false: nothing shown yet (last_* meaningless)
};

struct OverlayLatency {
    // commit-to-present, milliseconds; valid = at least one presented commit
    bool valid = false;
    double p50_ms = 0, p95_ms = 0, p99_ms = 0, max_ms = 0;
};

struct OverlayInterconnect {
    bool available = false; // false: no reader / host agent: the row is hidden
    std::string source;     // e.g. "guest debugfs", "host agent"
    uint64_t interconnect_maps = 0;
    uint64_t fallbacks = 0;
    uint64_t rejected_ranges = 0;
};

// The panel's width in output pixels: fixed, so that the layout can keep a
// strip of the output free for it (long lines wrap instead of widening it).
inline constexpr int32_t kOverlayPanelWidth = 320;

struct OverlayModel {
    // Where the compositor placed the panel (top-left, output pixels): where
    // no window is.  -1: not placed yet, top-right corner.
    int32_t x = -1, y = -1;
    // Bumped by the compositor whenever the numbers below change; the
    // renderer rebuilds the panel only then and reuses it otherwise.
    uint64_t version = 0;
    std::string title = "zc-compositor";
    std::string device; // renderer device name
    std::vector<OverlayOutput> outputs;
    std::vector<OverlayClient> clients;

    // Output frame times (MsBetweenPresents) of the focused output, oldest first.
    std::vector<float> frame_time_ms;
    double frame_time_min_ms = 0, frame_time_avg_ms = 0, frame_time_max_ms = 0;

    OverlayLatency commit_to_present;

    std::array<uint64_t, kImportPathCount> path_counts{};
    std::array<uint64_t, kFallbackReasonCount> fallback_counts{};
    double mb_per_s_copied = 0.0;    // MB (1e6 bytes) per second copied
    double mb_per_s_zero_copy = 0.0; // MB per second shown without a copy
    // The output hop: presented frames per scanout path (run totals), and
    // MB per second the output hop copied (last second).
    std::array<uint64_t, kScanoutPathCount> scanout_counts{};
    double mb_per_s_scanout_copied = 0.0;

    OverlayInterconnect guest; // the guest kernel's counters
    OverlayInterconnect host;  // the host's, forwarded by the host agent

    // The overlay's own cost in the previous frame (the renderer measures it;
    // the compositor copies last_overlay_cost() here to display it).
    double overlay_cpu_ms = 0.0;
    double overlay_gpu_ms = 0.0;
};

} // namespace zcd
