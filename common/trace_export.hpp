// Writers for the frame timeline (docs/trace-format.md):
//   - Chrome trace-event JSON (opens in the Perfetto UI and chrome://tracing),
//   - CSV, one row per output frame and per client commit,
//   - summary JSON (the numbers zc-stat prints),
//   - one stats-socket line (docs/stats-socket.md).
// Pure: no I/O except write_text_file().  None of these throw (beyond
// std::bad_alloc), so they may be called from wlroots callbacks.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "common/stats_summary.hpp"
#include "common/timeline.hpp"

namespace zcd {

// Format identifiers written into every file, checked by the readers.
inline constexpr std::string_view kTraceFormat = "zcdisplay-trace";
inline constexpr std::string_view kSummaryFormat = "zcdisplay-summary";
inline constexpr std::string_view kStatsLineType = "stats";
inline constexpr int kTraceFormatVersion = 1;

std::string to_chrome_trace_json(const Timeline& timeline);

// Column names of the CSV header, in order (docs/trace-format.md lists them).
std::span<const std::string_view> csv_columns();
std::string to_csv(const Timeline& timeline);

std::string to_summary_json(const Summary& summary);
inline std::string to_summary_json(const Timeline& timeline) {
    return to_summary_json(summarize(timeline));
}

// One line for the stats socket: the summary of the last `window_s` seconds
// plus "type", "t_ns" and "window_s"; ends with '\n'.
std::string to_stats_line(const Summary& window_summary, int64_t now_ns, double window_s);

// Writes `content` to `path` (replacing it).  On failure returns false and
// sets *error to one line naming the path and the reason.
bool write_text_file(const std::string& path, std::string_view content, std::string* error);

// The three exports of --trace / --csv / --summary in one call each.
inline bool export_chrome_trace(const Timeline& t, const std::string& path, std::string* error) {
    return write_text_file(path, to_chrome_trace_json(t), error);
}
inline bool export_csv(const Timeline& t, const std::string& path, std::string* error) {
    return write_text_file(path, to_csv(t), error);
}
inline bool export_summary(const Timeline& t, const std::string& path, std::string* error) {
    return write_text_file(path, to_summary_json(t), error);
}

} // namespace zcd
