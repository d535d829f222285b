// Statistics on known sequences: each expectation is worked out by hand from
// the definitions in docs/metrics.md.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "common/stats.hpp"
#include "common/stats_summary.hpp"

namespace {

using zcd::Timeline;

std::vector<double> one_to(int n) {
    std::vector<double> v;
    for (int i = 1; i <= n; ++i)
        v.push_back(i);
    return v;
}

TEST(Stats, NearestRankPercentilesOfOneToHundred) {
    auto v = one_to(100);
    EXPECT_EQ(zcd::percentile_nearest_rank(v, 50), 50);
    EXPECT_EQ(zcd::percentile_nearest_rank(v, 95), 95);
    EXPECT_EQ(zcd::percentile_nearest_rank(v, 99), 99);
    EXPECT_EQ(zcd::percentile_nearest_rank(v, 100), 100);
    EXPECT_EQ(zcd::percentile_nearest_rank(v, 0), 1);
}

TEST(Stats, NearestRankNeverInterpolates) {
    std::vector<double> v{10, 20, 30, 40};
    EXPECT_EQ(zcd::percentile_nearest_rank(v, 50), 20); // rank ceil(2.0) = 2
    EXPECT_EQ(zcd::percentile_nearest_rank(v, 51), 30); // rank ceil(2.04) = 3
    EXPECT_EQ(zcd::percentile_nearest_rank(v, 99), 40); // fewer than 100: p99 = max
}

TEST(Stats, DescribeUnsortedInput) {
    std::vector<double> v{4, 1, 3, 2, 5};
    auto d = zcd::describe(v);
    EXPECT_EQ(d.count, 5u);
    EXPECT_EQ(d.min, 1);
    EXPECT_EQ(d.max, 5);
    EXPECT_DOUBLE_EQ(d.mean, 3);
    EXPECT_EQ(d.p50, 3);
    EXPECT_DOUBLE_EQ(d.stddev, std::sqrt(2.0));
}

TEST(Stats, EmptyInputGivesZeros) {
    std::vector<double> none;
    auto d = zcd::describe(none);
    EXPECT_EQ(d.count, 0u);
    EXPECT_EQ(d.p99, 0);
    EXPECT_EQ(zcd::low_1pct_fps(none), 0);
    EXPECT_EQ(zcd::coefficient_of_variation(none), 0);
    EXPECT_EQ(zcd::count_stalls(none, 16), 0u);
}

TEST(Stats, CoefficientOfVariation) {
    std::vector<double> steady(10, 16.0);
    EXPECT_EQ(zcd::coefficient_of_variation(steady), 0);
    std::vector<double> v{10, 20}; // mean 15, population sd 5
    EXPECT_DOUBLE_EQ(zcd::coefficient_of_variation(v), 5.0 / 15.0);
}

TEST(Stats, OnePercentLowIsTheSlowestPercent) {
    // 198 frames at 10 ms and 2 at 50 ms: the slowest 1% (2 intervals) average 50 ms.
    std::vector<double> v(198, 10.0);
    v.push_back(50);
    v.push_back(50);
    EXPECT_DOUBLE_EQ(zcd::low_1pct_fps(v), 20.0);
    // Fewer than 100 intervals: the single slowest one.
    std::vector<double> w{10, 10, 40};
    EXPECT_DOUBLE_EQ(zcd::low_1pct_fps(w), 25.0);
}

TEST(Stats, MissedVblanksCountsSkippedRefreshes) {
    double r = 16.0;
    std::vector<double> v{16, 17, 23.9, 24.1, 32, 48, 16};
    // 23.9 <= 1.5r: none; 24.1 -> round(1.506)-1 = 1; 32 -> 1; 48 -> 2.
    EXPECT_EQ(zcd::missed_vblanks(v, r), 4u);
    EXPECT_EQ(zcd::missed_vblanks(v, 0), 0u);
}

TEST(Stats, StallsAreLongerThanMedianPlusRefresh) {
    // A 30 fps client on a 60 Hz output is not stalling at 33 ms...
    std::vector<double> v(20, 33.3);
    EXPECT_EQ(zcd::count_stalls(v, 16.7), 0u);
    // ... but is when one gap is 60 ms (> 33.3 + 16.7) and another 50.1.
    v[5] = 60;
    v[9] = 50.1;
    v[12] = 49.9;
    EXPECT_EQ(zcd::count_stalls(v, 16.7), 2u);
    // Unknown refresh: more than twice the median.
    EXPECT_EQ(zcd::count_stalls(v, 0), 0u);
    v[3] = 70;
    EXPECT_EQ(zcd::count_stalls(v, 0), 1u);
}

TEST(Stats, RatePerSecond) {
    std::vector<int64_t> t{0, 100'000'000, 200'000'000, 300'000'000}; // 4 events, 0.3 s
    EXPECT_DOUBLE_EQ(zcd::rate_per_second(t), 10.0);
    std::vector<int64_t> one{5};
    EXPECT_EQ(zcd::rate_per_second(one), 0);
}

constexpr int64_t kMs = 1'000'000;

// An output at 60 Hz that presents 10 frames, missing two vblanks before the
// 6th, and a client whose 5 commits are all shown but one, one of them copied.
Timeline known_timeline() {
    Timeline t;
    t.producer = "zc-compositor";
    const int64_t refresh = 16'666'667;
    int64_t present = 1000 * kMs;
    for (uint64_t seq = 1; seq <= 10; ++seq) {
        zcd::OutputFrameRecord f;
        f.output_seq = seq;
        f.output_name = "HEADLESS-1";
        present += (seq == 6 ? 3 : 1) * refresh;
        f.composite_cpu_begin_ns = present - 5 * kMs;
        f.composite_cpu_end_ns = present - 4 * kMs;
        f.presented = true;
        f.present_ns = present;
        f.refresh_ns = refresh;
        t.frames.push_back(f);
    }
    for (uint64_t id = 1; id <= 5; ++id) {
        zcd::CommitRecord c;
        c.commit_id = id;
        c.client_id = 1;
        c.client_name = "zc-client";
        c.commit_ns = 1000 * kMs + static_cast<int64_t>(id) * 20 * kMs;
        c.import_begin_ns = c.commit_ns + kMs;
        c.import_end_ns = c.commit_ns + 3 * kMs;
        c.path = id == 3 ? zcd::ImportPath::ShmCopy : zcd::ImportPath::ShmHostImport;
        c.reason = id == 3 ? zcd::FallbackReason::ForcedCopy : zcd::FallbackReason::None;
        c.bytes_copied = id == 3 ? 4'000'000 : 0;
        c.bytes_zero_copy = id == 3 ? 0 : 4'000'000;
        c.presented = id != 4;
        c.present_ns = c.presented ? c.commit_ns + 10 * kMs : 0;
        c.refresh_ns = refresh;
        t.commits.push_back(c);
    }
    return t;
}

TEST(Summary, OutputOnKnownSequence) {
    auto s = zcd::summarize(known_timeline());
    ASSERT_EQ(s.outputs.size(), 1u);
    const auto& o = s.outputs[0];
    EXPECT_EQ(o.name, "HEADLESS-1");
    EXPECT_EQ(o.frames_presented, 10u);
    EXPECT_EQ(o.between_presents.count, 9u);
    EXPECT_NEAR(o.between_presents.max, 50.0, 1e-5);
    EXPECT_NEAR(o.between_presents.p50, 16.666667, 1e-5);
    EXPECT_EQ(o.missed_vblanks, 2u);
    // 9 intervals over 11 refresh periods.
    EXPECT_NEAR(o.fps_output, 9.0 / (11 * 0.016666667), 1e-3);
    EXPECT_NEAR(o.fps_low_1pct, 20.0, 1e-3);
    EXPECT_NEAR(o.composite_cpu.mean, 1.0, 1e-9);
    EXPECT_NEAR(o.composite_to_present.p99, 5.0, 1e-9);
    EXPECT_EQ(o.gpu.count, 0u); // no GPU timestamps recorded
}

TEST(Summary, ClientOnKnownSequence) {
    auto s = zcd::summarize(known_timeline());
    ASSERT_EQ(s.clients.size(), 1u);
    const auto& c = s.clients[0];
    EXPECT_EQ(c.id, 1u);
    EXPECT_EQ(c.name, "zc-client");
    EXPECT_EQ(c.commits, 5u);
    EXPECT_EQ(c.commits_discarded, 1u);
    EXPECT_NEAR(c.until_displayed.p50, 10.0, 1e-9);
    EXPECT_EQ(c.until_displayed.count, 4u);
    EXPECT_NEAR(c.import.max, 2.0, 1e-9);
    // Displayed at 30, 50, 70, (90 discarded), 110 ms: 3 intervals over 80 ms.
    EXPECT_NEAR(c.ups_client, 3 / 0.080, 1e-6);
    EXPECT_NEAR(c.between_displayed.max, 40.0, 1e-9);
    // Median 20 + refresh 16.7 = 36.7 < 40: one stall.
    EXPECT_EQ(c.stalls, 1u);
    EXPECT_DOUBLE_EQ(c.path_share[static_cast<size_t>(zcd::ImportPath::ShmHostImport)], 0.8);
    EXPECT_DOUBLE_EQ(c.path_share[static_cast<size_t>(zcd::ImportPath::ShmCopy)], 0.2);
    EXPECT_EQ(c.fallbacks[static_cast<size_t>(zcd::FallbackReason::ForcedCopy)], 1u);
    // 4 MB copied over 80 ms of commits = 50 MB/s; 16 MB zero-copy = 200 MB/s.
    EXPECT_NEAR(c.mbps_copied, 50.0, 1e-9);
    EXPECT_NEAR(c.mbps_zero_copy, 200.0, 1e-9);
}

TEST(Summary, FramesOfTwoOutputsAreNotMixed) {
    Timeline t;
    for (int i = 0; i < 4; ++i) {
        for (const char* name : {"A", "B"}) {
            zcd::OutputFrameRecord f;
            f.output_name = name;
            f.output_seq = static_cast<uint64_t>(i + 1);
            f.presented = true;
            f.present_ns = (name[0] == 'A' ? 10 : 20) * kMs * (i + 1);
            t.frames.push_back(f);
        }
    }
    auto s = zcd::summarize(t);
    ASSERT_EQ(s.outputs.size(), 2u);
    EXPECT_NEAR(s.outputs[0].between_presents.max, 10.0, 1e-9);
    EXPECT_NEAR(s.outputs[1].between_presents.max, 20.0, 1e-9);
    EXPECT_NEAR(s.outputs[0].fps_output, 100.0, 1e-9);
}

} // namespace
