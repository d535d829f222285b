// Reading frames back: the copy of a finished frame into a data-pointer
// buffer (targets we cannot render into in place), copies of the target image
// into host buffers, and wlr_renderer_read_pixels (captures, screencopy).
#include "renderer/vulkan_renderer.hpp"

#include <cstring>

namespace zcd::render {

namespace {

// One row of B,G,R,A pixels.  XRGB targets get their X byte set: the 1:1
// copy fast path may have brought a client's undefined X byte into the image.
void copy_row(uint8_t* dst, const uint8_t* src, uint32_t pixels, bool force_opaque) {
    if (!force_opaque) {
        std::memcpy(dst, src, size_t{pixels} * 4);
        return;
    }
    for (uint32_t i = 0; i < pixels; ++i) {
        uint32_t v;
        std::memcpy(&v, src + 4 * i, 4);
        v |= 0xff000000u;
        std::memcpy(dst + 4 * i, &v, 4);
    }
}

} // namespace

void write_back_to_buffer(RenderTarget& t) {
    void* data = nullptr;
    uint32_t format = 0;
    size_t stride = 0;
    if (!wlr_buffer_begin_data_ptr_access(t.buffer, WLR_BUFFER_DATA_PTR_ACCESS_WRITE, &data,
                                          &format, &stride)) {
        wlr_log(WLR_ERROR, "vulkan: render target lost its data pointer");
        return;
    }
    const size_t row = size_t{t.width} * 4;
    for (uint32_t y = 0; y < t.height; ++y)
        copy_row(static_cast<uint8_t*>(data) + y * stride, t.readback_map + y * row, t.width,
                 t.drm_format == DRM_FORMAT_XRGB8888);
    wlr_buffer_end_data_ptr_access(t.buffer);
}

void copy_target_to(VulkanRenderer& r, RenderTarget& t, VkBuffer dst) {
    // The last write was a draw, or the overlay's copy.
    image_barrier(r.cmd, t.image, t.layout, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL,
                  VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT,
                  VK_ACCESS_COLOR_ATTACHMENT_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT,
                  VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_READ_BIT);
    t.layout = VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL;
    VkBufferImageCopy region{};
    region.imageSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1};
    region.imageExtent = {t.width, t.height, 1};
    vkCmdCopyImageToBuffer(r.cmd, t.image, t.layout, dst, 1, &region);
    VkBufferMemoryBarrier host{VK_STRUCTURE_TYPE_BUFFER_MEMORY_BARRIER};
    host.srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT;
    host.dstAccessMask = VK_ACCESS_HOST_READ_BIT;
    host.srcQueueFamilyIndex = host.dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED;
    host.buffer = dst;
    host.size = VK_WHOLE_SIZE;
    vkCmdPipelineBarrier(r.cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_HOST_BIT, 0, 0,
                         nullptr, 1, &host, 0, nullptr);
}

bool impl_read_pixels(wlr_renderer* wr, uint32_t fmt, uint32_t* flags, uint32_t stride,
                      uint32_t width, uint32_t height, uint32_t src_x, uint32_t src_y,
                      uint32_t dst_x, uint32_t dst_y, void* data) {
    VulkanRenderer& r = get_renderer(wr);
    if (flags)
        *flags = 0; // rows are top-down, never y-inverted
    if (!r.bound) {
        wlr_log(WLR_ERROR, "vulkan: read_pixels without a bound buffer");
        return false;
    }
    RenderTarget& t = *r.bound;
    auto pf = pixel_format_from_drm(fmt);
    if (!pf || pf->bytes_per_pixel != 4) {
        wlr_log(WLR_ERROR, "vulkan: read_pixels: unsupported format 0x%08x", fmt);
        return false;
    }
    if (src_x + width > t.width || src_y + height > t.height) {
        wlr_log(WLR_ERROR, "vulkan: read_pixels: rectangle outside the %ux%u buffer", t.width,
                t.height);
        return false;
    }
    if (r.in_frame && r.frame_has_draws) {
        wlr_log(WLR_ERROR, "vulkan: read_pixels inside a frame with draws: call it after "
                           "wlr_renderer_end()");
        return false;
    }
    // The frame: its copy without the overlay when one was asked for, else
    // the buffer's own memory when we render in place there, else the
    // readback (made now for a dmabuf target).
    const uint8_t* frame = nullptr;
    size_t frame_stride = size_t{t.width} * 4;
    if (t.capture_valid) {
        frame = t.capture_map;
    } else if (t.host_map) {
        frame = t.host_map;
        frame_stride = t.host_stride;
    } else {
        if (!t.readback_valid && !ensure_readback(r, t))
            return false;
        frame = t.readback_map;
    }
    const bool swap_rb = !pf->bgra_memory_order; // target memory is always B,G,R,A
    const bool force_opaque = t.drm_format == DRM_FORMAT_XRGB8888;
    for (uint32_t y = 0; y < height; ++y) {
        const uint8_t* src = frame + size_t(src_y + y) * frame_stride + size_t(src_x) * 4;
        uint8_t* dst = static_cast<uint8_t*>(data) + size_t(dst_y + y) * stride + size_t(dst_x) * 4;
        if (!swap_rb) {
            copy_row(dst, src, width, force_opaque);
        } else {
            for (uint32_t x = 0; x < width; ++x) {
                dst[4 * x + 0] = src[4 * x + 2];
                dst[4 * x + 1] = src[4 * x + 1];
                dst[4 * x + 2] = src[4 * x + 0];
                dst[4 * x + 3] = force_opaque ? 0xff : src[4 * x + 3];
            }
        }
    }
    return true;
}

} // namespace zcd::render
