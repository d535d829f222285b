// Render targets: one per wlr_buffer the compositor renders into, cached on
// the buffer (wlr_addon) so a swapchain's buffers cost their Vulkan objects
// once, not every frame.
//  - data-pointer buffers (headless, shm allocator; KMS dumb buffers; the
//    compositor's guest dma-bufs on virtio-gpu, app/output_allocator.cpp): their
//    memory is imported as host memory (VK_EXT_external_memory_host) under a
//    linear image and rendered in place -- the output hop copies nothing.
//    Where the import is refused (alignment, stride, no extension) we render
//    into our own image and copy the result into the buffer at end();
//  - dmabuf buffers (DRM backend, when the compositor gave us its DRM fd):
//    the dmabuf is imported as a linear colour attachment and rendered in place.
#include <algorithm>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>
#include <xf86drmMode.h>

#include "renderer/vulkan_renderer.hpp"

namespace zcd::render {

namespace {

void target_addon_destroy(wlr_addon* addon) {
    RenderTarget* t = wl_container_of(addon, t, addon);
    destroy_render_target(t);
}

const wlr_addon_interface kTargetAddon = {"zcd_vulkan_render_target", target_addon_destroy};

// Render targets are drawn into, copied from (readback, captures) and into
// (seeding, the 1:1 copy draws, the overlay).
constexpr VkImageUsageFlags kTargetUsage = VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT |
                                           VK_IMAGE_USAGE_TRANSFER_SRC_BIT |
                                           VK_IMAGE_USAGE_TRANSFER_DST_BIT;

// Where the device puts a linear image's rows, and how much memory it needs:
// what an external buffer's own layout must match to be the image's memory.
void linear_layout(VulkanRenderer& r, VkImage image, VkSubresourceLayout* layout,
                   VkMemoryRequirements* req) {
    VkImageSubresource sub{VK_IMAGE_ASPECT_COLOR_BIT, 0, 0};
    vkGetImageSubresourceLayout(r.vk.device, image, &sub, layout);
    vkGetImageMemoryRequirements(r.vk.device, image, req);
}

bool create_view_and_framebuffer(VulkanRenderer& r, RenderTarget& t) {
    VkImageViewCreateInfo vci{VK_STRUCTURE_TYPE_IMAGE_VIEW_CREATE_INFO};
    vci.image = t.image;
    vci.viewType = VK_IMAGE_VIEW_TYPE_2D;
    vci.format = VK_FORMAT_B8G8R8A8_UNORM;
    vci.subresourceRange = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 0, 1};
    if (vkCreateImageView(r.vk.device, &vci, nullptr, &t.view) != VK_SUCCESS)
        return false;
    VkFramebufferCreateInfo fci{VK_STRUCTURE_TYPE_FRAMEBUFFER_CREATE_INFO};
    fci.renderPass = r.render_pass;
    fci.attachmentCount = 1;
    fci.pAttachments = &t.view;
    fci.width = t.width;
    fci.height = t.height;
    fci.layers = 1;
    return vkCreateFramebuffer(r.vk.device, &fci, nullptr, &t.framebuffer) == VK_SUCCESS;
}

bool create_host_buffer(VulkanRenderer& r, VkDeviceSize size, VkBuffer* buffer,
                        VkDeviceMemory* memory, uint8_t** map) {
    void* m = nullptr;
    // Cached host memory makes the CPU read of each frame fast where it exists.
    const VkBufferUsageFlags usage =
        VK_BUFFER_USAGE_TRANSFER_DST_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT;
    if (!create_buffer(r, size, usage,
                       VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT |
                           VK_MEMORY_PROPERTY_HOST_CACHED_BIT,
                       buffer, memory, &m) &&
        !create_buffer(r, size, usage,
                       VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT,
                       buffer, memory, &m))
        return false;
    *map = static_cast<uint8_t*>(m);
    return true;
}

bool create_readback(VulkanRenderer& r, RenderTarget& t) {
    if (t.readback)
        return true;
    return create_host_buffer(r, VkDeviceSize{t.width} * t.height * 4, &t.readback,
                              &t.readback_memory, &t.readback_map);
}

// The buffer's memory as the image's memory.  The output's buffers come from
// an allocator (memfd or dumb buffer mapping, page aligned), never from a
// client, so nobody can shrink them under the GPU; the import lives as long
// as the buffer (the target is an addon of it, finished before the unmap).
bool init_host_memory_target(VulkanRenderer& r, RenderTarget& t, void* data, size_t stride) {
    if (!r.vk.has_host_import || r.options.force_path == ForcePath::Copy)
        return false;
    const VkDeviceSize align = r.vk.host_pointer_alignment;
    const auto page = static_cast<VkDeviceSize>(sysconf(_SC_PAGESIZE));
    const auto addr = reinterpret_cast<uintptr_t>(data);
    if (align == 0 || align > page || addr % align != 0)
        return false;
    VkExternalMemoryImageCreateInfo ext{VK_STRUCTURE_TYPE_EXTERNAL_MEMORY_IMAGE_CREATE_INFO};
    ext.handleTypes = VK_EXTERNAL_MEMORY_HANDLE_TYPE_HOST_ALLOCATION_BIT_EXT;
    const VkImageCreateInfo ici =
        bgra_image_info(t.width, t.height, VK_IMAGE_TILING_LINEAR, kTargetUsage, &ext);
    if (vkCreateImage(r.vk.device, &ici, nullptr, &t.image) != VK_SUCCESS)
        return false;
    VkSubresourceLayout layout;
    VkMemoryRequirements req;
    linear_layout(r, t.image, &layout, &req);
    // The mapping covers whole pages, so rounding the size up to the
    // alignment (<= a page) stays inside it.
    const VkDeviceSize size =
        (std::max<VkDeviceSize>(req.size, VkDeviceSize{stride} * t.height) + align - 1) &
        ~(align - 1);
    if (layout.rowPitch != stride || layout.offset != 0) {
        wlr_log(WLR_INFO,
                "vulkan: output buffer stride %zu is not the device's linear row pitch "
                "%llu: rendering with a readback",
                stride, static_cast<unsigned long long>(layout.rowPitch));
        return false;
    }
    VkMemoryHostPointerPropertiesEXT host_props{
        VK_STRUCTURE_TYPE_MEMORY_HOST_POINTER_PROPERTIES_EXT};
    if (r.vk.get_host_pointer_properties(r.vk.device,
                                         VK_EXTERNAL_MEMORY_HANDLE_TYPE_HOST_ALLOCATION_BIT_EXT,
                                         data, &host_props) != VK_SUCCESS)
        return false;
    VkImportMemoryHostPointerInfoEXT import{VK_STRUCTURE_TYPE_IMPORT_MEMORY_HOST_POINTER_INFO_EXT};
    import.handleType = VK_EXTERNAL_MEMORY_HANDLE_TYPE_HOST_ALLOCATION_BIT_EXT;
    import.pHostPointer = data;
    VkMemoryAllocateInfo mai{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO};
    mai.pNext = &import;
    mai.allocationSize = size;
    mai.memoryTypeIndex = r.vk.find_memory_type(req.memoryTypeBits & host_props.memoryTypeBits, 0);
    if (mai.memoryTypeIndex == UINT32_MAX ||
        vkAllocateMemory(r.vk.device, &mai, nullptr, &t.memory) != VK_SUCCESS ||
        vkBindImageMemory(r.vk.device, t.image, t.memory, 0) != VK_SUCCESS)
        return false;
    if (!create_view_and_framebuffer(r, t))
        return false;
    // The image is the buffer: whatever it already shows stays (GENERAL
    // keeps contents; UNDEFINED would not).
    t.in_place = true;
    t.layout = VK_IMAGE_LAYOUT_UNDEFINED;
    t.host_map = static_cast<const uint8_t*>(data);
    t.host_stride = stride;
    return true;
}

bool init_data_ptr_target(VulkanRenderer& r, RenderTarget& t) {
    void* data = nullptr;
    uint32_t format = 0;
    size_t stride = 0;
    if (!wlr_buffer_begin_data_ptr_access(t.buffer, WLR_BUFFER_DATA_PTR_ACCESS_READ, &data, &format,
                                          &stride))
        return false;
    t.drm_format = format;
    bool ok = format == DRM_FORMAT_ARGB8888 || format == DRM_FORMAT_XRGB8888;
    if (!ok)
        wlr_log(WLR_ERROR, "vulkan: render target format 0x%08x unsupported", format);
    if (ok && init_host_memory_target(r, t, data, stride)) {
        // A KMS device's data-pointer buffers are dumb buffers, unless the
        // compositor allocated them as dma-bufs the display imports.
        t.display_import = std::find(r.display_imported.begin(), r.display_imported.end(),
                                     t.buffer->impl) != r.display_imported.end();
        t.dumb = !t.display_import && r.options.drm_fd >= 0 && drmIsKMS(r.options.drm_fd);
        wlr_buffer_end_data_ptr_access(t.buffer);
        return true;
    }
    if (ok) {
        release_target_objects(r, t);
        t.image = VK_NULL_HANDLE;
        t.memory = VK_NULL_HANDLE;
        t.view = VK_NULL_HANDLE;
        t.framebuffer = VK_NULL_HANDLE;
    }
    if (ok) {
        const VkImageCreateInfo ici =
            bgra_image_info(t.width, t.height, VK_IMAGE_TILING_OPTIMAL, kTargetUsage, nullptr);
        ok = vkCreateImage(r.vk.device, &ici, nullptr, &t.image) == VK_SUCCESS;
    }
    ok = ok && bind_image_memory(r, t.image, &t.memory);
    ok = ok && create_view_and_framebuffer(r, t) && create_readback(r, t);
    if (ok) {
        // The buffer may already hold pixels (wlroots renders damage only):
        // seed the image with them before the first frame.
        const size_t row = size_t{t.width} * 4;
        for (uint32_t y = 0; y < t.height; ++y)
            std::memcpy(t.readback_map + y * row, static_cast<uint8_t*>(data) + y * stride, row);
        t.needs_seed = true;
        t.readback_valid = true;
    }
    wlr_buffer_end_data_ptr_access(t.buffer);
    return ok;
}

bool init_dmabuf_target(VulkanRenderer& r, RenderTarget& t, const wlr_dmabuf_attributes& a) {
    t.in_place = true;
    t.drm_format = a.format;
    if (a.n_planes != 1 || (a.format != DRM_FORMAT_ARGB8888 && a.format != DRM_FORMAT_XRGB8888) ||
        (a.modifier != DRM_FORMAT_MOD_LINEAR && a.modifier != DRM_FORMAT_MOD_INVALID)) {
        wlr_log(WLR_ERROR, "vulkan: dmabuf render target must be single-plane linear "
                           "ARGB8888/XRGB8888");
        return false;
    }
    off_t size = lseek(a.fd[0], 0, SEEK_END);
    if (size <= 0) {
        wlr_log_errno(WLR_ERROR, "vulkan: dmabuf render target has no size");
        return false;
    }
    VkExternalMemoryImageCreateInfo ext{VK_STRUCTURE_TYPE_EXTERNAL_MEMORY_IMAGE_CREATE_INFO};
    ext.handleTypes = VK_EXTERNAL_MEMORY_HANDLE_TYPE_DMA_BUF_BIT_EXT;
    const VkImageCreateInfo ici =
        bgra_image_info(t.width, t.height, VK_IMAGE_TILING_LINEAR, kTargetUsage, &ext);
    VkResult res = vkCreateImage(r.vk.device, &ici, nullptr, &t.image);
    if (res != VK_SUCCESS) {
        wlr_log(WLR_ERROR, "vulkan: dmabuf render target image: %s", vk_result_name(res));
        return false;
    }
    VkSubresourceLayout layout;
    VkMemoryRequirements req;
    linear_layout(r, t.image, &layout, &req);
    if (layout.rowPitch != a.stride[0] || layout.offset != 0 || a.offset[0] % req.alignment != 0 ||
        a.offset[0] + req.size > uint64_t(size)) {
        wlr_log(WLR_ERROR,
                "vulkan: dmabuf render target layout (stride %u, offset %u) differs "
                "from the device's linear layout (row pitch %llu)",
                a.stride[0], a.offset[0], static_cast<unsigned long long>(layout.rowPitch));
        return false;
    }
    FallbackReason reason = FallbackReason::None;
    t.memory = import_dmabuf_memory(r, a.fd[0], VkDeviceSize(size), req.memoryTypeBits, &reason);
    if (!t.memory) {
        wlr_log(WLR_ERROR,
                "vulkan: dmabuf render target: memory import failed (debug log says why)");
        return false;
    }
    res = vkBindImageMemory(r.vk.device, t.image, t.memory, a.offset[0]);
    if (res != VK_SUCCESS) {
        wlr_log(WLR_ERROR, "vulkan: dmabuf render target bind: %s", vk_result_name(res));
        return false;
    }
    return create_view_and_framebuffer(r, t);
}

} // namespace

