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
    placed = layout_shelves({{0, 0, 1915, 300}}, area, 8);
    EXPECT_EQ(placed[0].x, 0);
    EXPECT_EQ(placed[0].y, 8);
    // Fits after the gap: keeps it.
    placed = layout_shelves({{0, 0, 1900, 300}}, area, 8);
    EXPECT_EQ(placed[0].x, 8);
}

TEST(Layout, PanelGoesWhereNoWindowIs) {
    const Rect out{0, 0, 640, 480};
    Rect p;
    // Nothing there: top-right corner.
    ASSERT_TRUE(zcd::app::place_panel(out, 320, 200, {}, 8, &p));
    EXPECT_EQ(p.x, 640 - 320 - 8);
    EXPECT_EQ(p.y, 8);
    // A wide window across the top: the panel moves below it.
    std::vector<Rect> windows = {{8, 8, 600, 150}};
    ASSERT_TRUE(zcd::app::place_panel(out, 320, 200, windows, 8, &p));
    EXPECT_FALSE(overlaps(p, windows[0]));
    EXPECT_GE(p.x, 0);
    EXPECT_LE(p.y + p.height, 480);
    // Windows everywhere: no spot, and it says so.
    windows = {{0, 0, 640, 480}};
    EXPECT_FALSE(zcd::app::place_panel(out, 320, 200, windows, 8, &p));
}

TEST(Layout, ShelvesInTheAreaLeftOfAReservedStripNeverMeetThePanel) {
    // What arrange_views does while the overlay is shown.
    std::mt19937 rng(99);
    std::uniform_int_distribution<int> dim(20, 300);
    const Rect out{0, 0, 1280, 720};
    const int32_t panel_w = 320, gap = 8;
    const Rect area{0, 0, out.width - panel_w - gap, out.height};
    for (int round = 0; round < 200; ++round) {
        std::vector<Rect> sizes(static_cast<size_t>(1 + round % 6));
        for (Rect& r : sizes)
            r = {0, 0, dim(rng), dim(rng)};
        auto placed = layout_shelves(sizes, area, gap);
        std::vector<Rect> visible;
        for (const Rect& r : placed)
            if (r.y < out.height)
                visible.push_back(r);
        Rect p;
        ASSERT_TRUE(zcd::app::place_panel(out, panel_w, 300, visible, gap, &p)) << round;
        for (const Rect& w : visible)
            ASSERT_FALSE(overlaps(p, w)) << round;
    }
}
