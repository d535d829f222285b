// The overlay's formatted content: what the renderer compares to decide
// whether the panel must be drawn again (common/overlay_content.hpp).
#include <gtest/gtest.h>

#include "common/overlay_content.hpp"

namespace zcd {
namespace {

OverlayModel sample_model() {
    OverlayModel m;
    m.device = "llvmpipe";
    m.outputs.push_back({"HEADLESS-1", 59.94, 1, 2});
    OverlayClient c;
    c.name = "zc-client";
    c.ups = 30.0;
    c.last_path = ImportPath::ShmHostImport;
    c.has_buffer = true;
    m.clients.push_back(c);
    m.frame_time_ms = {16.6f, 16.7f, 16.5f};
    m.frame_time_min_ms = 16.5;
    m.frame_time_avg_ms = 16.6;
    m.frame_time_max_ms = 16.7;
    m.overlay_cpu_ms = 0.0123;
    return m;
}

bool any_line_is(const OverlayContent& c, const std::string& text) {
    for (const auto* lines : {&c.head, &c.tail})
        for (const OverlayLine& l : *lines)
            if (l.text == text)
                return true;
    return false;
}

TEST(OverlayContent, ShowsTheModelsNumbersInTheirPrintedPrecision) {
    const OverlayContent c = format_overlay_content(sample_model());
    EXPECT_TRUE(
        any_line_is(c, "HEADLESS-1: 59.9 FPS (output frames/s)  missed vblanks 1  stalls 2"));
    EXPECT_TRUE(any_line_is(c, "overlay cost: CPU 0.012 ms  GPU 0.000 ms"));
    EXPECT_EQ(c.frame_times.label, "min 16.50 avg 16.60 max 16.70 ms");
    EXPECT_EQ(c.frame_times.ms.size(), 3u);
}

TEST(OverlayContent, IdenticalWhenOnlyTheVersionOrThePlaceChanged) {
    OverlayModel a = sample_model(), b = sample_model();
    b.version = a.version + 7; // the compositor refreshed it, nothing moved
    b.x = 100;                 // the place is the renderer's business, not the content's
    b.y = 40;
    EXPECT_EQ(format_overlay_content(a), format_overlay_content(b));
}

TEST(OverlayContent, IdenticalWhenANumberChangesBelowItsPrintedPrecision) {
    OverlayModel a = sample_model(), b = sample_model();
    b.outputs[0].fps = 59.91;   // still "59.9"
    b.overlay_cpu_ms = 0.01249; // still "0.012"
    EXPECT_EQ(format_overlay_content(a), format_overlay_content(b));
}

TEST(OverlayContent, DiffersWhenAShownNumberChanges) {
    const OverlayModel a = sample_model();
    OverlayModel b = a;
    b.outputs[0].stalls = 3;
    EXPECT_NE(format_overlay_content(a), format_overlay_content(b));
    b = a;
    b.frame_time_ms[1] = 16.8f; // the graph is content too
    EXPECT_NE(format_overlay_content(a), format_overlay_content(b));
    b = a;
    b.clients[0].last_reason = FallbackReason::ForcedCopy;
    EXPECT_NE(format_overlay_content(a), format_overlay_content(b));
}

TEST(OverlayContent, FallbackRowsOnlyForReasonsThatHappened) {
    OverlayModel m = sample_model();
    const size_t plain = format_overlay_content(m).tail.size();
    m.fallback_counts[size_t(FallbackReason::ForcedCopy)] = 3;
    EXPECT_EQ(format_overlay_content(m).tail.size(), plain + 1);
}

} // namespace
} // namespace zcd
