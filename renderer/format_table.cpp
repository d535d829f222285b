#include "renderer/format_table.hpp"

#include <array>

#include <drm_fourcc.h>

namespace zcd::render {

namespace {
// DRM fourccs name channels from the most significant bit of a little-endian
// word, so ARGB8888 is B,G,R,A in memory = VK_FORMAT_B8G8R8A8_UNORM.
constexpr std::array kFormats{
    PixelFormat{DRM_FORMAT_ARGB8888, VK_FORMAT_B8G8R8A8_UNORM, true, true, 4},
    PixelFormat{DRM_FORMAT_XRGB8888, VK_FORMAT_B8G8R8A8_UNORM, false, true, 4},
    PixelFormat{DRM_FORMAT_ABGR8888, VK_FORMAT_R8G8B8A8_UNORM, true, false, 4},
    PixelFormat{DRM_FORMAT_XBGR8888, VK_FORMAT_R8G8B8A8_UNORM, false, false, 4},
};
} // namespace

std::span<const PixelFormat> pixel_formats() {
    return kFormats;
}

std::optional<PixelFormat> pixel_format_from_drm(uint32_t drm_fourcc) {
    for (const auto& f : kFormats)
        if (f.drm_fourcc == drm_fourcc)
            return f;
    return std::nullopt;
}

std::optional<uint32_t> drm_from_vk_format(VkFormat format, bool has_alpha) {
    for (const auto& f : kFormats)
        if (f.vk_format == format && f.has_alpha == has_alpha)
            return f.drm_fourcc;
    return std::nullopt;
}

} // namespace zcd::render
