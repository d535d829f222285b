#include "tools/lib/stats_lines.hpp"

#include "common/trace_json.hpp"
#include "tools/lib/summary_text.hpp"

namespace zcd::tools {

StatsLineReader::Result StatsLineReader::feed(std::string_view bytes, size_t max_texts) {
    Result r;
    if (!error_.empty()) {
        r.error = error_;
        return r;
    }
    pending_.append(bytes);
    size_t start = 0, nl;
    while ((max_texts == 0 || r.texts.size() < max_texts) &&
           (nl = pending_.find('\n', start)) != std::string::npos) {
        std::string_view line(pending_.data() + start, nl - start);
        start = nl + 1;
        ++line_no_;
        if (line.empty())
            continue;
        auto parsed = json::parse(line);
        if (!parsed.value) {
            error_ = "line " + std::to_string(line_no_) + ": invalid JSON at " + parsed.error;
            break;
        }
        const json::Value* type = parsed.value->get("type");
        if (!type || !type->is_string() || type->string != "stats")
            continue; // other line types are for other readers
        const json::Value* version = parsed.value->get("version");
        if (!version || !version->integer || *version->integer != 1) {
            error_ = "line " + std::to_string(line_no_) + ": unsupported stats version";
            break;
        }
        r.texts.push_back(format_summary_text(*parsed.value));
    }
    pending_.erase(0, start);
    if (error_.empty() && pending_.size() > kMaxLineBytes)
        error_ = "line " + std::to_string(line_no_ + 1) + " longer than 16 MiB";
    r.error = error_;
    return r;
}

} // namespace zcd::tools
