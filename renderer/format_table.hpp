// DRM fourcc <-> VkFormat: the single table both import paths and the
// linux-dmabuf format advertisement are derived from.  Pure (only the Vulkan
// enum header), so it is unit-tested without a device.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include <vulkan/vulkan_core.h>

namespace zcd::render {

struct PixelFormat {
    uint32_t drm_fourcc;
    VkFormat vk_format;     // format whose memory byte order matches the fourcc
    bool has_alpha;         // false: X formats, alpha channel ignored (sampled as 1)
    bool bgra_memory_order; // bytes in memory are B,G,R,A (ARGB8888/XRGB8888)
    uint32_t bytes_per_pixel;
};

// Every single-plane format the renderer can sample, preferred first.
std::span<const PixelFormat> pixel_formats();

// nullopt for formats the renderer does not know (multi-planar YUV, 10-bit,...).
std::optional<PixelFormat> pixel_format_from_drm(uint32_t drm_fourcc);

// The DRM fourcc a sampled VkFormat corresponds to, preferring the alpha
// variant; nullopt if none.
std::optional<uint32_t> drm_from_vk_format(VkFormat format, bool has_alpha);

} // namespace zcd::render
