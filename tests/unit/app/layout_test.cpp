#include <gtest/gtest.h>

#include <random>

#include "app/layout.hpp"

using zcd::app::layout_shelves;
using zcd::app::overlaps;
using zcd::app::Rect;

TEST(Layout, OverlapIsSymmetricAndEdgesDoNotOverlap) {
    Rect a{0, 0, 10, 10}, b{10, 0, 10, 10}, c{5, 5, 10, 10};
    EXPECT_FALSE(overlaps(a, b));
    EXPECT_TRUE(overlaps(a, c));
    EXPECT_TRUE(overlaps(c, a));
}

TEST(Layout, TwoWindowsSideBySide) {
    auto placed = layout_shelves({{0, 0, 250, 250}, {0, 0, 300, 200}}, {0, 0, 1280, 720}, 8);
    ASSERT_EQ(placed.size(), 2u);
    EXPECT_EQ(placed[0].x, 8);
    EXPECT_EQ(placed[0].y, 8);
    EXPECT_EQ(placed[1].x, 8 + 250 + 8);
    EXPECT_EQ(placed[1].y, 8);
}

TEST(Layout, WrapsToANewShelfBelowTheTallest) {
    auto placed =
        layout_shelves({{0, 0, 600, 100}, {0, 0, 600, 300}, {0, 0, 600, 50}}, {0, 0, 1280, 720}, 8);
    EXPECT_EQ(placed[2].x, 8);
    EXPECT_EQ(placed[2].y, 8 + 300 + 8);
}

TEST(Layout, RandomWindowsNeverOverlap) {
    std::mt19937 rng(1234);
    std::uniform_int_distribution<int> dim(-5, 1500);
    std::uniform_int_distribution<int> count(1, 40);
    for (int round = 0; round < 300; ++round) {
        std::vector<Rect> sizes(static_cast<size_t>(count(rng)));
        for (Rect& r : sizes)
            r = {0, 0, dim(rng), dim(rng)};
        auto placed = layout_shelves(sizes, {0, 0, 1280, 720}, round % 3 == 0 ? 0 : 8);
        ASSERT_EQ(placed.size(), sizes.size());
        for (size_t i = 0; i < placed.size(); ++i) {
            EXPECT_GT(placed[i].width, 0);
            for (size_t j = i + 1; j < placed.size(); ++j)
                ASSERT_FALSE(overlaps(placed[i], placed[j]))
                    << "round " << round << " windows " << i << " and " << j;
        }
    }
}

TEST(Layout, AnOutputSizedWindowCoversTheOutputExactly) {
    const Rect area{0, 0, 1920, 1080};
    auto placed = layout_shelves({{0, 0, 1920, 1080}}, area, 8);
    EXPECT_EQ(placed[0].x, 0);
    EXPECT_EQ(placed[0].y, 0);
    // A second one goes below it, not onto it; a small one keeps its gap.
    placed = layout_shelves({{0, 0, 1920, 1080}, {0, 0, 1920, 1080}, {0, 0, 100, 100}}, area, 8);
    EXPECT_EQ(placed[1].x, 0);
    EXPECT_GE(placed[1].y, 1080);
    EXPECT_EQ(placed[2].x, 8);
    // Wide but short: flush left, the usual gap on top.
    placed = layout_shelves({{0, 0, 1910, 300}}, area, 8);
    EXPECT_EQ(placed[0].x, 0);
    EXPECT_EQ(placed[0].y, 8);
}
