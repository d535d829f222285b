#include "tools/lib/summary_diff.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

namespace zcd::tools {

namespace {

void leaves(const json::Value& v, const std::string& prefix, std::vector<FlatMetric>& out) {
    if (v.is_number()) {
        out.push_back({prefix, v.number});
    } else if (v.is_object()) {
        for (const auto& [k, child] : *v.object)
            leaves(child, prefix.empty() ? k : prefix + "." + k, out);
    }
}

} // namespace

std::vector<FlatMetric> flatten_summary(const json::Value& s) {
    std::vector<FlatMetric> out;
    for (const char* group : {"outputs", "clients"}) {
        const json::Value* list = s.get(group);
        if (!list || !list->is_array())
            continue;
        for (const auto& item : *list->array) {
            if (!item.is_object())
                continue;
            std::string label;
            if (group[0] == 'o') {
                const json::Value* n = item.get("name");
                label = "output " + (n && n->is_string() ? n->string : std::string("?"));
            } else {
                const json::Value* id = item.get("id");
                label = "client " +
                        (id && id->integer ? std::to_string(*id->integer) : std::string("?"));
            }
            for (const auto& [k, child] : *item.object) {
                if (k == "id" || k == "name")
                    continue;
                std::vector<FlatMetric> sub;
                leaves(child, k, sub);
                for (auto& m : sub)
                    out.push_back({label + " " + m.key, m.value});
            }
        }
    }
    return out;
}

std::vector<MetricChange> diff_summaries(const json::Value& a, const json::Value& b,
                                         double threshold_pct) {
    std::map<std::string, MetricChange> by_key;
    for (const auto& m : flatten_summary(a)) {
        auto& c = by_key[m.key];
        c.key = m.key;
        c.a = m.value;
        c.in_b = false;
    }
    for (const auto& m : flatten_summary(b)) {
        auto it = by_key.find(m.key);
        if (it == by_key.end()) {
            auto& c = by_key[m.key];
            c.key = m.key;
            c.in_a = false;
            c.b = m.value;
        } else {
            it->second.in_b = true;
            it->second.b = m.value;
        }
    }
    std::vector<MetricChange> out;
    for (auto& [k, c] : by_key) {
        if (!c.in_a || !c.in_b) {
            c.moved = true;
        } else {
            // Below kZero a value is rounding noise (e.g. the CV of a perfectly
            // steady run), not a base to divide by.
            constexpr double kZero = 1e-9;
            if (std::fabs(c.a) < kZero)
                c.a = 0;
            if (std::fabs(c.b) < kZero)
                c.b = 0;
            c.delta = c.b - c.a;
            if (c.a != 0) {
                c.relative_pct = 100.0 * c.delta / std::fabs(c.a);
                c.moved = std::fabs(c.relative_pct) > threshold_pct;
            } else {
                c.moved = c.b != 0;
            }
        }
        out.push_back(c);
    }
    std::stable_sort(out.begin(), out.end(), [](const MetricChange& x, const MetricChange& y) {
        if (x.moved != y.moved)
            return x.moved;
        auto weight = [](const MetricChange& c) -> double {
            if (!c.in_a || !c.in_b || (c.a == 0 && c.b != 0))
                return HUGE_VAL;
            return std::fabs(c.relative_pct);
        };
        return weight(x) > weight(y);
    });
    return out;
}

std::string format_diff_text(const std::vector<MetricChange>& changes, double threshold_pct,
                             bool show_all) {
    std::string out;
    size_t moved = 0;
    for (const auto& c : changes)
        moved += c.moved;
    char buf[512];
    std::snprintf(buf, sizeof buf, "%zu of %zu metrics moved by more than %.1f%%\n", moved,
                  changes.size(), threshold_pct);
    out += buf;
    if (moved == 0 && !show_all)
        return out;
    std::snprintf(buf, sizeof buf, "%-56s %14s %14s %14s %9s\n", "metric", "A", "B", "B-A",
                  "change");
    out += buf;
    for (const auto& c : changes) {
        if (!c.moved && !show_all)
            continue;
        if (!c.in_a || !c.in_b) {
            std::snprintf(buf, sizeof buf, "%-56s %14s %14s %14s %9s\n", c.key.c_str(),
                          c.in_a ? std::to_string(c.a).c_str() : "-",
                          c.in_b ? std::to_string(c.b).c_str() : "-", "", c.in_a ? "gone" : "new");
        } else if (c.a == 0) {
            std::snprintf(buf, sizeof buf, "%-56s %14.4g %14.4g %+14.4g %9s\n", c.key.c_str(), c.a,
                          c.b, c.delta, c.b == 0 ? "=" : "from 0");
        } else {
            std::snprintf(buf, sizeof buf, "%-56s %14.4g %14.4g %+14.4g %+8.1f%%\n", c.key.c_str(),
                          c.a, c.b, c.delta, c.relative_pct);
        }
        out += buf;
    }
    return out;
}

std::string format_diff_json(const std::vector<MetricChange>& changes, double threshold_pct) {
    json::Builder b;
    b.begin_object();
    b.key("threshold_pct").value(threshold_pct);
    b.key("metrics").begin_array();
    for (const auto& c : changes) {
        b.begin_object().key("metric").value(c.key);
        b.key("a");
        c.in_a ? b.value(c.a) : b.null();
        b.key("b");
        c.in_b ? b.value(c.b) : b.null();
        b.key("delta").value(c.delta).key("relative_pct").value(c.relative_pct);
        b.key("moved").value(c.moved).end_object();
    }
    b.end_array().end_object();
    return b.take() + "\n";
}

} // namespace zcd::tools
