#include "renderer/dmabuf_check.hpp"

#include <drm_fourcc.h>

#include "renderer/format_table.hpp"

namespace zcd::render {

uint64_t linear_extent_bytes(uint32_t stride, uint32_t width, uint32_t height,
                             uint32_t bytes_per_pixel) {
    if (width == 0 || height == 0)
        return 0;
    return uint64_t{stride} * (height - 1) + uint64_t{width} * bytes_per_pixel;
}

DmabufVerdict check_dmabuf(const DmabufDesc& d, bool can_import_modifiers) {
    auto fail = [](FallbackReason r, std::string why) { return DmabufVerdict{r, std::move(why)}; };
    if (d.width == 0 || d.height == 0)
        return fail(FallbackReason::InvalidAttributes, "zero-sized dmabuf");
    auto fmt = pixel_format_from_drm(d.drm_format);
    if (!fmt)
        return fail(FallbackReason::FormatUnsupported, "DRM format has no Vulkan mapping");
    if (d.n_planes != 1)
        return fail(FallbackReason::FormatUnsupported,
                    "expected 1 plane, got " + std::to_string(d.n_planes));
    // DRM_FORMAT_MOD_INVALID means "implicit modifier"; with only linear
    // import available we can only treat it as linear when the stride says so.
    if (d.modifier != DRM_FORMAT_MOD_LINEAR && d.modifier != DRM_FORMAT_MOD_INVALID &&
        !can_import_modifiers)
        return fail(FallbackReason::ModifierUnsupported, "non-linear modifier without "
                                                         "VK_EXT_image_drm_format_modifier");
    const DmabufPlaneDesc& p = d.planes[0];
    if (p.fd_size < 0)
        return fail(FallbackReason::InvalidAttributes, "plane fd is not a valid file");
    if (p.stride < uint64_t{d.width} * fmt->bytes_per_pixel)
        return fail(FallbackReason::InvalidAttributes, "stride smaller than a row");
    uint64_t end =
        p.offset + linear_extent_bytes(p.stride, d.width, d.height, fmt->bytes_per_pixel);
    if (end > static_cast<uint64_t>(p.fd_size))
        return fail(FallbackReason::InvalidAttributes,
                    "offset/stride reach past the end of the dmabuf (" + std::to_string(end) +
                        " > " + std::to_string(p.fd_size) + " bytes)");
    return {};
}

} // namespace zcd::render
