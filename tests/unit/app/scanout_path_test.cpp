// The output hop's rules (common/scanout_path.hpp): when a frame may be a
// direct scanout, what a composed frame's render target makes of it, and
// when presentation feedback may say ZERO_COPY.
#include <gtest/gtest.h>

#include "common/scanout_path.hpp"

namespace zcd {
namespace {

ScanoutSurface covering(int32_t w = 1920, int32_t h = 1080) {
    ScanoutSurface s;
    s.width = s.buffer_width = w;
    s.height = s.buffer_height = h;
    s.opaque = true;
    s.zero_copy_import = true;
    s.cpu_readable = true;
    return s;
}

ScanoutFrame frame_with(std::vector<ScanoutSurface> surfaces) {
    ScanoutFrame f;
    f.output_width = 1920;
    f.output_height = 1080;
    f.surfaces = std::move(surfaces);
    return f;
}

DirectScanoutMiss miss_of(const ScanoutFrame& f) {
    size_t index = 99;
    return direct_scanout_candidate(f, &index);
}

TEST(ScanoutPath, OneOpaqueZeroCopyBufferCoveringTheOutputIsScannedOut) {
    ScanoutFrame f = frame_with({covering()});
    size_t index = 99;
    EXPECT_EQ(direct_scanout_candidate(f, &index), DirectScanoutMiss::None);
    EXPECT_EQ(index, 0u);
}

TEST(ScanoutPath, SurfacesOutsideTheOutputDoNotCount) {
    ScanoutSurface off = covering(200, 100);
    off.x = 1920; // right of the output
    ScanoutSurface empty = covering(0, 0);
    ScanoutFrame f = frame_with({off, covering(), empty});
    size_t index = 99;
    EXPECT_EQ(direct_scanout_candidate(f, &index), DirectScanoutMiss::None);
    EXPECT_EQ(index, 1u);
}

TEST(ScanoutPath, EachRuleNamesItsMiss) {
    ScanoutFrame f = frame_with({covering()});
    f.enabled = false;
    EXPECT_EQ(miss_of(f), DirectScanoutMiss::Disabled);

    f = frame_with({covering()});
    f.overlay_shown = true;
    EXPECT_EQ(miss_of(f), DirectScanoutMiss::Overlay);

    EXPECT_EQ(miss_of(frame_with({})), DirectScanoutMiss::NoSurface);

    ScanoutSurface sub = covering(100, 100);
    sub.x = 10;
    EXPECT_EQ(miss_of(frame_with({covering(), sub})), DirectScanoutMiss::SeveralSurfaces);

    ScanoutSurface shifted = covering();
    shifted.x = 8;
    EXPECT_EQ(miss_of(frame_with({shifted})), DirectScanoutMiss::NotCovering);
    EXPECT_EQ(miss_of(frame_with({covering(1280, 720)})), DirectScanoutMiss::NotCovering);

    ScanoutSurface scaled = covering();
    scaled.buffer_width = 960;
    scaled.buffer_height = 540;
    EXPECT_EQ(miss_of(frame_with({scaled})), DirectScanoutMiss::Scaled);
    ScanoutSurface viewport = covering();
    viewport.viewport = true;
    EXPECT_EQ(miss_of(frame_with({viewport})), DirectScanoutMiss::Scaled);

    ScanoutSurface rotated = covering();
    rotated.transformed = true;
    EXPECT_EQ(miss_of(frame_with({rotated})), DirectScanoutMiss::Transformed);

    ScanoutSurface alpha = covering();
    alpha.opaque = false;
    EXPECT_EQ(miss_of(frame_with({alpha})), DirectScanoutMiss::NotOpaque);

    ScanoutSurface copied = covering();
    copied.zero_copy_import = false;
    EXPECT_EQ(miss_of(frame_with({copied})), DirectScanoutMiss::CopiedImport);

    ScanoutSurface unreadable = covering();
    unreadable.cpu_readable = false;
    f = frame_with({unreadable});
    EXPECT_EQ(miss_of(f), DirectScanoutMiss::None); // no capture due: fine
    f.capture_due = true;
    EXPECT_EQ(miss_of(f), DirectScanoutMiss::Capture);
}

TEST(ScanoutPath, ComposedFramesAreClassifiedByTheirRenderTarget) {
    const uint64_t frame = 1920ull * 1080 * 4;
    OutputHop in_place =
        composed_output_hop(RenderTargetKind::InPlace, frame, 0, DirectScanoutMiss::Overlay);
    EXPECT_EQ(in_place.path, ScanoutPath::ComposedZeroCopy);
    EXPECT_EQ(in_place.reason, ScanoutCopyReason::None);
    EXPECT_EQ(in_place.bytes_copied, 0u);
    EXPECT_EQ(in_place.miss, DirectScanoutMiss::Overlay);

    OutputHop readback =
        composed_output_hop(RenderTargetKind::Readback, frame, 2, DirectScanoutMiss::NoSurface);
    EXPECT_EQ(readback.path, ScanoutPath::ComposedCopy);
    EXPECT_EQ(readback.reason, ScanoutCopyReason::Readback);
    EXPECT_EQ(readback.bytes_copied, 2 * frame);

    OutputHop dumb =
        composed_output_hop(RenderTargetKind::InPlaceDumb, frame, 0, DirectScanoutMiss::Overlay);
    EXPECT_EQ(dumb.path, ScanoutPath::ComposedCopy);
    EXPECT_EQ(dumb.reason, ScanoutCopyReason::DumbBuffer);
    EXPECT_EQ(dumb.bytes_copied, frame);

    // A render target the display device imported (guest memory as a
    // dma-buf, a virtio-gpu blob): nothing is transferred per flush.
    OutputHop imported = composed_output_hop(RenderTargetKind::InPlaceDisplayImport, frame, 0,
                                             DirectScanoutMiss::NotCovering);
    EXPECT_EQ(imported.path, ScanoutPath::ComposedZeroCopy);
    EXPECT_EQ(imported.reason, ScanoutCopyReason::None);
    EXPECT_EQ(imported.bytes_copied, 0u);
    EXPECT_EQ(imported.miss, DirectScanoutMiss::NotCovering);

    OutputHop pixman =
        composed_output_hop(RenderTargetKind::Unknown, frame, 0, DirectScanoutMiss::Overlay);
    EXPECT_EQ(pixman.path, ScanoutPath::ComposedCopy);
    EXPECT_EQ(pixman.reason, ScanoutCopyReason::Unclassified);
    EXPECT_EQ(pixman.bytes_copied, 0u); // unknown, not guessed

    // A composed frame always names why it was not a direct scanout.
    EXPECT_NE(
        composed_output_hop(RenderTargetKind::InPlace, frame, 0, DirectScanoutMiss::None).miss,
        DirectScanoutMiss::None);
}

TEST(ScanoutPath, ZeroCopyFlagNeedsBothHops) {
    EXPECT_TRUE(presented_zero_copy(true, ScanoutPath::ComposedZeroCopy));
    EXPECT_FALSE(presented_zero_copy(true, ScanoutPath::ComposedCopy));
    EXPECT_FALSE(presented_zero_copy(false, ScanoutPath::ComposedZeroCopy));
    EXPECT_FALSE(presented_zero_copy(false, ScanoutPath::ComposedCopy));
    EXPECT_TRUE(presented_zero_copy(true, ScanoutPath::DirectScanout));
}

TEST(ScanoutPath, NamesRoundTrip) {
    for (int i = 0; i < kScanoutPathCount; ++i)
        EXPECT_EQ(scanout_path_from_string(to_string(static_cast<ScanoutPath>(i))),
                  static_cast<ScanoutPath>(i));
    for (int i = 0; i < kScanoutCopyReasonCount; ++i)
        EXPECT_EQ(scanout_copy_reason_from_string(to_string(static_cast<ScanoutCopyReason>(i))),
                  static_cast<ScanoutCopyReason>(i));
    for (int i = 0; i < kDirectScanoutMissCount; ++i) {
        auto m = static_cast<DirectScanoutMiss>(i);
        EXPECT_NE(to_string(m), "unknown");
        EXPECT_EQ(direct_scanout_miss_from_string(to_string(m)), m);
    }
    EXPECT_FALSE(scanout_path_from_string("zero_copy"));
}

} // namespace
} // namespace zcd
