// The --stats-json document (schema: docs/stats-json.md).  Pure: built from
// the Accounting and a few run facts, so its shape is unit-tested.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "app/accounting.hpp"

namespace zcd::app {

// The kernel's interconnect counters, summed over interconnects.
struct KernelCounters {
    bool available = false; // a snapshot was read
    uint64_t maps = 0, fallbacks = 0, rejected_ranges = 0;
};

// A capture that includes the overlay, and where the overlay was in it.
struct CaptureOverlay {
    std::string capture;
    int32_t x = 0, y = 0, width = 0, height = 0;
};

struct RunFacts {
    std::string backend;  // "headless", "wayland", ...
    std::string renderer; // "vulkan" or "pixman"
    std::string device;   // Vulkan device name, "" for pixman
    std::string force_path = "auto";
    double duration_s = 0;
    uint64_t validation_errors = 0;
    bool validation_enabled = false;
    uint64_t import_failures = 0;                 // buffers that got no texture at all
    std::string last_import_failure = "none";     // reason of the last of them
    std::vector<CaptureOverlay> capture_overlays; // captures that show the overlay
    KernelCounters guest_kernel;                  // --kstat
    KernelCounters host_kernel;                   // --host-kstat
    std::vector<std::string> captures;            // file names written into --capture DIR
    bool overlay_shown = false;                   // the overlay was drawn at least once
    int32_t overlay_x = 0, overlay_y = 0, overlay_w = 0, overlay_h = 0; // its last rectangle
    uint64_t overlay_frames_covering = 0; // frames that drew it over a window (no free place)
    // KMS output buffers (app/output_allocator.cpp): "guest_dmabuf" or
    // "wlroots", and why not guest_dmabuf (app/guest_dmabuf.hpp's names).
    std::string output_buffers = "wlroots";
    std::string output_buffers_fallback = "not_kms";
};

std::string stats_json(const Accounting& accounting, const RunFacts& facts);

// JSON string literal for s (quotes included), escaping per RFC 8259.
std::string json_quote(const std::string& s);

} // namespace zcd::app
