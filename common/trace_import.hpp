// Reads a Chrome trace-event JSON written by common/trace_export back into a
// Timeline (the "zcd.frame" and "zcd.commit" events carry whole records).
// Malformed input gives one error line with its position; never a crash.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/timeline.hpp"

namespace zcd {

struct TraceImportResult {
    std::optional<Timeline> timeline;
    std::string error; // one line, empty on success
};

TraceImportResult import_chrome_trace(std::string_view json_text);

namespace json {
struct Value;
}
// The same from an already parsed document (saves a second parse when the
// caller had to look at the JSON first).
TraceImportResult import_chrome_trace(const json::Value& root);

// Reads a whole file; error "cannot read PATH: reason" on failure.
bool read_text_file(const std::string& path, std::string* content, std::string* error);

} // namespace zcd
