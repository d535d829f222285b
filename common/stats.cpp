#include "common/stats.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace zcd {

double percentile_nearest_rank(std::span<const double> sorted, double p) {
    if (sorted.empty())
        return 0;
    p = std::clamp(p, 0.0, 100.0);
    auto rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
    if (rank == 0)
        rank = 1;
    return sorted[std::min(rank, sorted.size()) - 1];
}

Distribution describe(std::span<const double> values) {
    Distribution d;
    if (values.empty())
        return d;
    std::vector<double> sorted(values.begin(), values.end());
    std::sort(sorted.begin(), sorted.end());
    d.count = sorted.size();
    d.min = sorted.front();
    d.max = sorted.back();
    double sum = 0;
    for (double v : sorted)
        sum += v;
    d.mean = sum / static_cast<double>(d.count);
    double sq = 0;
    for (double v : sorted)
        sq += (v - d.mean) * (v - d.mean);
    d.stddev = std::sqrt(sq / static_cast<double>(d.count));
    d.p50 = percentile_nearest_rank(sorted, 50);
    d.p95 = percentile_nearest_rank(sorted, 95);
    d.p99 = percentile_nearest_rank(sorted, 99);
    return d;
}

double coefficient_of_variation(std::span<const double> values) {
    if (values.size() < 2)
        return 0;
    Distribution d = describe(values);
    return d.mean == 0 ? 0 : d.stddev / d.mean;
}

double low_1pct_fps(std::span<const double> intervals_ms) {
    if (intervals_ms.empty())
        return 0;
    std::vector<double> sorted(intervals_ms.begin(), intervals_ms.end());
    std::sort(sorted.begin(), sorted.end(), std::greater<>());
    size_t n = std::max<size_t>(1, sorted.size() / 100);
    double sum = 0;
    for (size_t i = 0; i < n; ++i)
        sum += sorted[i];
    double mean = sum / static_cast<double>(n);
    return mean > 0 ? 1000.0 / mean : 0;
}

uint64_t missed_vblanks(std::span<const double> intervals_ms, double refresh_ms) {
    if (refresh_ms <= 0)
        return 0;
    uint64_t missed = 0;
    for (double v : intervals_ms)
        if (v > 1.5 * refresh_ms)
            missed += static_cast<uint64_t>(std::llround(v / refresh_ms)) - 1;
    return missed;
}

uint64_t count_stalls(std::span<const double> intervals_ms, double refresh_ms) {
    if (intervals_ms.empty())
        return 0;
    std::vector<double> sorted(intervals_ms.begin(), intervals_ms.end());
    std::sort(sorted.begin(), sorted.end());
    double median = percentile_nearest_rank(sorted, 50);
    double threshold = refresh_ms > 0 ? median + refresh_ms : 2 * median;
    uint64_t n = 0;
    for (double v : intervals_ms)
        if (v > threshold)
            ++n;
    return n;
}

double rate_per_second(std::span<const int64_t> sorted_times_ns) {
    if (sorted_times_ns.size() < 2)
        return 0;
    double span = ns_between(sorted_times_ns.front(), sorted_times_ns.back());
    if (span <= 0)
        return 0;
    return static_cast<double>(sorted_times_ns.size() - 1) * 1e9 / span;
}

double ns_between(int64_t from_ns, int64_t to_ns) {
    const auto from = static_cast<uint64_t>(from_ns), to = static_cast<uint64_t>(to_ns);
    return to_ns >= from_ns ? static_cast<double>(to - from) : -static_cast<double>(from - to);
}

} // namespace zcd
