// The --stats-json document (schema: docs/stats-json.md).  Pure: built from
// the Accounting and a few run facts, so its shape is unit-tested.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "app/accounting.hpp"

namespace zcd::app {

struct RunFacts {
    std::string backend;  // "headless", "wayland", ...
    std::string renderer; // "vulkan" or "pixman"
    std::string device;   // Vulkan device name, "" for pixman
    std::string force_path = "auto";
    double duration_s = 0;
    uint64_t validation_errors = 0;
    bool validation_enabled = false;
    uint64_t import_failures = 0;             // buffers that got no texture at all
    std::string last_import_failure = "none"; // reason of the last of them
    std::vector<std::string> captures;        // file names written into --capture DIR
    bool overlay_shown = false;               // the overlay was drawn at least once
    int32_t overlay_x = 0, overlay_y = 0, overlay_w = 0, overlay_h = 0; // its last rectangle
};

std::string stats_json(const Accounting& accounting, const RunFacts& facts);

// JSON string literal for s (quotes included), escaping per RFC 8259.
std::string json_quote(const std::string& s);

} // namespace zcd::app
