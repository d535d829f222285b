// The wlr_renderer implementation: frame recording (begin/clear/scissor/
// draws/end), formats, read_pixels, and the public functions of renderer.hpp.
#include "renderer/vulkan_renderer.hpp"

#include "renderer/overlay.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <unistd.h>

namespace zcd::render {

int64_t monotonic_ns() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
}

namespace {

// Timestamp queries of the one frame in flight.
constexpr uint32_t kQueryFrameBegin = 0, kQueryFrameEnd = 1, kQueryOverlayBegin = 2,
                   kQueryOverlayEnd = 3, kQueryCount = 4;

const wlr_renderer_impl& renderer_impl();

VulkanRenderer& get(wlr_renderer* w) {
    return *reinterpret_cast<VulkanRenderer*>(w);
}

void matrix_multiply(float out[9], const float a[9], const float b[9]) {
    float m[9];
    for (int row = 0; row < 3; ++row)
        for (int col = 0; col < 3; ++col)
            m[row * 3 + col] = a[row * 3 + 0] * b[0 * 3 + col] + a[row * 3 + 1] * b[1 * 3 + col] +
                               a[row * 3 + 2] * b[2 * 3 + col];
    std::memcpy(out, m, sizeof(m));
}

void begin_pass(VulkanRenderer& r) {
    RenderTarget& t = *r.bound;
    VkRenderPassBeginInfo bi{VK_STRUCTURE_TYPE_RENDER_PASS_BEGIN_INFO};
    bi.renderPass = r.render_pass;
    bi.framebuffer = t.framebuffer;
    bi.renderArea.extent = {t.width, t.height};
    vkCmdBeginRenderPass(r.cmd, &bi, VK_SUBPASS_CONTENTS_INLINE);
    VkViewport vp{0.0f, 0.0f, float(r.viewport_w), float(r.viewport_h), 0.0f, 1.0f};
    vkCmdSetViewport(r.cmd, 0, 1, &vp);
    vkCmdSetScissor(r.cmd, 0, 1, &r.scissor);
    r.in_pass = true;
}

void end_pass(VulkanRenderer& r) {
    if (r.in_pass)
        vkCmdEndRenderPass(r.cmd);
    r.in_pass = false;
}

// Brings the bound target into COLOR_ATTACHMENT_OPTIMAL, seeding a fresh
// target's image with the buffer's current pixels first.
void prepare_target(VulkanRenderer& r, RenderTarget& t) {
    if (t.needs_seed) {
        image_barrier(r.cmd, t.image, VK_IMAGE_LAYOUT_UNDEFINED,
                      VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT, 0,
                      VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT);
        VkBufferImageCopy region{};
        region.imageSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1};
        region.imageExtent = {t.width, t.height, 1};
        vkCmdCopyBufferToImage(r.cmd, t.readback, t.image, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, 1,
                               &region);
        t.layout = VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL;
        t.needs_seed = false;
    }
    image_barrier(r.cmd, t.image, t.layout, VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL,
                  VK_PIPELINE_STAGE_TRANSFER_BIT | VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT,
                  VK_ACCESS_TRANSFER_WRITE_BIT | VK_ACCESS_TRANSFER_READ_BIT |
                      VK_ACCESS_COLOR_ATTACHMENT_WRITE_BIT,
                  VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT,
                  VK_ACCESS_COLOR_ATTACHMENT_READ_BIT | VK_ACCESS_COLOR_ATTACHMENT_WRITE_BIT);
    t.layout = VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL;
}

void free_deferred(VulkanRenderer& r) {
    for (VulkanTexture* t : r.deferred_destroy) {
        destroy_texture_resources(*t);
        recycle_texture(r, t);
    }
    r.deferred_destroy.clear();
    for (VulkanTexture* t : r.textures)
        t->in_use_this_frame = false;
}

