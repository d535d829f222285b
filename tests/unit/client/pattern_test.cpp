// Patterns: parsing, determinism, the properties each pattern promises.
#include <gtest/gtest.h>

#include "common/pattern.hpp"

namespace {

zcd::Pattern must_parse(const char* s) {
    std::string err;
    auto p = zcd::parse_pattern(s, &err);
    EXPECT_TRUE(p.has_value()) << err;
    return p.value_or(zcd::Pattern{});
}

TEST(Pattern, ParsesEveryNameAndRoundTrips) {
    for (const char* s : {"smpte", "gradient", "checker", "motion", "solid:12ab9F"}) {
        zcd::Pattern p = must_parse(s);
        EXPECT_EQ(zcd::to_string(must_parse(zcd::to_string(p).c_str())), zcd::to_string(p));
    }
    EXPECT_EQ(must_parse("solid:12ab9F").solid_xrgb, 0x12ab9fu);
}

TEST(Pattern, RejectsBadNamesWithOneLine) {
    for (const char* s :
         {"", "smpte2", "solid:", "solid:12345", "solid:1234567", "solid:gg0000", "solid:+12345"}) {
        std::string err;
        EXPECT_FALSE(zcd::parse_pattern(s, &err).has_value()) << s;
        EXPECT_FALSE(err.empty());
        EXPECT_EQ(err.find('\n'), std::string::npos);
    }
}

TEST(Pattern, DeterministicAndStripeCarriesFrameNumber) {
    for (const char* s : {"smpte", "gradient", "checker", "motion", "solid:336699"}) {
        zcd::Pattern p = must_parse(s);
        auto a = zcd::render_pattern(p, 17, 320, 180);
        auto b = zcd::render_pattern(p, 17, 320, 180);
        EXPECT_EQ(a, b) << s;
        auto id = zcd::decode_frame_identity({a.data(), 320, 180, 320});
        EXPECT_EQ(id.status, zcd::StripeStatus::Valid);
        EXPECT_EQ(id.seq, 17u);
    }
}

TEST(Pattern, SolidFillsOutsideTheStripe) {
    auto px = zcd::render_pattern(must_parse("solid:336699"), 0, 200, 100);
    const uint32_t band = 2 * zcd::stripe_cell_px(200);
    for (uint32_t y = band; y < 100 - band; ++y)
        for (uint32_t x = 0; x < 200; ++x)
            ASSERT_EQ(px[y * 200 + x], 0x336699u);
}

TEST(Pattern, MotionMovesAndStaticPatternsDoNot) {
    const uint32_t w = 256, h = 128, row = 64;
    auto m0 = zcd::render_pattern(must_parse("motion"), 0, w, h);
    auto m1 = zcd::render_pattern(must_parse("motion"), 1, w, h);
    // The white bar starts at x = 8 * frame.
    EXPECT_EQ(m0[row * w + 0], 0xffffffu);
    EXPECT_NE(m0[row * w + 16], 0xffffffu);
    EXPECT_EQ(m1[row * w + 16], 0xffffffu);
    EXPECT_NE(m1[row * w + 0], 0xffffffu);
    auto s0 = zcd::render_pattern(must_parse("smpte"), 0, w, h);
    auto s1 = zcd::render_pattern(must_parse("smpte"), 1, w, h);
    const uint32_t band = 2 * zcd::stripe_cell_px(w);
    EXPECT_TRUE(std::equal(s0.begin() + band * w, s0.end() - band * w, s1.begin() + band * w));
}

TEST(Pattern, SmpteBarsAreInOrder) {
    const uint32_t w = 700, h = 300;
    auto px = zcd::render_pattern(must_parse("smpte"), 0, w, h);
    const uint32_t expect[7] = {0xbfbfbf, 0xbfbf00, 0x00bfbf, 0x00bf00,
                                0xbf00bf, 0xbf0000, 0x0000bf};
    for (uint32_t i = 0; i < 7; ++i)
        EXPECT_EQ(px[100 * w + i * 100 + 50], expect[i]) << i;
}

TEST(Pattern, GradientCorners) {
    const uint32_t w = 300, h = 200;
    auto px = zcd::render_pattern(must_parse("gradient"), 0, w, h);
    // Just below the top band, left edge and right edge of the red ramp.
    EXPECT_EQ(px[100 * w + 0] >> 16, 0u);
    EXPECT_EQ(px[100 * w + w - 1] >> 16, 255u);
    EXPECT_EQ(px[100 * w + 5] & 0xff, 0x80u);
}

} // namespace

namespace {

TEST(Pattern, FastRenderEqualsThePixelDefinition) {
    const uint32_t sizes[][2] = {{1, 1}, {7, 3}, {15, 9}, {64, 20}, {333, 101}, {640, 480}};
    int compared = 0;
    for (const char* s : {"smpte", "gradient", "checker", "motion", "solid:a1b2c3"}) {
        zcd::Pattern p = must_parse(s);
        for (const auto& sz : sizes)
            for (uint64_t frame : {0ull, 1ull, 37ull, 1000003ull}) {
                const uint32_t w = sz[0], h = sz[1];
                auto px = zcd::render_pattern(p, frame, w, h);
                const uint32_t cell = zcd::stripe_cell_px(w);
                const bool striped = cell && h >= 2 * cell;
                const uint32_t band = striped ? 2 * cell : 0;
                const bool bottom = striped && h >= 5 * cell;
                for (uint32_t y = band; y < (bottom ? h - band : h); ++y)
                    for (uint32_t x = 0; x < w; ++x)
                        ASSERT_EQ(px[size_t(y) * w + x], zcd::pattern_pixel(p, frame, x, y, w, h))
                            << s << " " << w << "x" << h << " frame " << frame << " at " << x << ","
                            << y;
                ++compared;
            }
    }
    EXPECT_EQ(compared, 5 * 6 * 4);
}

} // namespace
