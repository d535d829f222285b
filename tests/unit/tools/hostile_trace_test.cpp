// Traces are outside input: zc-stat must summarise and plot any trace that
// parses without undefined behaviour.  Each case is a finding of
// tests/fuzz/stat_input (its input is in tests/fuzz/corpus/stat_input/).
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "common/stats.hpp"
#include "common/trace_import.hpp"
#include "tools/lib/stat_input.hpp"
#include "tools/lib/svg_plot.hpp"

namespace {

constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

// overflow-ns-int64-extremes.json: INT64_MAX - INT64_MIN overflowed int64
// (undefined; in practice it wrapped to -1 and the rate became 0).
TEST(HostileTrace, TimestampDifferencesDoNotOverflow) {
    EXPECT_DOUBLE_EQ(zcd::ns_between(kMin, kMax), 18446744073709551615.0);
    EXPECT_DOUBLE_EQ(zcd::ns_between(kMax, kMin), -18446744073709551615.0);
    EXPECT_DOUBLE_EQ(zcd::ns_between(5, 3), -2.0);
    std::vector<int64_t> times = {kMin, kMax};
    EXPECT_GT(zcd::rate_per_second(times), 0.0);
}

zcd::tools::StatInput load_corpus(const char* name) {
    std::string text, error;
    std::string path = std::string(ZCD_SOURCE_DIR) + "/tests/fuzz/corpus/stat_input/" + name;
    EXPECT_TRUE(zcd::read_text_file(path, &text, &error)) << error;
    auto in = zcd::tools::load_stat_input(text, &error);
    EXPECT_TRUE(in && in->timeline) << error;
    return in ? std::move(*in) : zcd::tools::StatInput{};
}

// nan-bin-all-presents-at-once.json: every interval 0 made the histogram's
// bin index 0/0 cast to int, a write far outside the bins.
TEST(HostileTrace, PlotOfFramesPresentedAtOneInstant) {
    auto in = load_corpus("nan-bin-all-presents-at-once.json");
    ASSERT_TRUE(in.timeline);
    std::string svg = zcd::tools::plot_svg(*in.timeline, "t");
    EXPECT_NE(svg.find("</svg>"), std::string::npos);
}

TEST(HostileTrace, PlotOfExtremeTimestamps) {
    auto in = load_corpus("overflow-ns-int64-extremes.json");
    ASSERT_TRUE(in.timeline);
    EXPECT_NE(zcd::tools::plot_svg(*in.timeline, "t").find("</svg>"), std::string::npos);
}

} // namespace
