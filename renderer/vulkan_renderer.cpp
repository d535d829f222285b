// The wlr_renderer implementation: the frame's lifecycle (bind, begin, end
// with its single submit and wait), formats, creation and destruction.  Draws
// are recorded in draw.cpp, frames read back in readback.cpp, and the
// functions of renderer.hpp live in renderer_api.cpp.
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

void store_overlay_cost(VulkanRenderer& r, int64_t cpu_ns, const OverlayRect& rect,
                        bool redrawn) {
    OverlayCost cost;
    cost.frame_seq = r.frame_seq;
    cost.cpu_ns = cpu_ns;
    cost.x = rect.x;
    cost.y = rect.y;
    cost.width = rect.width;
    cost.height = rect.height;
    cost.redrawn = redrawn;
    const OverlayPanelStats panel = overlay_panel_stats(r.overlay);
    cost.redraws = panel.redraws;
    cost.image_width = int(panel.image_width);
    cost.image_height = int(panel.image_height);
    uint64_t ts[2]{};
    if (redrawn && r.query_pool &&
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
    bool overlay_redrawn = false;
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
            const int64_t cpu_begin = monotonic_ns();
            overlay_redrawn = overlay_needs_redraw(r.overlay, *r.overlay_model, t.width, t.height);
            // GPU-timed only when the panel is drawn again.  A frame that
            // just copies the cached panel is not timed: on lavapipe each
            // timestamp flushes the rasteriser, which cost more CPU than the
            // copy it would measure.
            const bool timed = overlay_redrawn && r.query_pool;
            if (timed)
                vkCmdWriteTimestamp(r.cmd, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, r.query_pool,
                                    kQueryOverlayBegin);
            overlay_rect = overlay_record(r, r.overlay, t, overlay_redrawn);
            overlay_cpu_ns = monotonic_ns() - cpu_begin;
            if (timed)
                vkCmdWriteTimestamp(r.cmd, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, r.query_pool,
                                    kQueryOverlayEnd);
            overlay_drawn = true;
        }
        end_pass(r);
        if (!t.in_place) {
            copy_target_to(r, t, t.readback);
        } else {
            // The display reads the buffer's memory directly: leave it in
            // GENERAL.  The last write was a draw or the overlay's copy.
            image_barrier(r.cmd, t.image, t.layout, VK_IMAGE_LAYOUT_GENERAL,
                          VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT |
                              VK_PIPELINE_STAGE_TRANSFER_BIT,
                          VK_ACCESS_COLOR_ATTACHMENT_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT,
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
                store_overlay_cost(r, overlay_cpu_ns, overlay_rect, overlay_redrawn);
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
                else if (t.display_import)
                    r.last_target.kind = RenderTargetKind::InPlaceDisplayImport;
            }
        }
    }
    r.recording = false;
    r.in_frame = false;
    r.capture_requested = false;
    free_deferred(r);
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
    destroy_shm_uploads(*r);
    destroy_shm_pool_watch(*r);
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
void begin_target_transfer(VulkanRenderer& r, RenderTarget& t) {
    end_pass(r);
    image_barrier(r.cmd, t.image, t.layout, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL,
                  VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT,
                  VK_ACCESS_COLOR_ATTACHMENT_WRITE_BIT | VK_ACCESS_COLOR_ATTACHMENT_READ_BIT,
                  VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT);
    t.layout = VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL;
}

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

} // namespace zcd::render
