// What zc-stat reads: a zcdisplay trace (Chrome trace JSON, which also gives
// a timeline to plot) or a summary JSON (from --summary or zc-stat --json).
// Either way the result carries the summary as a JSON value, so text output,
// diffs and the live view work on one shape.
#pragma once

#include <optional>
#include <string>

#include "common/timeline.hpp"
#include "common/trace_json.hpp"

namespace zcd::tools {

struct StatInput {
    std::optional<Timeline> timeline; // only for traces
    json::Value summary;              // summary JSON object
};

// On failure returns nullopt and sets *error to one line (without the path).
std::optional<StatInput> load_stat_input(const std::string& text, std::string* error);

} // namespace zcd::tools