void read_gpu_timing(VulkanRenderer& r) {
    if (!r.query_pool)
        return;
    uint64_t ts[2]{};
    if (vkGetQueryPoolResults(r.vk.device, r.query_pool, kQueryFrameBegin, 2, sizeof(ts), ts,
                              sizeof(uint64_t), VK_QUERY_RESULT_64_BIT) != VK_SUCCESS)
        return;
    double period = r.vk.props.limits.timestampPeriod;
    GpuFrameTiming timing;
    timing.frame_seq = r.frame_seq;
    uint64_t span = (ts[1] - ts[0]) & r.vk.timestamp_mask;
    if (r.vk.has_calibrated) {
        // One calibration per frame: the pair (device tick, CLOCK_MONOTONIC)
        // taken now anchors this frame's ticks on the monotonic clock.
        VkCalibratedTimestampInfoEXT infos[2] = {
            {VK_STRUCTURE_TYPE_CALIBRATED_TIMESTAMP_INFO_EXT, nullptr, VK_TIME_DOMAIN_DEVICE_EXT},
            {VK_STRUCTURE_TYPE_CALIBRATED_TIMESTAMP_INFO_EXT, nullptr,
             VK_TIME_DOMAIN_CLOCK_MONOTONIC_EXT}};
        uint64_t now[2]{}, deviation = 0;
        if (r.vk.get_calibrated_timestamps(r.vk.device, 2, infos, now, &deviation) == VK_SUCCESS) {
            int64_t back_ticks = static_cast<int64_t>((now[0] - ts[0]) & r.vk.timestamp_mask);
            timing.gpu_begin_ns = static_cast<int64_t>(now[1]) - int64_t(back_ticks * period);
            timing.gpu_end_ns = timing.gpu_begin_ns + int64_t(span * period);
            timing.on_monotonic = true;
        }
    }
    if (!timing.on_monotonic) {
        timing.gpu_begin_ns = int64_t(ts[0] * period);
        timing.gpu_end_ns = timing.gpu_begin_ns + int64_t(span * period);
    }
    r.last_timing = timing;
    r.have_timing = true;
}

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

// Copies the finished frame from the readback buffer into the wlr_buffer's memory.
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

