// The JSON reader: correct values, and one clear error line with a position
// for every kind of malformed input -- never a crash (truncation at every
// byte, flipped bytes, deep nesting).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>

#include "common/trace_export.hpp"
#include "common/trace_import.hpp"
#include "common/trace_json.hpp"
#include "test_timelines.hpp"

namespace {

namespace json = zcd::json;

TEST(Json, ParsesValues) {
    auto r = json::parse(
        R"( {"a": [1, -2.5e3, true, null, "x\"\u00e9\n"], "b": {}, "big": 9007199254740993} )");
    ASSERT_TRUE(r.value) << r.error;
    const auto* a = r.value->get("a");
    ASSERT_TRUE(a && a->is_array());
    ASSERT_EQ(a->array->size(), 5u);
    EXPECT_EQ(*(*a->array)[0].integer, 1);
    EXPECT_DOUBLE_EQ((*a->array)[1].number, -2500);
    EXPECT_FALSE((*a->array)[1].integer);
    EXPECT_TRUE((*a->array)[2].boolean);
    EXPECT_TRUE((*a->array)[3].is_null());
    EXPECT_EQ((*a->array)[4].string, "x\"\xc3\xa9\n");
    EXPECT_TRUE(r.value->get("b")->is_object());
    // Integers beyond 2^53 keep their exact value.
    EXPECT_EQ(*r.value->get("big")->integer, 9007199254740993);
    EXPECT_EQ(r.value->get("missing"), nullptr);
}

TEST(Json, ErrorsNameLineColumnAndByte) {
    auto r = json::parse("{\n  \"a\": 1,\n  \"b\" 2\n}");
    ASSERT_FALSE(r.value);
    EXPECT_EQ(r.error, "line 3, column 7 (byte 18): expected ':' after object key");
    EXPECT_NE(json::parse("[1, 2").error.find("unexpected end of input in array"),
              std::string::npos);
    EXPECT_NE(json::parse("\"abc").error.find("unterminated string"), std::string::npos);
    EXPECT_NE(json::parse("[1] x").error.find("trailing data"), std::string::npos);
    EXPECT_NE(json::parse("-").error.find("invalid number"), std::string::npos);
    EXPECT_NE(json::parse("tru").error.find("invalid literal"), std::string::npos);
    EXPECT_NE(json::parse("").error.find("expected a value"), std::string::npos);
    EXPECT_NE(json::parse("\"\\q\"").error.find("invalid escape"), std::string::npos);
}

TEST(Json, DeepNestingIsAnErrorNotAStackOverflow) {
    std::string deep(100000, '[');
    auto r = json::parse(deep);
    ASSERT_FALSE(r.value);
    EXPECT_NE(r.error.find("nesting too deep"), std::string::npos);
}

TEST(Json, BuilderRoundTrip) {
    json::Builder b;
    b.begin_object()
        .key("s")
        .value("a\"b\\c\x01")
        .key("n")
        .value(0.1)
        .key("nan")
        .value(std::nan(""));
    b.key("arr").begin_array().value(1).value(true).null().end_array().end_object();
    auto r = json::parse(b.str());
    ASSERT_TRUE(r.value) << r.error << " in " << b.str();
    EXPECT_EQ(r.value->get("s")->string, "a\"b\\c\x01");
    EXPECT_EQ(r.value->get("n")->number, 0.1);
    EXPECT_TRUE(r.value->get("nan")->is_null());
    EXPECT_EQ(r.value->get("arr")->array->size(), 3u);
}

TEST(TraceImport, EveryTruncationIsACleanError) {
    std::string text = zcd::to_chrome_trace_json(zcd::test::rich_timeline());
    size_t errors = 0;
    // Every prefix shorter than the whole document (the last byte is '\n').
    size_t step = std::max<size_t>(1, text.size() / 1500);
    for (size_t n = 0; n + 1 < text.size(); n += step) {
        auto r = zcd::import_chrome_trace(std::string_view(text).substr(0, n));
        EXPECT_FALSE(r.timeline) << "prefix " << n << " accepted";
        EXPECT_FALSE(r.error.empty());
        EXPECT_EQ(r.error.find('\n'), std::string::npos) << r.error;
        ++errors;
    }
    EXPECT_GT(errors, 100u);
}

TEST(TraceImport, RandomByteFlipsNeverCrash) {
    std::string text = zcd::to_chrome_trace_json(zcd::test::rich_timeline());
    std::mt19937 rng(1234);
    int rejected = 0;
    for (int i = 0; i < 500; ++i) {
        std::string bad = text;
        for (int k = 0; k < 3; ++k)
            bad[rng() % bad.size()] = static_cast<char>(rng() % 256);
        auto r = zcd::import_chrome_trace(bad);
        if (!r.timeline) {
            ++rejected;
            EXPECT_EQ(r.error.find('\n'), std::string::npos);
        }
    }
    EXPECT_GT(rejected, 0);
}

TEST(TraceImport, WrongTypesAndFormatsAreNamed) {
    using zcd::import_chrome_trace;
    EXPECT_EQ(import_chrome_trace("[]").error, "not a trace: the top level is not a JSON object");
    EXPECT_NE(import_chrome_trace("{\"traceEvents\":[]}").error.find("not a zcdisplay trace"),
              std::string::npos);
    std::string good = zcd::to_chrome_trace_json(zcd::test::rich_timeline());
    ASSERT_TRUE(import_chrome_trace(good).timeline);

    auto replaced = [&](const std::string& from, const std::string& to) {
        std::string s = good;
        size_t at = s.find(from);
        EXPECT_NE(at, std::string::npos) << from;
        s.replace(at, from.size(), to);
        return import_chrome_trace(s).error;
    };
    EXPECT_NE(replaced("\"output_seq\":1,", "\"output_seq\":\"1\",")
                  .find("args.output_seq must be an integer"),
              std::string::npos);
    EXPECT_NE(
        replaced("\"commit_id\":1,", "\"commit_id\":-1,").find("args.commit_id is out of range"),
        std::string::npos);
    EXPECT_NE(replaced("\"path\":\"", "\"path\":\"bogus").find("not a known import path"),
              std::string::npos);
    EXPECT_NE(replaced("\"version\":1", "\"version\":99").find("unsupported trace version"),
              std::string::npos);
    EXPECT_NE(replaced("\"presented\":true", "\"presented\":1").find("must be true or false"),
              std::string::npos);
    EXPECT_NE(replaced("\"traceEvents\":[", "\"traceEvents\":[7,")
                  .find("traceEvents[0] is not an object"),
              std::string::npos);
}

} // namespace
