// wlr_texture for the Vulkan renderer: creation from client buffers (which
// import path applies), the copy path's staging and uploads, write_pixels
// and destruction.  The import paths themselves live in import_*.cpp.
#include <algorithm>
#include <cstring>

#include "renderer/vulkan_renderer.hpp"

namespace zcd::render {

namespace {

bool texture_is_opaque(wlr_texture* wt) {
    VulkanTexture* t = vulkan_texture_from(wt);
    return t && !t->format.has_alpha;
}

bool texture_write_pixels(wlr_texture* wt, uint32_t stride, uint32_t width, uint32_t height,
                          uint32_t src_x, uint32_t src_y, uint32_t dst_x, uint32_t dst_y,
                          const void* data) {
    VulkanTexture* t = vulkan_texture_from(wt);
    // Zero-copy textures refuse: wlroots then creates a fresh texture for the
    // new commit, so every commit is a new, honestly counted import.
    if (!t || !t->renderer || !t->writable)
        return false;
    if (dst_x + width > wt->width || dst_y + height > wt->height)
        return false;
    const int64_t begin = monotonic_ns();
    const auto* src = static_cast<const uint8_t*>(data) + size_t(src_y) * stride +
                      size_t(src_x) * t->format.bytes_per_pixel;
    copy_rows_to_staging(*t, src, stride, dst_x, dst_y, width, height);
    t->record.bytes_copied = uint64_t{width} * height * t->format.bytes_per_pixel;
    t->record.bytes_zero_copy = 0;
    t->record.import_begin_ns = begin;
    t->record.import_end_ns = monotonic_ns();
    ++t->record.generation;
    return true;
}

void texture_destroy(wlr_texture* wt) {
    VulkanTexture* t = vulkan_texture_from(wt);
    if (!t)
        return;
    VulkanRenderer* r = t->renderer;
    if (r) {
        std::erase(r->textures, t);
        if (r->in_frame && t->in_use_this_frame) {
            // The frame's command buffer still references it: free after end().
            r->deferred_destroy.push_back(t);
            return;
        }
        destroy_texture_resources(*t);
        recycle_texture(*r, t);
        return;
    }
    delete t;
}

} // namespace

VulkanTexture* new_texture(VulkanRenderer& r) {
    if (r.spare_textures.empty())
        return new VulkanTexture{};
    VulkanTexture* t = r.spare_textures.back();
    r.spare_textures.pop_back();
    *t = VulkanTexture{};
    return t;
}

void recycle_texture(VulkanRenderer& r, VulkanTexture* t) {
    // A client commits a new texture per frame on the zero-copy paths:
    // keep a few husks so that costs no heap allocation.
    constexpr size_t kMaxSpare = 16;
    if (r.spare_textures.size() < kMaxSpare)
        r.spare_textures.push_back(t);
    else
        delete t;
}

const wlr_texture_impl kTextureImpl = {texture_is_opaque, texture_write_pixels, texture_destroy};

VulkanTexture* vulkan_texture_from(wlr_texture* t) {
    if (!t || t->impl != &kTextureImpl)
        return nullptr;
    return reinterpret_cast<VulkanTexture*>(t);
}

void note_import_failure(VulkanRenderer& r, FallbackReason reason, const char* detail) {
    r.last_failure.reason = reason;
    r.last_failure.detail = detail;
    ++r.last_failure.count;
    wlr_log(WLR_ERROR, "vulkan: client buffer not imported (%s): %s",
            std::string(to_string(reason)).c_str(), detail);
}

wlr_texture* texture_from_buffer(VulkanRenderer& r, wlr_buffer* buffer) {
    if (r.probing_readonly_impl)
        r.readonly_buffer_impl = buffer->impl;
    wlr_dmabuf_attributes attribs{};
    if (wlr_buffer_get_dmabuf(buffer, &attribs))
        return import_dmabuf_texture(r, buffer, attribs);
    void* data = nullptr;
    uint32_t format = 0;
    size_t stride = 0;
    if (wlr_buffer_begin_data_ptr_access(buffer, WLR_BUFFER_DATA_PTR_ACCESS_READ, &data, &format,
                                         &stride)) {
        wlr_texture* t = import_shm_texture(r, buffer, data, format, stride);
        wlr_buffer_end_data_ptr_access(buffer);
        return t;
    }
    note_import_failure(r, FallbackReason::ImportFailed,
                        "buffer offers neither a dmabuf nor a data pointer");
    return nullptr;
}

bool create_copy_texture(VulkanRenderer& r, VulkanTexture& t, uint32_t width, uint32_t height) {
    VkDevice dev = r.vk.device;
    const VkDeviceSize size = VkDeviceSize{width} * height * t.format.bytes_per_pixel;
    void* map = nullptr;
    t.writable = true;
    // Where host-visible memory is also device-local (lavapipe, integrated
    // GPUs) the shader samples the staging copy directly: one copy, by the
    // CPU.  Elsewhere the staging buffer is uploaded into an optimal image.
    if (size <= r.vk.props.limits.maxStorageBufferRange &&
        create_buffer(r, size,
                      VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT,
                      VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT |
                          VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT,
                      &t.staging, &t.staging_memory, &map)) {
        t.staging_map = static_cast<uint8_t*>(map);
        t.kind = TextureKind::Buffer;
        t.buffer = t.staging; // sampled where it is written
        t.stride_words = width * t.format.bytes_per_pixel / 4;
        t.word_offset = 0;
        return finish_buffer_texture(r, t);
    }
    t.kind = TextureKind::Image;
    // Larger than the device's images and its storage buffers (on lavapipe a
    // buffer wider or taller than 16384 and over 128 MiB): not sampleable.
    const uint32_t max_dim = r.vk.props.limits.maxImageDimension2D;
    if (width > max_dim || height > max_dim)
        return false;
    const VkImageCreateInfo ici =
        image_2d_info(t.format.vk_format, width, height, VK_IMAGE_TILING_OPTIMAL,
                      VK_IMAGE_USAGE_SAMPLED_BIT | VK_IMAGE_USAGE_TRANSFER_DST_BIT, nullptr);
    if (vkCreateImage(dev, &ici, nullptr, &t.image) != VK_SUCCESS ||
        !bind_image_memory(r, t.image, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT, &t.memory))
        return false;
    t.layout = VK_IMAGE_LAYOUT_UNDEFINED;
    if (!create_buffer(r, size, VK_BUFFER_USAGE_TRANSFER_SRC_BIT,
                       VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT,
                       &t.staging, &t.staging_memory, &map))
        return false;
    t.staging_map = static_cast<uint8_t*>(map);
    return finish_image_texture(r, t);
}

bool finish_image_texture(VulkanRenderer& r, VulkanTexture& t) {
    VkImageViewCreateInfo vci{VK_STRUCTURE_TYPE_IMAGE_VIEW_CREATE_INFO};
    vci.image = t.image;
    vci.viewType = VK_IMAGE_VIEW_TYPE_2D;
    vci.format = t.format.vk_format;
    vci.components = {
        VK_COMPONENT_SWIZZLE_IDENTITY, VK_COMPONENT_SWIZZLE_IDENTITY, VK_COMPONENT_SWIZZLE_IDENTITY,
        t.format.has_alpha ? VK_COMPONENT_SWIZZLE_IDENTITY : VK_COMPONENT_SWIZZLE_ONE};
    vci.subresourceRange = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 0, 1};
    if (vkCreateImageView(r.vk.device, &vci, nullptr, &t.view) != VK_SUCCESS)
        return false;
    if (!allocate_descriptor_set(r, r.image_set_layout, &t.pool, &t.set))
        return false;
    VkDescriptorImageInfo info{r.sampler, t.view, VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL};
    VkWriteDescriptorSet w{VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET};
    w.dstSet = t.set;
    w.descriptorCount = 1;
    w.descriptorType = VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER;
    w.pImageInfo = &info;
    vkUpdateDescriptorSets(r.vk.device, 1, &w, 0, nullptr);
    t.upload_pending = true; // at least the layout transition
    return true;
}

