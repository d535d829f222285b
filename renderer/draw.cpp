// Recording draws into the frame: clear, scissor, textured quads (with the
// 1:1 copy fast path) and solid quads -- the wlr_renderer_impl draw entries.
#include "renderer/vulkan_renderer.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace zcd::render {

namespace {

void matrix_multiply(float out[9], const float a[9], const float b[9]) {
    float m[9];
    for (int row = 0; row < 3; ++row)
        for (int col = 0; col < 3; ++col)
            m[row * 3 + col] = a[row * 3 + 0] * b[0 * 3 + col] + a[row * 3 + 1] * b[1 * 3 + col] +
                               a[row * 3 + 2] * b[2 * 3 + col];
    std::memcpy(out, m, sizeof(m));
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
    begin_target_transfer(r, target);
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

} // namespace

void impl_clear(wlr_renderer* wr, const float color[4]) {
    VulkanRenderer& r = get_renderer(wr);
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
    VulkanRenderer& r = get_renderer(wr);
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

bool impl_render_subtexture(wlr_renderer* wr, wlr_texture* wt, const wlr_fbox* box,
                            const float matrix[9], float alpha) {
    VulkanRenderer& r = get_renderer(wr);
    VulkanTexture* t = vulkan_texture_from(wt);
    if (!t || t->renderer != &r) {
        wlr_log(WLR_ERROR, "vulkan: cannot render a texture from another renderer");
        return false;
    }
    if (!r.recording)
        return false;
    if (!t->set)
        return false; // no pixels (a pool resize whose copy failed): drawn as nothing
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
    VulkanRenderer& r = get_renderer(wr);
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

} // namespace zcd::render
