#include "tools/lib/stat_input.hpp"

#include "common/trace_export.hpp"
#include "common/trace_import.hpp"

namespace zcd::tools {

std::optional<StatInput> load_stat_input(const std::string& text, std::string* error) {
    auto parsed = json::parse(text);
    if (!parsed.value) {
        *error = "invalid JSON at " + parsed.error;
        return std::nullopt;
    }
    const json::Value& root = *parsed.value;
    const json::Value* format = root.get("format");
    if (format && format->is_string() && format->string == kSummaryFormat) {
        const json::Value* outputs = root.get("outputs");
        const json::Value* clients = root.get("clients");
        if (!outputs || !outputs->is_array() || !clients || !clients->is_array()) {
            *error = "summary without \"outputs\" and \"clients\" arrays";
            return std::nullopt;
        }
        return StatInput{std::nullopt, root};
    }
    auto imported = import_chrome_trace(root);
    if (!imported.timeline) {
        *error = imported.error;
        return std::nullopt;
    }
    StatInput in;
    auto summary = json::parse(to_summary_json(*imported.timeline));
    in.summary = std::move(*summary.value); // our own writer's output always parses
    in.timeline = std::move(imported.timeline);
    return in;
}

} // namespace zcd::tools
