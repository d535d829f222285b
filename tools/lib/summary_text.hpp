// The text zc-stat prints for a summary (and, refreshed, for each live stats
// line): per output and per client, the metrics of docs/metrics.md by name.
#pragma once

#include <string>

#include "common/trace_json.hpp"

namespace zcd::tools {

// `summary` is a summary JSON object or a stats-socket line; missing values
// print as "-" rather than failing (an older producer may lack a metric).
std::string format_summary_text(const json::Value& summary);

} // namespace zcd::tools
