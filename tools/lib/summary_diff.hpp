// zc-stat diff: which metrics moved between two runs (say zero-copy against
// --force-path copy) and by how much.
#pragma once

#include <string>
#include <vector>

#include "common/trace_json.hpp"

namespace zcd::tools {

// Numeric leaves of a summary's outputs and clients, named
// "output HEADLESS-1 MsBetweenPresents.p99" / "client 1 PathShare.shm_copy".
struct FlatMetric {
    std::string key;
    double value = 0;
};
std::vector<FlatMetric> flatten_summary(const json::Value& summary);

struct MetricChange {
    std::string key;
    bool in_a = true, in_b = true;
    double a = 0, b = 0;
    double delta = 0;        // b - a
    double relative_pct = 0; // 100 * delta / |a|; 0 when a == 0
    bool moved = false;      // beyond the threshold, or present in one run only
};

// Every metric of either run; `moved` when |b - a| > threshold_pct % of |a|
// (for a == 0: when b != 0).  Sorted: moved first, by |relative change|.
std::vector<MetricChange> diff_summaries(const json::Value& a, const json::Value& b,
                                         double threshold_pct);

std::string format_diff_text(const std::vector<MetricChange>& changes, double threshold_pct,
                             bool show_all);
std::string format_diff_json(const std::vector<MetricChange>& changes, double threshold_pct);

} // namespace zcd::tools