bool finish_buffer_texture(VulkanRenderer& r, VulkanTexture& t) {
    if (!allocate_descriptor_set(r, r.buffer_set_layout, &t.pool, &t.set))
        return false;
    VkDescriptorBufferInfo info{t.buffer, 0, VK_WHOLE_SIZE};
    VkWriteDescriptorSet w{VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET};
    w.dstSet = t.set;
    w.descriptorCount = 1;
    w.descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
    w.pBufferInfo = &info;
    vkUpdateDescriptorSets(r.vk.device, 1, &w, 0, nullptr);
    return true;
}

void copy_rows_to_staging(VulkanTexture& t, const uint8_t* src, uint32_t src_stride, uint32_t x,
                          uint32_t y, uint32_t w, uint32_t h) {
    const uint32_t bpp = t.format.bytes_per_pixel;
    const size_t dst_stride = size_t{t.base.width} * bpp;
    for (uint32_t row = 0; row < h; ++row)
        std::memcpy(t.staging_map + (y + row) * dst_stride + size_t{x} * bpp,
                    src + size_t{row} * src_stride, size_t{w} * bpp);
    if (!t.upload_pending || t.dirty_x1 == 0) {
        t.dirty_x0 = x;
        t.dirty_y0 = y;
        t.dirty_x1 = x + w;
        t.dirty_y1 = y + h;
    } else {
        t.dirty_x0 = std::min(t.dirty_x0, x);
        t.dirty_y0 = std::min(t.dirty_y0, y);
        t.dirty_x1 = std::max(t.dirty_x1, x + w);
        t.dirty_y1 = std::max(t.dirty_y1, y + h);
    }
    t.upload_pending = true;
}

