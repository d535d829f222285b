// Pure tests: DRM fourcc <-> VkFormat table and dmabuf attribute checks.
#include <drm_fourcc.h>
#include <gtest/gtest.h>

#include "renderer/dmabuf_check.hpp"
#include "renderer/format_table.hpp"

namespace zcd::render {
namespace {

TEST(FormatTable, ArgbIsBgraInMemory) {
    auto f = pixel_format_from_drm(DRM_FORMAT_ARGB8888);
    ASSERT_TRUE(f);
    EXPECT_EQ(f->vk_format, VK_FORMAT_B8G8R8A8_UNORM);
    EXPECT_TRUE(f->has_alpha);
    EXPECT_TRUE(f->bgra_memory_order);
    EXPECT_EQ(f->bytes_per_pixel, 4u);
}

TEST(FormatTable, XFormatsShareTheVkFormatButNotAlpha) {
    auto x = pixel_format_from_drm(DRM_FORMAT_XBGR8888);
    ASSERT_TRUE(x);
    EXPECT_EQ(x->vk_format, VK_FORMAT_R8G8B8A8_UNORM);
    EXPECT_FALSE(x->has_alpha);
    EXPECT_FALSE(x->bgra_memory_order);
}

TEST(FormatTable, EveryEntryRoundTrips) {
    ASSERT_FALSE(pixel_formats().empty());
    for (const PixelFormat& f : pixel_formats()) {
        auto back = drm_from_vk_format(f.vk_format, f.has_alpha);
        ASSERT_TRUE(back);
        EXPECT_EQ(*back, f.drm_fourcc);
    }
}

TEST(FormatTable, UnknownFormatsAreNotGuessed) {
    EXPECT_FALSE(pixel_format_from_drm(DRM_FORMAT_NV12));
    EXPECT_FALSE(pixel_format_from_drm(DRM_FORMAT_XRGB2101010));
    EXPECT_FALSE(drm_from_vk_format(VK_FORMAT_R16G16B16A16_SFLOAT, true));
}

DmabufDesc valid_desc() {
    DmabufDesc d;
    d.width = 10;
    d.height = 4;
    d.drm_format = DRM_FORMAT_XRGB8888;
    d.modifier = DRM_FORMAT_MOD_LINEAR;
    d.n_planes = 1;
    d.planes[0] = {160, 0, 40};
    return d;
}

TEST(DmabufCheck, ExactFitIsAccepted) {
    EXPECT_EQ(check_dmabuf(valid_desc(), false).reason, FallbackReason::None);
}

TEST(DmabufCheck, LastRowNeedsOnlyItsPixelsNotAFullStride) {
    DmabufDesc d = valid_desc();
    d.planes[0].stride = 64;
    d.planes[0].fd_size = 64 * 3 + 40; // 3 full strides + one row of pixels
    EXPECT_EQ(check_dmabuf(d, false).reason, FallbackReason::None);
    d.planes[0].fd_size -= 1;
    EXPECT_EQ(check_dmabuf(d, false).reason, FallbackReason::InvalidAttributes);
}

TEST(DmabufCheck, OffsetPastTheEndIsInvalid) {
    DmabufDesc d = valid_desc();
    d.planes[0].offset = 4;
    EXPECT_EQ(check_dmabuf(d, false).reason, FallbackReason::InvalidAttributes);
}

TEST(DmabufCheck, StrideSmallerThanARowIsInvalid) {
    DmabufDesc d = valid_desc();
    d.planes[0].stride = 36;
    EXPECT_EQ(check_dmabuf(d, false).reason, FallbackReason::InvalidAttributes);
}

TEST(DmabufCheck, BadFdIsInvalid) {
    DmabufDesc d = valid_desc();
    d.planes[0].fd_size = -1;
    EXPECT_EQ(check_dmabuf(d, false).reason, FallbackReason::InvalidAttributes);
}

TEST(DmabufCheck, MultiPlaneAndUnknownFormatsAreUnsupported) {
    DmabufDesc d = valid_desc();
    d.n_planes = 2;
    EXPECT_EQ(check_dmabuf(d, false).reason, FallbackReason::FormatUnsupported);
    d = valid_desc();
    d.drm_format = DRM_FORMAT_NV12;
    EXPECT_EQ(check_dmabuf(d, false).reason, FallbackReason::FormatUnsupported);
}

TEST(DmabufCheck, TiledModifierNeedsTheExtension) {
    DmabufDesc d = valid_desc();
    d.modifier = I915_FORMAT_MOD_Y_TILED;
    EXPECT_EQ(check_dmabuf(d, false).reason, FallbackReason::ModifierUnsupported);
    EXPECT_EQ(check_dmabuf(d, true).reason, FallbackReason::None);
    d.modifier = DRM_FORMAT_MOD_INVALID; // implicit: treated as linear
    EXPECT_EQ(check_dmabuf(d, false).reason, FallbackReason::None);
}

TEST(DmabufCheck, HugeSizesDoNotOverflow) {
    DmabufDesc d = valid_desc();
    d.width = 0xffffffffu / 4;
    d.height = 0xffffffffu;
    d.planes[0].stride = 0xfffffffcu;
    d.planes[0].offset = 0xffffff00u;
    EXPECT_EQ(check_dmabuf(d, false).reason, FallbackReason::InvalidAttributes);
}

} // namespace
} // namespace zcd::render
