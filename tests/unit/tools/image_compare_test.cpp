// Synthetic image pairs with known differences: one pixel beyond the fuzz,
// within the fuzz, outside the clip; a deliberately wrong colour fails; the
// diff image is green/red/black as documented.
#include <gtest/gtest.h>

#include "tools/lib/image_compare.hpp"

namespace {

using namespace zcd::tools;

RgbaImage grey(uint32_t w = 32, uint32_t h = 24) {
    return make_image(w, h, 0x808080ff);
}

void add(RgbaImage& img, uint32_t x, uint32_t y, int channel, int delta) {
    img.px(x, y)[channel] = static_cast<uint8_t>(img.px(x, y)[channel] + delta);
}

Fuzz fuzz_all(int lo, int hi) {
    Fuzz f;
    f.fill({lo, hi});
    return f;
}

TEST(Compare, IdenticalImagesPass) {
    auto r = compare_images(grey(), grey(), {});
    EXPECT_TRUE(r.pass);
    EXPECT_EQ(r.diff_pixels, 0u);
    EXPECT_EQ(r.compared_pixels, 32u * 24u);
    EXPECT_EQ(r.diff.px(5, 5)[1], 255); // green
    EXPECT_EQ(r.diff.px(5, 5)[0], 0);
}

TEST(Compare, OnePixelBeyondTheFuzzFails) {
    auto shot = grey();
    add(shot, 10, 7, 1, 3); // green +3
    CompareOptions o;
    o.fuzz = fuzz_all(-2, 2);
    auto r = compare_images(shot, grey(), o);
    EXPECT_FALSE(r.pass);
    EXPECT_EQ(r.diff_pixels, 1u);
    EXPECT_EQ(r.max_delta[1], 3);
    EXPECT_EQ(r.diff_bounds.x, 10u);
    EXPECT_EQ(r.diff_bounds.y, 7u);
    EXPECT_EQ(r.diff_bounds.width, 1u);
    EXPECT_EQ(r.diff.px(10, 7)[0], 255); // red
    EXPECT_EQ(r.diff.px(10, 7)[1], 0);
    // Allowed by --max-diff-pixels 1.
    o.max_diff_pixels = 1;
    EXPECT_TRUE(compare_images(shot, grey(), o).pass);
}

TEST(Compare, WithinTheFuzzPasses) {
    auto shot = grey();
    add(shot, 10, 7, 1, 2);
    CompareOptions o;
    o.fuzz = fuzz_all(-2, 2);
    auto r = compare_images(shot, grey(), o);
    EXPECT_TRUE(r.pass);
    EXPECT_EQ(r.max_delta[1], 2);
}

TEST(Compare, FuzzIsSigned) {
    auto darker = grey();
    add(darker, 1, 1, 0, -3);
    CompareOptions o;
    o.fuzz[0] = {0, 5}; // shot may be brighter, never darker
    EXPECT_FALSE(compare_images(darker, grey(), o).pass);
    auto brighter = grey();
    add(brighter, 1, 1, 0, 3);
    EXPECT_TRUE(compare_images(brighter, grey(), o).pass);
}

TEST(Compare, DifferenceOutsideTheClipIsIgnored) {
    auto shot = grey();
    add(shot, 30, 20, 2, 100);
    CompareOptions o;
    o.clip = Rect{0, 0, 16, 16};
    auto r = compare_images(shot, grey(), o);
    EXPECT_TRUE(r.pass);
    EXPECT_EQ(r.compared_pixels, 256u);
    const uint8_t* outside = r.diff.px(30, 20);
    EXPECT_EQ(outside[0] | outside[1] | outside[2], 0); // black
    // The same difference inside the clip fails.
    o.clip = Rect{16, 16, 16, 8};
    EXPECT_FALSE(compare_images(shot, grey(), o).pass);
}

TEST(Compare, WrongColourFails) {
    auto shot = make_image(32, 24, 0x808000ff); // blue channel missing entirely
    CompareOptions o;
    o.fuzz = fuzz_all(-8, 8);
    auto r = compare_images(shot, grey(), o);
    EXPECT_FALSE(r.pass);
    EXPECT_EQ(r.diff_pixels, 32u * 24u);
    EXPECT_EQ(r.min_delta[2], -128);
}

TEST(Compare, SizeMismatchIsReported) {
    EXPECT_TRUE(compare_images(grey(32, 24), grey(24, 32), {}).size_mismatch);
}

TEST(Parse, FuzzSpecs) {
    std::string err;
    auto f = parse_fuzz("3", &err);
    ASSERT_TRUE(f);
    EXPECT_EQ((*f)[0].lo, -3);
    EXPECT_EQ((*f)[3].hi, 3);
    f = parse_fuzz("-1:4", &err);
    ASSERT_TRUE(f);
    EXPECT_EQ((*f)[2].lo, -1);
    EXPECT_EQ((*f)[2].hi, 4);
    f = parse_fuzz("r=-2:0,b=5", &err);
    ASSERT_TRUE(f);
    EXPECT_EQ((*f)[0].lo, -2);
    EXPECT_EQ((*f)[0].hi, 0);
    EXPECT_EQ((*f)[1].hi, 0); // unnamed channel stays exact
    EXPECT_EQ((*f)[2].lo, -5);
    for (const char* bad : {"", "x", "3:1", "-3", "q=1", "r=1,", "r=300", "1:2:3"}) {
        EXPECT_FALSE(parse_fuzz(bad, &err)) << bad;
        EXPECT_NE(err.find("bad --fuzz"), std::string::npos);
    }
}

TEST(Parse, Rectangles) {
    std::string err;
    auto r = parse_rect("1,2,30,40", &err);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->x, 1u);
    EXPECT_EQ(r->height, 40u);
    for (const char* bad : {"1,2,3", "1,2,0,4", "a,b,c,d", "-1,0,4,4", "1,2,3,4,5"})
        EXPECT_FALSE(parse_rect(bad, &err)) << bad;
}

} // namespace
