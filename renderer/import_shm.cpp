// wl_shm (data-pointer) client buffers.
//
// Zero-copy: the pool pages are imported with VK_EXT_external_memory_host as
// a storage buffer and sampled with the client's stride (shm_host_import, 0
// bytes copied).  The buffer stays locked while the texture exists, so the
// client gets wl_buffer.release only when the next commit replaces it, and
// write_pixels refuses such textures so every commit is a fresh import.
//
// libwayland protects the compositor from a client that truncates its pool
// (SIGBUS) only around wl_shm_buffer_begin/end_access on the calling thread,
// while the GPU (lavapipe's worker threads) reads a host import later.  So
// only pools whose memory cannot shrink are host-imported: a memfd sealed
// with F_SEAL_SHRINK that covers the pool (renderer/shm_pool_seals.cpp).
// Every other wl_shm buffer is copied here, on the main thread inside the
// guarded window (reason shm_not_sealed): a truncated pool then reads zeros
// and libwayland ends the client with a protocol error.
//
// Fallback: staging copy into an optimal image (shm_copy, bytes = the copy).
// A copy of kHugeCopyBytes or more runs off the main loop before the commit
// is applied (renderer/shm_upload.cpp); the texture it made is adopted here.
#include <unistd.h>

#include "renderer/vulkan_renderer.hpp"