void record_texture_upload(VulkanRenderer& r, VulkanTexture& t) {
    t.upload_pending = false;
    t.in_use_this_frame = true; // the frame's commands reference it from here on
    if (t.kind != TextureKind::Image)
        return;
    const VkImageLayout target = VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL;
    if (t.staging && t.dirty_x1 > t.dirty_x0 && t.dirty_y1 > t.dirty_y0) {
        image_barrier(r.cmd, t.image, t.layout, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL,
                      VK_PIPELINE_STAGE_FRAGMENT_SHADER_BIT, VK_ACCESS_SHADER_READ_BIT,
                      VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT);
        VkBufferImageCopy region{};
        region.bufferOffset =
            (VkDeviceSize{t.dirty_y0} * t.base.width + t.dirty_x0) * t.format.bytes_per_pixel;
        region.bufferRowLength = t.base.width;
        region.imageSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1};
        region.imageOffset = {int32_t(t.dirty_x0), int32_t(t.dirty_y0), 0};
        region.imageExtent = {t.dirty_x1 - t.dirty_x0, t.dirty_y1 - t.dirty_y0, 1};
        vkCmdCopyBufferToImage(r.cmd, t.staging, t.image, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, 1,
                               &region);
        image_barrier(r.cmd, t.image, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, target,
                      VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT,
                      VK_PIPELINE_STAGE_FRAGMENT_SHADER_BIT, VK_ACCESS_SHADER_READ_BIT);
        t.layout = target;
        t.dirty_x0 = t.dirty_y0 = t.dirty_x1 = t.dirty_y1 = 0;
    } else if (t.layout != target) {
        // Imported dmabuf image: its memory already holds the client's
        // pixels.  Acquire it from the foreign (or external) queue family so
        // the transition keeps them.
        VkImageMemoryBarrier b{VK_STRUCTURE_TYPE_IMAGE_MEMORY_BARRIER};
        b.srcAccessMask = 0;
        b.dstAccessMask = VK_ACCESS_SHADER_READ_BIT;
        b.oldLayout = t.layout;
        b.newLayout = target;
        b.srcQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED;
        b.dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED;
        if (t.acquire_from_foreign) {
            b.srcQueueFamilyIndex =
                r.vk.has_foreign_queue ? VK_QUEUE_FAMILY_FOREIGN_EXT : VK_QUEUE_FAMILY_EXTERNAL;
            b.dstQueueFamilyIndex = r.vk.queue_family;
            t.acquire_from_foreign = false;
        }
        b.image = t.image;
        b.subresourceRange = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 0, 1};
        vkCmdPipelineBarrier(r.cmd, VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT,
                             VK_PIPELINE_STAGE_FRAGMENT_SHADER_BIT, 0, 0, nullptr, 0, nullptr, 1,
                             &b);
        t.layout = target;
    }
}

void destroy_texture_resources(VulkanTexture& t) {
    VulkanRenderer* r = t.renderer;
    if (!r)
        return;
    VkDevice dev = r->vk.device;
    if (t.borrowed) {
        // The import cache owns these; the client's buffer keeps them.
        t.buffer = VK_NULL_HANDLE;
        t.memory = VK_NULL_HANDLE;
        t.pool = VK_NULL_HANDLE;
        t.set = VK_NULL_HANDLE;
    }
    free_descriptor_set(*r, t.pool, t.set);
    if (t.view)
        vkDestroyImageView(dev, t.view, nullptr);
    if (t.image)
        vkDestroyImage(dev, t.image, nullptr);
    if (t.buffer && t.buffer != t.staging)
        vkDestroyBuffer(dev, t.buffer, nullptr);
    // Huge copies (1 GiB) are freed by the upload thread: unmapping that
    // much memory here would stall every output.  Destruction happens
    // outside frames or after their wait (deferred_destroy): no GPU work
    // uses the memory any more.
    const bool huge = uint64_t{t.base.width} * t.base.height * t.format.bytes_per_pixel >=
                      kHugeCopyBytes;
    if (t.memory && !(huge && free_memory_later(*r, t.memory)))
        vkFreeMemory(dev, t.memory, nullptr);
    if (t.staging)
        vkDestroyBuffer(dev, t.staging, nullptr);
    if (t.staging_memory && !(huge && free_memory_later(*r, t.staging_memory)))
        vkFreeMemory(dev, t.staging_memory, nullptr);
    wlr_buffer* src = t.locked_source; // may be null
    const ImportRecord record = t.record;
    t = VulkanTexture{t.base, nullptr, t.kind, t.format};
    t.record = record;
    if (src)
        wlr_buffer_unlock(src); // the client gets wl_buffer.release now
}

} // namespace zcd::render