// Records a copy of the target image into a host buffer (outside a pass);
// leaves the image in TRANSFER_SRC_OPTIMAL.
void copy_target_to(VulkanRenderer& r, RenderTarget& t, VkBuffer dst) {
    image_barrier(r.cmd, t.image, t.layout, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL,
                  VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT,
                  VK_ACCESS_COLOR_ATTACHMENT_WRITE_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT,
                  VK_ACCESS_TRANSFER_READ_BIT);
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

void store_overlay_cost(VulkanRenderer& r, int64_t cpu_ns, const OverlayRect& rect) {
    OverlayCost cost;
    cost.frame_seq = r.frame_seq;
    cost.cpu_ns = cpu_ns;
    cost.x = rect.x;
    cost.y = rect.y;
    cost.width = rect.width;
    cost.height = rect.height;
    uint64_t ts[2]{};
    if (r.query_pool &&
        vkGetQueryPoolResults(r.vk.device, r.query_pool, kQueryOverlayBegin, 2, sizeof(ts), ts,
                              sizeof(uint64_t), VK_QUERY_RESULT_64_BIT) == VK_SUCCESS)
        cost.gpu_ns = int64_t(double((ts[1] - ts[0]) & r.vk.timestamp_mask) *
                              r.vk.props.limits.timestampPeriod);
    r.overlay_cost = cost;
    r.have_overlay_cost = true;
}

// --- wlr_renderer_impl -------------------------------------------------

bool impl_bind_buffer(wlr_renderer* wr, wlr_buffer* buffer) {
    VulkanRenderer& r = get(wr);
    if (r.bound) {
        wlr_buffer* old = r.bound->buffer;
        r.bound = nullptr;
        wlr_buffer_unlock(old); // may destroy the buffer and with it the target
    }
    if (!buffer)
        return true;
    RenderTarget* target = get_render_target(r, buffer);
    if (!target)
        return false;
    wlr_buffer_lock(buffer);
    r.bound = target;
    return true;
}

void impl_begin(wlr_renderer* wr, uint32_t width, uint32_t height) {
    VulkanRenderer& r = get(wr);
    r.in_frame = true;
    r.frame_has_draws = false;
    r.viewport_w = width;
    r.viewport_h = height;
    // Output pixels -> Vulkan NDC.  Vulkan's y axis points down like the
    // buffer's rows, so pixel (0,0) is NDC (-1,-1) and row 0 is memory row 0.
    const float proj[9] = {
        2.0f / float(width), 0.0f, -1.0f, 0.0f, 2.0f / float(height), -1.0f, 0.0f, 0.0f, 1.0f};
    std::memcpy(r.projection, proj, sizeof(proj));
    r.scissor = {{0, 0}, {width, height}};
    if (!r.bound) {
        wlr_log(WLR_ERROR, "vulkan: begin() without a bound buffer; frame dropped");
        return;
    }
    r.scissor.extent = {std::min(width, r.bound->width), std::min(height, r.bound->height)};
    vkResetCommandBuffer(r.cmd, 0);
    VkCommandBufferBeginInfo bi{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
    bi.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
    vkBeginCommandBuffer(r.cmd, &bi);
    ++r.frame_seq;
    if (r.query_pool) {
        vkCmdResetQueryPool(r.cmd, r.query_pool, 0, kQueryCount);
        vkCmdWriteTimestamp(r.cmd, VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT, r.query_pool,
                            kQueryFrameBegin);
    }
    for (VulkanTexture* t : r.textures)
        if (t->upload_pending)
            record_texture_upload(r, *t);
    if (r.overlay_model && !r.overlay) {
        // First frame with an overlay: set ImGui up, fonts upload in this frame.
        r.overlay = overlay_create(r, r.cmd);
        r.overlay_upload_pending = r.overlay != nullptr;
        if (!r.overlay)
            r.overlay_model = nullptr; // logged; do not retry every frame
    }
    prepare_target(r, *r.bound);
    r.recording = true;
    begin_pass(r);
}

void impl_end(wlr_renderer* wr) {
    VulkanRenderer& r = get(wr);
    bool overlay_drawn = false;
    bool captured_without_overlay = false;
    int64_t overlay_cpu_ns = 0;
    OverlayRect overlay_rect;
    if (r.recording) {
        RenderTarget& t = *r.bound;
        // Only frames that drew something get the overlay: a frame opened
        // just to read pixels (screencopy) must not paint it a second time.
        if (r.overlay && r.overlay_model && r.frame_has_draws) {
            // Only a frame that will be captured pays for a copy without
            // the overlay: every other frame goes to the display as is.
            if (!r.overlay_in_capture && r.capture_requested && ensure_capture_buffer(r, t)) {
                // Keep the composed frame without the overlay for read_pixels.
                end_pass(r);
                copy_target_to(r, t, t.capture);
                prepare_target(r, t);
                begin_pass(r);
                captured_without_overlay = true;
            }
            VkRect2D full{{0, 0}, {t.width, t.height}};
            vkCmdSetScissor(r.cmd, 0, 1, &full);
            if (r.query_pool)
                vkCmdWriteTimestamp(r.cmd, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, r.query_pool,
                                    kQueryOverlayBegin);
            const int64_t cpu_begin = monotonic_ns();
            overlay_rect = overlay_record(r.overlay, *r.overlay_model, r.cmd, t.width, t.height);
            overlay_cpu_ns = monotonic_ns() - cpu_begin;
            if (r.query_pool)
                vkCmdWriteTimestamp(r.cmd, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, r.query_pool,
                                    kQueryOverlayEnd);
            overlay_drawn = true;
        }
        end_pass(r);
        if (!t.in_place) {
            copy_target_to(r, t, t.readback);
        } else {
            // The display reads the buffer's memory directly: leave it in GENERAL.
            image_barrier(r.cmd, t.image, t.layout, VK_IMAGE_LAYOUT_GENERAL,
                          VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT,
                          VK_ACCESS_COLOR_ATTACHMENT_WRITE_BIT,
                          VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, 0);
            t.layout = VK_IMAGE_LAYOUT_GENERAL;
        }
        if (r.query_pool)
            vkCmdWriteTimestamp(r.cmd, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, r.query_pool,
                                kQueryFrameEnd);
        vkEndCommandBuffer(r.cmd);
        VkSubmitInfo si{VK_STRUCTURE_TYPE_SUBMIT_INFO};
        si.commandBufferCount = 1;
        si.pCommandBuffers = &r.cmd;
        VkResult res = vkQueueSubmit(r.vk.queue, 1, &si, r.fence);
        if (res == VK_SUCCESS)
            res = vkWaitForFences(r.vk.device, 1, &r.fence, VK_TRUE, UINT64_MAX);
        vkResetFences(r.vk.device, 1, &r.fence);
        if (res != VK_SUCCESS) {
            wlr_log(WLR_ERROR, "vulkan: frame submission failed: %s", vk_result_name(res));
        } else {
            read_gpu_timing(r);
            if (overlay_drawn)
                store_overlay_cost(r, overlay_cpu_ns, overlay_rect);
            if (r.frame_has_draws)
                t.capture_valid = captured_without_overlay;
            if (r.overlay_upload_pending) {
                overlay_upload_done(r.overlay);
                r.overlay_upload_pending = false;
            }
            const uint64_t frame_bytes = uint64_t{t.width} * t.height * 4;
            r.last_target = FrameTarget{r.frame_seq, RenderTargetKind::InPlace, frame_bytes, 0};
            if (!t.in_place) {
                t.readback_valid = true;
                write_back_to_buffer(t);
                // GPU image -> readback buffer, CPU readback -> output buffer.
                r.last_target.kind = RenderTargetKind::Readback;
                r.last_target.copies = 2;
            } else {
                t.readback_valid = false;
                if (t.dumb)
                    r.last_target.kind = RenderTargetKind::InPlaceDumb;
            }
        }
    }
    r.recording = false;
    r.in_frame = false;
    r.capture_requested = false;
    free_deferred(r);
}

void impl_clear(wlr_renderer* wr, const float color[4]) {
    VulkanRenderer& r = get(wr);
    if (!r.recording)
        return;
    VkClearAttachment att{};
    att.aspectMask = VK_IMAGE_ASPECT_COLOR_BIT;
    att.colorAttachment = 0;
    std::memcpy(att.clearValue.color.float32, color, 4 * sizeof(float));
    VkClearRect rect{r.scissor, 0, 1};
    if (rect.rect.extent.width == 0 || rect.rect.extent.height == 0)
        return;
    vkCmdClearAttachments(r.cmd, 1, &att, 1, &rect);
    r.frame_has_draws = true;
}

void impl_scissor(wlr_renderer* wr, wlr_box* box /* may be null */) {
    VulkanRenderer& r = get(wr);
    uint32_t w = r.viewport_w, h = r.viewport_h;
    if (r.bound) {
        w = std::min(w, r.bound->width);
        h = std::min(h, r.bound->height);
    }
    if (!box) {
        r.scissor = {{0, 0}, {w, h}};
    } else {
        int32_t x0 = std::clamp(box->x, 0, int32_t(w));
        int32_t y0 = std::clamp(box->y, 0, int32_t(h));
        int32_t x1 = std::clamp(box->x + box->width, x0, int32_t(w));
        int32_t y1 = std::clamp(box->y + box->height, y0, int32_t(h));
        r.scissor = {{x0, y0}, {uint32_t(x1 - x0), uint32_t(y1 - y0)}};
    }
    if (r.recording)
        vkCmdSetScissor(r.cmd, 0, 1, &r.scissor);
}

void fill_matrix(VulkanRenderer& r, PushConstants& pc, const float matrix[9]) {
    float m[9];
    matrix_multiply(m, r.projection, matrix);
    std::memcpy(pc.mat_row0, m, 3 * sizeof(float));
    std::memcpy(pc.mat_row1, m + 3, 3 * sizeof(float));
}

bool integral(double v) {
    return std::floor(v) == v;
}

// Headless fast path: an opaque B,G,R,X client buffer shown 1:1 (no scale,
// rotation or alpha) is copied into the target with vkCmdCopyBufferToImage
// instead of shading a quad -- on lavapipe shading a full-screen quad costs
// an order of magnitude more CPU than the copy.  Still zero-copy on the
// client's side: the GPU reads the client's (imported) memory once, as the
// shader would.  Returns false when the draw does not qualify.
bool try_copy_draw(VulkanRenderer& r, VulkanTexture& t, const wlr_fbox& box, const float m[9],
                   float alpha) {
    RenderTarget& target = *r.bound;
    if (t.kind != TextureKind::Buffer || t.format.has_alpha || !t.format.bgra_memory_order ||
        alpha < 1.0f || target.drm_format != DRM_FORMAT_XRGB8888)
        return false;
    if (m[1] != 0.0f || m[3] != 0.0f || m[6] != 0.0f || m[7] != 0.0f || m[8] != 1.0f)
        return false;
    if (!integral(box.x) || !integral(box.y) || !integral(box.width) || !integral(box.height) ||
        double(m[0]) != box.width || double(m[4]) != box.height || !integral(m[2]) ||
        !integral(m[5]) || box.x < 0 || box.y < 0 || box.x + box.width > t.base.width ||
        box.y + box.height > t.base.height)
        return false;
    const int64_t dx = int64_t(m[2]), dy = int64_t(m[5]);
    const int64_t w = int64_t(box.width), h = int64_t(box.height);
    const int64_t x0 = std::max<int64_t>(dx, r.scissor.offset.x);
    const int64_t y0 = std::max<int64_t>(dy, r.scissor.offset.y);
    const int64_t x1 = std::min<int64_t>(dx + w, r.scissor.offset.x + r.scissor.extent.width);
    const int64_t y1 = std::min<int64_t>(dy + h, r.scissor.offset.y + r.scissor.extent.height);
    if (x1 <= x0 || y1 <= y0)
        return true; // entirely clipped: nothing to draw
    const uint64_t src_x = uint64_t(box.x) + uint64_t(x0 - dx);
    const uint64_t src_y = uint64_t(box.y) + uint64_t(y0 - dy);
    end_pass(r);
    image_barrier(r.cmd, target.image, target.layout, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL,
                  VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT,
                  VK_ACCESS_COLOR_ATTACHMENT_WRITE_BIT | VK_ACCESS_COLOR_ATTACHMENT_READ_BIT,
                  VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT);
    target.layout = VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL;
    VkBufferImageCopy region{};
    region.bufferOffset = (t.word_offset + src_y * t.stride_words + src_x) * 4;
    region.bufferRowLength = t.stride_words;
    region.imageSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1};
    region.imageOffset = {int32_t(x0), int32_t(y0), 0};
    region.imageExtent = {uint32_t(x1 - x0), uint32_t(y1 - y0), 1};
    vkCmdCopyBufferToImage(r.cmd, t.buffer, target.image, target.layout, 1, &region);
    prepare_target(r, target);
    begin_pass(r);
    return true;
}

bool impl_render_subtexture(wlr_renderer* wr, wlr_texture* wt, const wlr_fbox* box,
                            const float matrix[9], float alpha) {
    VulkanRenderer& r = get(wr);
    VulkanTexture* t = vulkan_texture_from(wt);
    if (!t || t->renderer != &r) {
        wlr_log(WLR_ERROR, "vulkan: cannot render a texture from another renderer");
        return false;
    }
    if (!r.recording)
        return false;
    if (t->upload_pending) {
        // Created or updated inside this frame: uploads cannot be recorded
        // inside a render pass, so split the pass (rare).
        end_pass(r);
        record_texture_upload(r, *t);
        prepare_target(r, *r.bound);
        begin_pass(r);
    }
    if (try_copy_draw(r, *t, *box, matrix, alpha)) {
        t->in_use_this_frame = true;
        r.frame_has_draws = true;
        return true;
    }
    PushConstants pc{};
    fill_matrix(r, pc, matrix);
    const float tw = float(wt->width), th = float(wt->height);
    pc.uv_offset_scale[0] = float(box->x) / tw;
    pc.uv_offset_scale[1] = float(box->y) / th;
    pc.uv_offset_scale[2] = float(box->width) / tw;
    pc.uv_offset_scale[3] = float(box->height) / th;
    pc.params[0] = alpha;
    pc.params[1] = t->format.has_alpha ? 0.0f : 1.0f;
    pc.params[2] = t->format.bgra_memory_order ? 1.0f : 0.0f;
    pc.buffer_layout[0] = t->word_offset;
    pc.buffer_layout[1] = t->stride_words;
    pc.buffer_layout[2] = wt->width;
    pc.buffer_layout[3] = wt->height;
    const bool buffer_kind = t->kind == TextureKind::Buffer;
    VkPipelineLayout layout = buffer_kind ? r.buffer_layout : r.image_layout;
    vkCmdBindPipeline(r.cmd, VK_PIPELINE_BIND_POINT_GRAPHICS,
                      buffer_kind ? r.buffer_pipeline : r.image_pipeline);
    vkCmdBindDescriptorSets(r.cmd, VK_PIPELINE_BIND_POINT_GRAPHICS, layout, 0, 1, &t->set, 0,
                            nullptr);
    vkCmdPushConstants(r.cmd, layout, VK_SHADER_STAGE_VERTEX_BIT | VK_SHADER_STAGE_FRAGMENT_BIT, 0,
                       sizeof(pc), &pc);
    vkCmdDraw(r.cmd, 4, 1, 0, 0);
    t->in_use_this_frame = true;
    r.frame_has_draws = true;
    return true;
}

void impl_render_quad(wlr_renderer* wr, const float color[4], const float matrix[9]) {
    VulkanRenderer& r = get(wr);
    if (!r.recording)
        return;
    PushConstants pc{};
    fill_matrix(r, pc, matrix);
    std::memcpy(pc.color, color, 4 * sizeof(float)); // wlroots colours are premultiplied
    vkCmdBindPipeline(r.cmd, VK_PIPELINE_BIND_POINT_GRAPHICS, r.solid_pipeline);
    vkCmdPushConstants(r.cmd, r.solid_layout,
                       VK_SHADER_STAGE_VERTEX_BIT | VK_SHADER_STAGE_FRAGMENT_BIT, 0, sizeof(pc),
                       &pc);
    vkCmdDraw(r.cmd, 4, 1, 0, 0);
    r.frame_has_draws = true;
}

const uint32_t* impl_get_shm_texture_formats(wlr_renderer* wr, size_t* len) {
    VulkanRenderer& r = get(wr);
    *len = r.shm_formats.size();
    return r.shm_formats.data();
}

const wlr_drm_format_set* impl_get_dmabuf_texture_formats(wlr_renderer* wr) {
    return &get(wr).dmabuf_formats;
}

const wlr_drm_format_set* impl_get_render_formats(wlr_renderer* wr) {
    return &get(wr).render_formats;
}

uint32_t impl_preferred_read_format(wlr_renderer* wr) {
    VulkanRenderer& r = get(wr);
    return r.bound ? r.bound->drm_format : DRM_FORMAT_XRGB8888;
}

bool impl_read_pixels(wlr_renderer* wr, uint32_t fmt, uint32_t* flags, uint32_t stride,
                      uint32_t width, uint32_t height, uint32_t src_x, uint32_t src_y,
                      uint32_t dst_x, uint32_t dst_y, void* data) {
    VulkanRenderer& r = get(wr);
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

int impl_get_drm_fd(wlr_renderer* wr) {
    return get(wr).drm_fd;
}

uint32_t impl_get_render_buffer_caps(wlr_renderer* wr) {
    VulkanRenderer& r = get(wr);
    uint32_t caps = WLR_BUFFER_CAP_DATA_PTR;
    if (renders_into_dmabufs(r))
        caps |= WLR_BUFFER_CAP_DMABUF;
    return caps;
}

wlr_texture* impl_texture_from_buffer(wlr_renderer* wr, wlr_buffer* buffer) {
    return texture_from_buffer(get(wr), buffer);
}

void destroy_renderer(VulkanRenderer* r) {
    if (r->vk.device) {
        vkDeviceWaitIdle(r->vk.device);
        free_deferred(*r);
        // Textures outlive us only as empty shells; wlroots frees them later.
        for (VulkanTexture* t : r->textures) {
            destroy_texture_resources(*t);
            t->renderer = nullptr;
        }
        r->textures.clear();
        for (VulkanTexture* t : r->spare_textures)
            delete t;
        r->spare_textures.clear();
        while (!r->targets.empty())
            destroy_render_target(r->targets.back());
        while (!r->import_cache.empty())
            destroy_import_cache_entry(r->import_cache.back());
        overlay_destroy(r->overlay);
        r->overlay = nullptr;
        if (r->query_pool)
            vkDestroyQueryPool(r->vk.device, r->query_pool, nullptr);
        if (r->fence)
            vkDestroyFence(r->vk.device, r->fence, nullptr);
        if (r->command_pool)
            vkDestroyCommandPool(r->vk.device, r->command_pool, nullptr);
        destroy_pipelines(*r);
    }
    wlr_drm_format_set_finish(&r->dmabuf_formats);
    wlr_drm_format_set_finish(&r->render_formats);
    if (r->own_drm_fd && r->drm_fd >= 0)
        close(r->drm_fd);
    destroy_device_context(r->vk);
    delete r;
}

void impl_destroy(wlr_renderer* wr) {
    destroy_renderer(&get(wr));
}

const wlr_renderer_impl& renderer_impl() {
    static const wlr_renderer_impl impl = [] {
        wlr_renderer_impl i{};
        i.bind_buffer = impl_bind_buffer;
        i.begin = impl_begin;
        i.end = impl_end;
        i.clear = impl_clear;
        i.scissor = impl_scissor;
        i.render_subtexture_with_matrix = impl_render_subtexture;
        i.render_quad_with_matrix = impl_render_quad;
        i.get_shm_texture_formats = impl_get_shm_texture_formats;
        i.get_dmabuf_texture_formats = impl_get_dmabuf_texture_formats;
        i.get_render_formats = impl_get_render_formats;
        i.preferred_read_format = impl_preferred_read_format;
        i.read_pixels = impl_read_pixels;
        i.destroy = impl_destroy;
        i.get_drm_fd = impl_get_drm_fd;
        i.get_render_buffer_caps = impl_get_render_buffer_caps;
        i.texture_from_buffer = impl_texture_from_buffer;
        return i;
    }();
    return impl;
}

bool create_frame_objects(VulkanRenderer& r) {
    VkDevice dev = r.vk.device;
    VkCommandPoolCreateInfo pci{VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO};
    pci.flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT;
    pci.queueFamilyIndex = r.vk.queue_family;
    if (vkCreateCommandPool(dev, &pci, nullptr, &r.command_pool) != VK_SUCCESS)
        return false;
    VkCommandBufferAllocateInfo ai{VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO};
    ai.commandPool = r.command_pool;
    ai.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
    ai.commandBufferCount = 1;
    if (vkAllocateCommandBuffers(dev, &ai, &r.cmd) != VK_SUCCESS)
        return false;
    VkFenceCreateInfo fci{VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
    if (vkCreateFence(dev, &fci, nullptr, &r.fence) != VK_SUCCESS)
        return false;
    if (r.vk.timestamps) {
        VkQueryPoolCreateInfo qci{VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO};
        qci.queryType = VK_QUERY_TYPE_TIMESTAMP;
        qci.queryCount = kQueryCount; // frame top/bottom, overlay begin/end
        if (vkCreateQueryPool(dev, &qci, nullptr, &r.query_pool) != VK_SUCCESS)
            r.query_pool = VK_NULL_HANDLE;
    }
    return true;
}

} // namespace

VulkanRenderer* vulkan_renderer_from(wlr_renderer* r) {
    if (!r || r->impl != &renderer_impl())
        return nullptr;
    return &get(r);
}

wlr_renderer* create_vulkan_renderer(const RendererOptions& options) {
    auto* r = new VulkanRenderer{};
    r->options = options;
    if (!create_device_context(r->vk, options) || !create_frame_objects(*r) ||
        !create_pipelines(*r)) {
        wlr_log(WLR_ERROR, "vulkan: renderer creation failed");
        destroy_renderer(r);
        return nullptr;
    }
    for (const PixelFormat& f : pixel_formats()) {
        r->shm_formats.push_back(f.drm_fourcc);
        // Render targets are B8G8R8A8 images; their buffers must match.
        if (f.bgra_memory_order) {
            wlr_drm_format_set_add(&r->render_formats, f.drm_fourcc, DRM_FORMAT_MOD_LINEAR);
            wlr_drm_format_set_add(&r->render_formats, f.drm_fourcc, DRM_FORMAT_MOD_INVALID);
        }
    }
    probe_dmabuf_formats(*r);
    if (options.drm_fd >= 0) {
        r->drm_fd = options.drm_fd;
    } else {
        // wlroots 0.15 needs *some* fd from get_drm_fd before it creates
        // linux-dmabuf-v1: it only fstat()s it to name the "main device" in
        // the default feedback.  Headless, without /dev/dri, there is no DRM
        // node, so we hand it /dev/null: the advertised main device is then
        // not a DRM node, which is the truth -- client buffers are imported
        // by our Vulkan device (lavapipe), not by a KMS device.
        r->drm_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
        r->own_drm_fd = r->drm_fd >= 0;
    }
    wlr_renderer_init(&r->base, &renderer_impl());
    r->probing_readonly_impl = true;
    const uint32_t pixel = 0;
    if (wlr_texture* probe =
            wlr_texture_from_pixels(&r->base, DRM_FORMAT_ARGB8888, 4, 1, 1, &pixel))
        wlr_texture_destroy(probe);
    r->probing_readonly_impl = false;
    return &r->base;
}

bool is_vulkan_renderer(wlr_renderer* renderer) {
    return vulkan_renderer_from(renderer) != nullptr;
}

const ImportRecord* texture_import_record(wlr_texture* texture) {
    VulkanTexture* t = vulkan_texture_from(texture);
    return t ? &t->record : nullptr;
}

bool last_gpu_frame_timing(wlr_renderer* renderer, GpuFrameTiming* out) {
    VulkanRenderer* r = vulkan_renderer_from(renderer);
    if (!r || !r->have_timing)
        return false;
    *out = r->last_timing;
    return true;
}

uint64_t validation_error_count(wlr_renderer* renderer) {
    VulkanRenderer* r = vulkan_renderer_from(renderer);
    return r ? r->vk.validation_errors.load() : 0;
}

ImportFailure last_import_failure(wlr_renderer* renderer) {
    VulkanRenderer* r = vulkan_renderer_from(renderer);
    return r ? r->last_failure : ImportFailure{};
}

DeviceInfo device_info(wlr_renderer* renderer) {
    DeviceInfo info;
    VulkanRenderer* r = vulkan_renderer_from(renderer);
    if (!r)
        return info;
    info.device_name = r->vk.props.deviceName;
    info.driver_name = r->vk.driver_name;
    info.api_version = r->vk.props.apiVersion;
    info.dmabuf_import = r->vk.has_dmabuf;
    info.drm_format_modifiers = r->vk.has_modifiers;
    info.host_pointer_import = r->vk.has_host_import;
    info.calibrated_timestamps = r->vk.has_calibrated;
    return info;
}

void set_overlay(wlr_renderer* renderer, const OverlayModel* model) {
    if (VulkanRenderer* r = vulkan_renderer_from(renderer))
        r->overlay_model = model;
}

void set_overlay_in_capture(wlr_renderer* renderer, bool on) {
    if (VulkanRenderer* r = vulkan_renderer_from(renderer))
        r->overlay_in_capture = on;
}

bool last_frame_target(wlr_renderer* renderer, FrameTarget* out) {
    VulkanRenderer* r = vulkan_renderer_from(renderer);
    if (!r || r->last_target.frame_seq == 0)
        return false;
    *out = r->last_target;
    return true;
}

void request_capture(wlr_renderer* renderer) {
    if (VulkanRenderer* r = vulkan_renderer_from(renderer))
        r->capture_requested = true;
}

bool last_overlay_cost(wlr_renderer* renderer, OverlayCost* out) {
    VulkanRenderer* r = vulkan_renderer_from(renderer);
    if (!r || !r->have_overlay_cost)
        return false;
    *out = r->overlay_cost;
    return true;
}

} // namespace zcd::render
