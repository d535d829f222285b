#include "tools/lib/summary_text.hpp"

#include <cstdio>

#include "common/trace_metrics.hpp"

namespace zcd::tools {

namespace {

std::string fmt(const json::Value* v, const char* spec = "%.3f") {
    if (!v || !v->is_number())
        return "-";
    char buf[48];
    std::snprintf(buf, sizeof buf, spec, v->number);
    return buf;
}

std::string pad(std::string s, size_t width) {
    if (s.size() < width)
        s.insert(0, width - s.size(), ' ');
    return s;
}

void distribution_header(std::string& out) {
    out += "  " + std::string("metric (ms)") + std::string(13, ' ');
    for (auto k : kStatKeys)
        out += pad(std::string(k), 10);
    out += "\n";
}

void distribution_rows(std::string& out, const json::Value& holder, MetricScope a, MetricScope b) {
    for (const auto& m : all_metrics()) {
        if ((m.scope != a && m.scope != b) || m.unit != "ms")
            continue;
        const json::Value* d = holder.get(m.name);
        if (!d || !d->is_object())
            continue;
        const json::Value* count = d->get("count");
        if (count && count->integer && *count->integer == 0)
            continue; // never measured: keep the table short
        std::string name(m.name);
        out += "  " + name + std::string(name.size() < 24 ? 24 - name.size() : 1, ' ');
        for (auto k : kStatKeys)
            out += pad(fmt(d->get(k), k == "count" ? "%.0f" : "%.3f"), 10);
        out += "\n";
    }
}

void scalar(std::string& out, const json::Value& holder, std::string_view name, const char* spec) {
    out += "  " + std::string(name) + " " + fmt(holder.get(name), spec);
}

// "  Name a 12.5% b 87.5%": the non-zero shares of an object of ratios.
void shares(std::string& out, const json::Value& holder, std::string_view name) {
    out += "\n  " + std::string(name);
    if (const json::Value* obj = holder.get(name); obj && obj->is_object())
        for (const auto& [key, v] : *obj->object)
            if (v.is_number() && v.number > 0) {
                char buf[32];
                std::snprintf(buf, sizeof buf, " %.1f%%", v.number * 100);
                out += " " + key + buf;
            }
}

// "  Name a 3 b 1", or "  Name none": the non-zero counts of an object.
void counts(std::string& out, const json::Value& holder, std::string_view name) {
    out += "\n  " + std::string(name);
    bool any = false;
    if (const json::Value* obj = holder.get(name); obj && obj->is_object())
        for (const auto& [key, v] : *obj->object)
            if (v.is_number() && v.number > 0) {
                out += " " + key + " " + fmt(&v, "%.0f");
                any = true;
            }
    if (!any)
        out += " none";
}

} // namespace

std::string format_summary_text(const json::Value& s) {
    std::string out;
    const json::Value* producer = s.get("producer");
    const json::Value* b = s.get("begin_ns");
    const json::Value* e = s.get("end_ns");
    out += "producer " + (producer && producer->is_string() ? producer->string : std::string("?"));
    if (b && e && b->is_number() && e->is_number()) {
        char buf[64];
        std::snprintf(buf, sizeof buf, ", %.3f s of timeline", (e->number - b->number) / 1e9);
        out += buf;
    }
    if (const json::Value* w = s.get("window_s"); w && w->is_number())
        out += ", window " + fmt(w, "%.1f") + " s";
    out += " (CLOCK_MONOTONIC; definitions: docs/metrics.md)\n";

    const json::Value* outputs = s.get("outputs");
    if (outputs && outputs->is_array()) {
        for (const auto& o : *outputs->array) {
            const json::Value* name = o.get("name");
            out += "\noutput " + (name && name->is_string() ? name->string : std::string("?")) +
                   "  refresh " + fmt(o.get("refresh_ms")) + " ms\n";
            scalar(out, o, metric::kFpsOutput, "%.2f");
            scalar(out, o, metric::kFpsLow1Pct, "%.2f");
            scalar(out, o, metric::kFramesPresented, "%.0f");
            scalar(out, o, metric::kMissedVblanks, "%.0f");
            scalar(out, o, metric::kCvBetweenPresents, "%.4f");
            out += "\n";
            scalar(out, o, metric::kMBpsScanoutCopied, "%.2f");
            shares(out, o, metric::kScanoutShare);
            counts(out, o, metric::kScanoutCopyReasons);
            counts(out, o, metric::kDirectScanoutMisses);
            out += "\n";
            distribution_header(out);
            distribution_rows(out, o, MetricScope::OutputFrame, MetricScope::Output);
        }
    }
    const json::Value* clients = s.get("clients");
    if (clients && clients->is_array()) {
        for (const auto& c : *clients->array) {
            const json::Value* name = c.get("name");
            out += "\nclient " + fmt(c.get("id"), "%.0f");
            if (name && name->is_string() && !name->string.empty())
                out += " (" + name->string + ")";
            out += "\n";
            scalar(out, c, metric::kUpsClient, "%.2f");
            scalar(out, c, metric::kCommits, "%.0f");
            scalar(out, c, metric::kCommitsDiscarded, "%.0f");
            scalar(out, c, metric::kStalls, "%.0f");
            scalar(out, c, metric::kCvBetweenDisplayed, "%.4f");
            out += "\n";
            scalar(out, c, metric::kMBpsCopied, "%.2f");
            scalar(out, c, metric::kMBpsZeroCopy, "%.2f");
            shares(out, c, metric::kPathShare);
            counts(out, c, metric::kFallbacks);
            out += "\n";
            distribution_header(out);
            distribution_rows(out, c, MetricScope::Commit, MetricScope::Client);
        }
    }
    return out;
}

} // namespace zcd::tools