void image_barrier(VkCommandBuffer cmd, VkImage image, VkImageLayout from, VkImageLayout to,
                   VkPipelineStageFlags src_stage, VkAccessFlags src_access,
                   VkPipelineStageFlags dst_stage, VkAccessFlags dst_access) {
    VkImageMemoryBarrier b{VK_STRUCTURE_TYPE_IMAGE_MEMORY_BARRIER};
    b.srcAccessMask = src_access;
    b.dstAccessMask = dst_access;
    b.oldLayout = from;
    b.newLayout = to;
    b.srcQueueFamilyIndex = b.dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED;
    b.image = image;
    b.subresourceRange = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 0, 1};
    vkCmdPipelineBarrier(cmd, src_stage, dst_stage, 0, 0, nullptr, 0, nullptr, 1, &b);
}

VkCommandBuffer begin_one_shot(VulkanRenderer& r) {
    VkCommandBufferAllocateInfo ai{VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO};
    ai.commandPool = r.command_pool;
    ai.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
    ai.commandBufferCount = 1;
    VkCommandBuffer cmd = VK_NULL_HANDLE;
    if (vkAllocateCommandBuffers(r.vk.device, &ai, &cmd) != VK_SUCCESS)
        return VK_NULL_HANDLE;
    VkCommandBufferBeginInfo bi{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
    bi.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
    vkBeginCommandBuffer(cmd, &bi);
    return cmd;
}

bool submit_one_shot(VulkanRenderer& r, VkCommandBuffer cmd) {
    vkEndCommandBuffer(cmd);
    VkSubmitInfo si{VK_STRUCTURE_TYPE_SUBMIT_INFO};
    si.commandBufferCount = 1;
    si.pCommandBuffers = &cmd;
    VkResult res = vkQueueSubmit(r.vk.queue, 1, &si, r.fence);
    if (res == VK_SUCCESS)
        res = vkWaitForFences(r.vk.device, 1, &r.fence, VK_TRUE, UINT64_MAX);
    vkResetFences(r.vk.device, 1, &r.fence);
    vkFreeCommandBuffers(r.vk.device, r.command_pool, 1, &cmd);
    return res == VK_SUCCESS;
}

bool ensure_readback(VulkanRenderer& r, RenderTarget& t) {
    if (t.readback_valid)
        return true;
    if (r.in_frame || !create_readback(r, t))
        return false;
    VkCommandBuffer cmd = begin_one_shot(r);
    if (!cmd)
        return false;
    image_barrier(cmd, t.image, t.layout, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL,
                  VK_PIPELINE_STAGE_ALL_COMMANDS_BIT, VK_ACCESS_MEMORY_WRITE_BIT,
                  VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_READ_BIT);
    t.layout = VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL;
    VkBufferImageCopy region{};
    region.imageSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1};
    region.imageExtent = {t.width, t.height, 1};
    vkCmdCopyImageToBuffer(cmd, t.image, t.layout, t.readback, 1, &region);
    t.readback_valid = submit_one_shot(r, cmd);
    return t.readback_valid;
}

