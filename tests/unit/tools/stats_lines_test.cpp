// tools/lib/stats_lines: the stats-socket reader behind zc-stat --live.
#include <gtest/gtest.h>

#include <string>

#include "tools/lib/stats_lines.hpp"

namespace {

using zcd::tools::StatsLineReader;

const std::string kLine =
    R"({"type":"stats","version":1,"outputs":[{"name":"HEADLESS-1","FpsOutput":59.5}],"clients":[]})"
    "\n";

TEST(StatsLines, ALineSplitAcrossReadsIsShownOnceComplete) {
    StatsLineReader r;
    auto a = r.feed(kLine.substr(0, 10));
    EXPECT_TRUE(a.texts.empty());
    auto b = r.feed(kLine.substr(10));
    ASSERT_EQ(b.texts.size(), 1u);
    EXPECT_NE(b.texts[0].find("HEADLESS-1"), std::string::npos) << b.texts[0];
    EXPECT_TRUE(b.error.empty());
}

TEST(StatsLines, OtherTypesAndEmptyLinesAreSkipped) {
    StatsLineReader r;
    auto got = r.feed("\n{\"type\":\"hello\"}\n" + kLine);
    EXPECT_EQ(got.texts.size(), 1u);
    EXPECT_EQ(r.lines(), 3);
}

TEST(StatsLines, MaxTextsLeavesTheRestPending) {
    StatsLineReader r;
    auto first = r.feed(kLine + kLine, 1);
    EXPECT_EQ(first.texts.size(), 1u);
    auto second = r.feed("", 1);
    EXPECT_EQ(second.texts.size(), 1u);
}

TEST(StatsLines, BadLineIsAnErrorNamingItAndSticks) {
    StatsLineReader r;
    auto got = r.feed(kLine + "{\"type\":\"stats\", \"version\":1, \"outputs\": [\n" + kLine);
    EXPECT_EQ(got.texts.size(), 1u);
    EXPECT_EQ(got.error.rfind("line 2: invalid JSON at", 0), 0u) << got.error;
    EXPECT_EQ(r.feed(kLine).error, got.error);
    StatsLineReader v;
    EXPECT_EQ(v.feed("{\"type\":\"stats\",\"version\":2}\n").error,
              "line 1: unsupported stats version");
}

TEST(StatsLines, AnEndlessLineIsAnError) {
    StatsLineReader r;
    std::string chunk(1 << 20, ' ');
    std::string error;
    for (int i = 0; i < 17 && error.empty(); ++i)
        error = r.feed(chunk).error;
    EXPECT_EQ(error, "line 1 longer than 16 MiB");
}

} // namespace
