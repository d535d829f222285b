// Statistics over frame-time sequences: the numbers zc-stat, the summary JSON,
// the stats socket and the overlay print.  Pure functions; the methods are
// defined in docs/metrics.md ("Statistics") and unit-tested on known
// sequences in tests/unit/tools/stats_test.cpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace zcd {

// Nearest-rank percentile: the smallest value such that at least p percent
// of the values are <= it, i.e. sorted[ceil(p/100 * N) - 1] (index 0 for
// p == 0).  Always one of the observed values, never interpolated.
// `sorted` must be sorted ascending; returns 0 for an empty span.
double percentile_nearest_rank(std::span<const double> sorted, double p);

// The distribution of one metric.  All zero when count == 0.
struct Distribution {
    size_t count = 0;
    double min = 0, mean = 0, p50 = 0, p95 = 0, p99 = 0, max = 0;
    double stddev = 0; // population standard deviation
};
Distribution describe(std::span<const double> values);

// Standard deviation / mean (population); 0 when fewer than two values or
// the mean is 0.
double coefficient_of_variation(std::span<const double> values);

// "1% low" frame rate: 1000 / (mean of the slowest 1% of frame intervals in
// ms), where the slowest 1% is at least one interval.  0 for no intervals.
double low_1pct_fps(std::span<const double> intervals_ms);

// Vblanks an output skipped: an interval longer than 1.5 refresh periods
// skipped round(interval / refresh) - 1 vblanks.  0 when refresh_ms <= 0.
uint64_t missed_vblanks(std::span<const double> intervals_ms, double refresh_ms);

// Intervals without new content that are longer than the sequence's usual
// (median) interval by more than one refresh period.  Without a known
// refresh period (refresh_ms <= 0) the threshold is twice the median.
uint64_t count_stalls(std::span<const double> intervals_ms, double refresh_ms);

// Events per second over a span of timestamps: (N - 1) / (last - first).
// 0 for fewer than two events or a zero span.
double rate_per_second(std::span<const int64_t> sorted_times_ns);

// to_ns - from_ns in nanoseconds as a double.  Timestamps read from a trace
// are outside input: their int64 difference can overflow (undefined
// behaviour, found by tests/fuzz/stat_input); this computes it in uint64,
// exact for every pair, then converts.
double ns_between(int64_t from_ns, int64_t to_ns);

} // namespace zcd