namespace zcd::render {

namespace {

bool try_host_import(VulkanRenderer& r, VulkanTexture& t, void* data, size_t stride,
                     uint32_t height, FallbackReason* reason) {
    const VkDeviceSize align = r.vk.host_pointer_alignment;
    const auto page = static_cast<VkDeviceSize>(sysconf(_SC_PAGESIZE));
    const auto addr = reinterpret_cast<uintptr_t>(data);
    // The pool mapping starts on a page boundary, so rounding the pointer
    // down (and the end up) to the alignment stays inside the mapping as long
    // as the alignment is not larger than a page.
    if (align > page || (align & (align - 1)) || addr % 4 || stride % 4) {
        *reason = FallbackReason::HostPointerUnaligned;
        return false;
    }
    const uintptr_t base = addr & ~uintptr_t(align - 1);
    const uintptr_t end = (addr + stride * height + align - 1) & ~uintptr_t(align - 1);
    const VkDeviceSize size = end - base;
    if (size > r.vk.props.limits.maxStorageBufferRange) {
        *reason = FallbackReason::HostPointerUnaligned;
        return false;
    }
    VkMemoryHostPointerPropertiesEXT host_props{
        VK_STRUCTURE_TYPE_MEMORY_HOST_POINTER_PROPERTIES_EXT};
    if (r.vk.get_host_pointer_properties(
            r.vk.device, VK_EXTERNAL_MEMORY_HANDLE_TYPE_HOST_ALLOCATION_BIT_EXT,
            reinterpret_cast<void*>(base), &host_props) != VK_SUCCESS) {
        *reason = FallbackReason::ImportFailed;
        return false;
    }
    VkExternalMemoryBufferCreateInfo ext{VK_STRUCTURE_TYPE_EXTERNAL_MEMORY_BUFFER_CREATE_INFO};
    ext.handleTypes = VK_EXTERNAL_MEMORY_HANDLE_TYPE_HOST_ALLOCATION_BIT_EXT;
    VkBufferCreateInfo bci{VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO};
    bci.pNext = &ext;
    bci.size = size;
    bci.usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT;
    if (vkCreateBuffer(r.vk.device, &bci, nullptr, &t.buffer) != VK_SUCCESS) {
        *reason = FallbackReason::ImportFailed;
        return false;
    }
    VkMemoryRequirements req;
    vkGetBufferMemoryRequirements(r.vk.device, t.buffer, &req);
    VkImportMemoryHostPointerInfoEXT import{VK_STRUCTURE_TYPE_IMPORT_MEMORY_HOST_POINTER_INFO_EXT};
    import.handleType = VK_EXTERNAL_MEMORY_HANDLE_TYPE_HOST_ALLOCATION_BIT_EXT;
    import.pHostPointer = reinterpret_cast<void*>(base);
    VkMemoryAllocateInfo mai{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO};
    mai.pNext = &import;
    mai.allocationSize = size;
    mai.memoryTypeIndex = r.vk.find_memory_type(req.memoryTypeBits & host_props.memoryTypeBits, 0);
    if (req.size > size || mai.memoryTypeIndex == UINT32_MAX ||
        vkAllocateMemory(r.vk.device, &mai, nullptr, &t.memory) != VK_SUCCESS ||
        vkBindBufferMemory(r.vk.device, t.buffer, t.memory, 0) != VK_SUCCESS) {
        *reason = FallbackReason::ImportFailed;
        return false;
    }
    t.kind = TextureKind::Buffer;
    t.word_offset = uint32_t((addr - base) / 4);
    t.stride_words = uint32_t(stride / 4);
    if (!finish_buffer_texture(r, t)) {
        *reason = FallbackReason::ImportFailed;
        return false;
    }
    return true;
}

// The buffer's earlier import when its memory layout is unchanged, else a
// new one, kept for the buffer's next commits.
bool host_import(VulkanRenderer& r, wlr_buffer* buffer, VulkanTexture& t, void* data, size_t stride,
                 uint32_t format, FallbackReason* reason) {
    const ImportKey key{data, 0, stride, format};
    if (!borrow_cached_import(r, buffer, key, t)) {
        if (!try_host_import(r, t, data, stride, uint32_t(buffer->height), reason))
            return false;
        cache_import(r, buffer, key, t);
    }
    t.host_pixels = static_cast<const uint8_t*>(data);
    t.host_stride = uint32_t(stride);
    return true;
}

// Memory that cannot shrink or move under the GPU: its owner vouches for it
// (trust_host_memory), or it is a wl_shm pool sealed against shrinking.
// Returns false for everything else; *pool_id names the wl_shm pool (0 for
// trusted memory).
bool may_host_import(const VulkanRenderer& r, const wlr_buffer* buffer, const void* data,
                     uint64_t* pool_id) {
    *pool_id = 0;
    for (const wlr_buffer_impl* impl : r.trusted_host_memory)
        if (buffer->impl == impl)
            return true;
    *pool_id = host_importable_shm_pool(r, data);
    return *pool_id != 0;
}

// The pool of a live host import is about to be resized (it may move): give
// the texture its own copy of the pixels while they are still mapped.  The
// pool is sealed against shrinking (it was host-imported), so reading it
// here cannot fault.
void detach_texture(VulkanRenderer& r, VulkanTexture& t) {
    const uint8_t* src = t.host_pixels;
    const uint32_t src_stride = t.host_stride;
    wlr_buffer* locked = t.locked_source; // keeps its lock: release timing unchanged
    t.locked_source = nullptr;
    destroy_texture_resources(t);
    t.renderer = &r;
    t.locked_source = locked;
    if (!create_copy_texture(r, t, t.base.width, t.base.height)) {
        destroy_texture_resources(t); // drawn as nothing until the next commit
        t.renderer = &r;
        t.locked_source = locked;
        wlr_log(WLR_ERROR, "vulkan: cannot copy a texture whose shm pool is resized");
        return;
    }
    t.writable = false; // as before: each commit is a new import
    copy_rows_to_staging(t, src, src_stride, 0, 0, t.base.width, t.base.height);
}

} // namespace

bool plan_shm_import(const VulkanRenderer& r, const wlr_buffer* buffer, const void* data,
                     FallbackReason* reason, uint64_t* pool_id) {
    *pool_id = 0;
    // wlr_texture_from_pixels (cursors, compositor UI): memory that moves
    // once we return, so always copied; not a client fallback, so no reason.
    const bool compositor_pixels =
        buffer->impl == r.readonly_buffer_impl || r.probing_readonly_impl;
    if (compositor_pixels)
        *reason = FallbackReason::None;
    else if (r.options.force_path == ForcePath::Copy)
        *reason = FallbackReason::ForcedCopy;
    else if (!r.vk.has_host_import)
        *reason = FallbackReason::HostImportUnsupported;
    else if (!may_host_import(r, buffer, data, pool_id))
        *reason = FallbackReason::ShmNotSealed;
    else
        return true;
    return false;
}

wlr_texture* import_shm_texture(VulkanRenderer& r, wlr_buffer* buffer, void* data, uint32_t format,
                                size_t stride) {
    const int64_t begin = monotonic_ns();
    auto fmt = pixel_format_from_drm(format);
    if (!fmt) {
        note_import_failure(r, FallbackReason::FormatUnsupported, "shm format not sampleable");
        return nullptr;
    }
    const auto width = uint32_t(buffer->width), height = uint32_t(buffer->height);
    if (stride < size_t{width} * fmt->bytes_per_pixel) {
        note_import_failure(r, FallbackReason::InvalidAttributes, "shm stride smaller than a row");
        return nullptr;
    }
    // Copied off the main loop already (renderer/shm_upload.cpp): done.
    if (VulkanTexture* ready = adopt_shm_upload(r, buffer, stride, format)) {
        ready->record.generation = ++r.import_generation;
        r.textures.push_back(ready);
        return &ready->base;
    }
    VulkanTexture* t = new_texture(r);
    wlr_texture_init(&t->base, &kTextureImpl, width, height);
    t->renderer = &r;
    t->format = *fmt;
    const uint64_t bytes = uint64_t{width} * height * fmt->bytes_per_pixel;

    FallbackReason reason = FallbackReason::None;
    if (uint64_t pool_id = 0; !plan_shm_import(r, buffer, data, &reason, &pool_id)) {
        // copied, for `reason`
    } else if (host_import(r, buffer, *t, data, stride, format, &reason)) {
        t->shm_pool_id = pool_id;
        t->record.path = ImportPath::ShmHostImport;
        t->record.bytes_zero_copy = bytes;
        t->locked_source = wlr_buffer_lock(buffer);
    }
    if (t->kind != TextureKind::Buffer) {
        destroy_texture_resources(*t); // whatever a failed host import left behind
        t->renderer = &r;
        if (!create_copy_texture(r, *t, width, height)) {
            destroy_texture_resources(*t);
            recycle_texture(r, t);
            note_import_failure(r, FallbackReason::ImportFailed, "cannot create a texture image");
            return nullptr;
        }
        copy_rows_to_staging(*t, static_cast<const uint8_t*>(data), uint32_t(stride), 0, 0, width,
                             height);
        t->record.path = ImportPath::ShmCopy;
        t->record.bytes_copied = bytes;
    }
    t->record.reason = reason;
    t->record.import_begin_ns = begin;
    t->record.import_end_ns = monotonic_ns();
    t->record.generation = ++r.import_generation;
    r.textures.push_back(t);
    return &t->base;
}

void detach_shm_pool_imports(VulkanRenderer& r, uint64_t pool_id) {
    for (VulkanTexture* t : r.textures)
        if (t->shm_pool_id == pool_id && t->kind == TextureKind::Buffer && t->host_pixels)
            detach_texture(r, *t);
    std::vector<ImportCacheEntry*> stale;
    for (ImportCacheEntry* e : r.import_cache)
        if (e->shm_pool_id == pool_id)
            stale.push_back(e);
    for (ImportCacheEntry* e : stale)
        destroy_import_cache_entry(e);
}

} // namespace zcd::render