bool ensure_capture_buffer(VulkanRenderer& r, RenderTarget& t) {
    if (t.capture)
        return true;
    return create_host_buffer(r, VkDeviceSize{t.width} * t.height * 4, &t.capture,
                              &t.capture_memory, &t.capture_map);
}

bool renders_into_dmabufs(const VulkanRenderer& r) {
    if (r.options.drm_fd < 0 || !r.vk.has_dmabuf)
        return false;
    // A CPU device (lavapipe) imports a dmabuf by mapping it, and that import
    // fails for the GBM scanout buffers of a KMS-only device such as
    // virtio-gpu (VK_ERROR_INVALID_EXTERNAL_HANDLE in the emulated VM).
    // Without the dmabuf cap wlroots' DRM backend allocates dumb buffers
    // instead, which we render into through their mapping.  Client buffers
    // are not concerned: they are imported, not rendered into.
    return r.vk.props.deviceType != VK_PHYSICAL_DEVICE_TYPE_CPU || !drmIsKMS(r.options.drm_fd);
}

RenderTarget* get_render_target(VulkanRenderer& r, wlr_buffer* buffer) {
    if (wlr_addon* a = wlr_addon_find(&buffer->addons, &r, &kTargetAddon)) {
        RenderTarget* t = wl_container_of(a, t, addon);
        return t;
    }
    auto* t = new RenderTarget{};
    t->renderer = &r;
    t->buffer = buffer;
    t->width = uint32_t(buffer->width);
    t->height = uint32_t(buffer->height);
    wlr_dmabuf_attributes attribs{};
    bool ok = false;
    if (renders_into_dmabufs(r) && wlr_buffer_get_dmabuf(buffer, &attribs)) {
        ok = init_dmabuf_target(r, *t, attribs);
        if (!ok) {
            // E.g. a dumb buffer whose pitch the device would not choose: it
            // also has a data pointer, so render there and copy instead.
            release_target_objects(r, *t);
            *t = RenderTarget{&r, buffer};
            t->width = uint32_t(buffer->width);
            t->height = uint32_t(buffer->height);
            wlr_log(WLR_INFO, "vulkan: dmabuf render target not importable, trying its data "
                              "pointer");
        }
    }
    if (!ok)
        ok = init_data_ptr_target(r, *t);
    if (!ok) {
        wlr_log(WLR_ERROR, "vulkan: cannot render into this %ux%u buffer", t->width, t->height);
        t->buffer = nullptr; // not registered as an addon yet
        r.targets.push_back(t);
        destroy_render_target(t);
        return nullptr;
    }
    wlr_addon_init(&t->addon, &buffer->addons, &r, &kTargetAddon);
    r.targets.push_back(t);
    return t;
}

void destroy_render_target(RenderTarget* t) {
    VulkanRenderer& r = *t->renderer;
    if (r.bound == t)
        r.bound = nullptr;
    release_target_objects(r, *t);
    if (t->buffer)
        wlr_addon_finish(&t->addon);
    std::erase(r.targets, t);
    delete t;
}

void release_target_objects(VulkanRenderer& r, RenderTarget& target) {
    RenderTarget* t = &target;
    VkDevice dev = r.vk.device;
    if (t->framebuffer)
        vkDestroyFramebuffer(dev, t->framebuffer, nullptr);
    if (t->view)
        vkDestroyImageView(dev, t->view, nullptr);
    if (t->image)
        vkDestroyImage(dev, t->image, nullptr);
    if (t->memory)
        vkFreeMemory(dev, t->memory, nullptr);
    if (t->readback)
        vkDestroyBuffer(dev, t->readback, nullptr);
    if (t->readback_memory)
        vkFreeMemory(dev, t->readback_memory, nullptr);
    if (t->capture)
        vkDestroyBuffer(dev, t->capture, nullptr);
    if (t->capture_memory)
        vkFreeMemory(dev, t->capture_memory, nullptr);
}

} // namespace zcd::render
