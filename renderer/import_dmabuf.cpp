// linux-dmabuf client buffers.
//
// Order of attempts (each recorded in the texture's ImportRecord):
//  1. check the attributes (renderer/dmabuf_check.cpp): unknown or
//     multi-plane formats, non-linear modifiers without
//     VK_EXT_image_drm_format_modifier, offsets/strides past the end of the
//     fd, bad fds -> no texture, reason kept in last_import_failure();
//  2. zero-copy as a VkImage: with the modifier extension the client's
//     modifier, offset and stride are given explicitly; without it a LINEAR
//     image is used only if vkGetImageSubresourceLayout agrees with the
//     client's stride (Vulkan picks the row pitch itself);
//  3. zero-copy as a storage buffer sampled with the client's stride as a
//     push constant.  We prefer this to a GPU copy into an image: it keeps
//     the path zero-copy (which is what the product measures) and costs one
//     extra ALU address computation per fragment, nothing per frame;
//  4. otherwise a CPU copy (dmabuf_copy with the reason).
// A memfd sent as a "dmabuf" goes through the same code; lavapipe's import
// maps the fd, so it may well succeed, and is recorded as it happens.  But a
// memfd (unlike a real dma-buf) can be truncated by the client: lavapipe's
// threads or our copy would then touch pages past its end (SIGBUS, and no
// libwayland guard covers dmabufs).  So an fd that is not a real dma-buf is
// imported zero-copy only when sealed with F_SEAL_SHRINK (reason
// shm_not_sealed otherwise), and such fds are copied with pread, which
// reports a shrunk file as a short read instead of faulting: the buffer then
// fails with a logged per-buffer error.
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <linux/dma-buf.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "renderer/dmabuf_check.hpp"
#include "renderer/vulkan_renderer.hpp"

namespace zcd::render {

namespace {

int64_t fd_size(int fd) {
    if (fd < 0)
        return -1;
    off_t end = lseek(fd, 0, SEEK_END);
    if (end < 0)
        return -1;
    lseek(fd, 0, SEEK_SET);
    return end;
}

bool try_image_import(VulkanRenderer& r, VulkanTexture& t, const wlr_dmabuf_attributes& a,
                      int64_t size, FallbackReason* reason) {
    const bool explicit_modifier = r.vk.has_modifiers && a.modifier != DRM_FORMAT_MOD_INVALID;
    VkExternalMemoryImageCreateInfo ext{VK_STRUCTURE_TYPE_EXTERNAL_MEMORY_IMAGE_CREATE_INFO};
    ext.handleTypes = VK_EXTERNAL_MEMORY_HANDLE_TYPE_DMA_BUF_BIT_EXT;
    VkSubresourceLayout plane{};
    plane.offset = explicit_modifier ? a.offset[0] : 0; // memory is then bound at 0
    plane.rowPitch = a.stride[0];
    VkImageDrmFormatModifierExplicitCreateInfoEXT mod{
        VK_STRUCTURE_TYPE_IMAGE_DRM_FORMAT_MODIFIER_EXPLICIT_CREATE_INFO_EXT};
    mod.drmFormatModifier = a.modifier;
    mod.drmFormatModifierPlaneCount = 1;
    mod.pPlaneLayouts = &plane;
    if (explicit_modifier)
        ext.pNext = &mod;
    VkImageCreateInfo ici{VK_STRUCTURE_TYPE_IMAGE_CREATE_INFO};
    ici.pNext = &ext;
    ici.imageType = VK_IMAGE_TYPE_2D;
    ici.format = t.format.vk_format;
    ici.extent = {uint32_t(a.width), uint32_t(a.height), 1};
    ici.mipLevels = 1;
    ici.arrayLayers = 1;
    ici.samples = VK_SAMPLE_COUNT_1_BIT;
    ici.tiling =
        explicit_modifier ? VK_IMAGE_TILING_DRM_FORMAT_MODIFIER_EXT : VK_IMAGE_TILING_LINEAR;
    ici.usage = VK_IMAGE_USAGE_SAMPLED_BIT;
    // External images must start UNDEFINED; the pixels survive because the
    // first use is an ownership acquire from the foreign/external queue
    // family (see record_texture_upload), not a plain layout transition.
    ici.initialLayout = VK_IMAGE_LAYOUT_UNDEFINED;
    if (vkCreateImage(r.vk.device, &ici, nullptr, &t.image) != VK_SUCCESS) {
        *reason = FallbackReason::ImportFailed;
        return false;
    }
    VkMemoryRequirements req;
    vkGetImageMemoryRequirements(r.vk.device, t.image, &req);
    if (!explicit_modifier) {
        VkImageSubresource sub{VK_IMAGE_ASPECT_COLOR_BIT, 0, 0};
        VkSubresourceLayout layout;
        vkGetImageSubresourceLayout(r.vk.device, t.image, &sub, &layout);
        if (layout.rowPitch != a.stride[0] || layout.offset != 0 ||
            a.offset[0] % req.alignment != 0 || a.offset[0] + req.size > uint64_t(size)) {
            *reason = FallbackReason::StrideMismatch;
            return false;
        }
    }
    t.memory = import_dmabuf_memory(r, a.fd[0], VkDeviceSize(size), req.memoryTypeBits, reason);
    if (!t.memory)
        return false;
    const VkDeviceSize bind_offset = explicit_modifier ? 0 : a.offset[0];
    if (vkBindImageMemory(r.vk.device, t.image, t.memory, bind_offset) != VK_SUCCESS) {
        *reason = FallbackReason::ImportFailed;
        return false;
    }
    t.kind = TextureKind::Image;
    t.layout = VK_IMAGE_LAYOUT_GENERAL; // as the producer (foreign queue) leaves it
    t.acquire_from_foreign = true;
    if (!finish_image_texture(r, t)) {
        *reason = FallbackReason::ImportFailed;
        return false;
    }
    return true;
}

bool try_buffer_import(VulkanRenderer& r, VulkanTexture& t, const wlr_dmabuf_attributes& a,
                       int64_t size, FallbackReason* reason) {
    if (a.offset[0] % 4 || a.stride[0] % 4 ||
        uint64_t(size) > r.vk.props.limits.maxStorageBufferRange) {
        *reason = FallbackReason::StrideMismatch;
        return false;
    }
    VkExternalMemoryBufferCreateInfo ext{VK_STRUCTURE_TYPE_EXTERNAL_MEMORY_BUFFER_CREATE_INFO};
    ext.handleTypes = VK_EXTERNAL_MEMORY_HANDLE_TYPE_DMA_BUF_BIT_EXT;
    VkBufferCreateInfo bci{VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO};
    bci.pNext = &ext;
    bci.size = VkDeviceSize(size);
    bci.usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT;
    if (vkCreateBuffer(r.vk.device, &bci, nullptr, &t.buffer) != VK_SUCCESS) {
        *reason = FallbackReason::ImportFailed;
        return false;
    }
    VkMemoryRequirements req;
    vkGetBufferMemoryRequirements(r.vk.device, t.buffer, &req);
    if (req.size > uint64_t(size)) {
        *reason = FallbackReason::ImportFailed;
        return false;
    }
    t.memory = import_dmabuf_memory(r, a.fd[0], VkDeviceSize(size), req.memoryTypeBits, reason);
    if (!t.memory || vkBindBufferMemory(r.vk.device, t.buffer, t.memory, 0) != VK_SUCCESS) {
        *reason = FallbackReason::ImportFailed;
        return false;
    }
    t.kind = TextureKind::Buffer;
    t.word_offset = a.offset[0] / 4;
    t.stride_words = a.stride[0] / 4;
    if (!finish_buffer_texture(r, t)) {
        *reason = FallbackReason::ImportFailed;
        return false;
    }
    return true;
}

// A real dma-buf cannot change size; any other file can, unless sealed.
constexpr long kDmaBufMagic = 0x444d4142; // DMA_BUF_MAGIC, linux/magic.h

bool is_real_dmabuf(int fd) {
    struct statfs fs {};
    return fstatfs(fd, &fs) == 0 && fs.f_type == kDmaBufMagic;
}

bool cannot_shrink(int fd) {
    if (is_real_dmabuf(fd))
        return true;
    const int seals = fcntl(fd, F_GET_SEALS); // -1 (EINVAL) unless a memfd
    return seals >= 0 && (seals & F_SEAL_SHRINK);
}

// CPU copy of a file that is not a dma-buf (a memfd): row by row with
// pread, so a client that shrinks the file at any moment causes a short
// read, never a fault.  (dma-bufs have no read(); they are mmapped below.)
bool pread_dmabuf(VulkanRenderer& r, VulkanTexture& t, const wlr_dmabuf_attributes& a) {
    if (!create_copy_texture(r, t, uint32_t(a.width), uint32_t(a.height)))
        return false;
    const size_t row = size_t(a.width) * t.format.bytes_per_pixel;
    for (int32_t y = 0; y < a.height; ++y) {
        const off_t at = off_t(a.offset[0]) + off_t(y) * off_t(a.stride[0]);
        uint8_t* dst = t.staging_map + size_t(y) * row;
        size_t done = 0;
        while (done < row) {
            const ssize_t n = pread(a.fd[0], dst + done, row - done, at + off_t(done));
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                return false; // shrunk under us (or unreadable)
            done += size_t(n);
        }
    }
    t.dirty_x0 = t.dirty_y0 = 0;
    t.dirty_x1 = uint32_t(a.width);
    t.dirty_y1 = uint32_t(a.height);
    t.upload_pending = true;
    t.writable = false; // dmabuf textures are immutable in wlroots
    return true;
}

// CPU copy of a real dma-buf (fixed size, so the mmap cannot fault),
// bracketed by DMA_BUF_IOCTL_SYNC so caches are coherent.
bool copy_dmabuf(VulkanRenderer& r, VulkanTexture& t, const wlr_dmabuf_attributes& a,
                 int64_t size) {
    if (!is_real_dmabuf(a.fd[0]))
        return pread_dmabuf(r, t, a);
    void* map = mmap(nullptr, size_t(size), PROT_READ, MAP_SHARED, a.fd[0], 0);
    if (map == MAP_FAILED)
        return false;
    if (!create_copy_texture(r, t, uint32_t(a.width), uint32_t(a.height))) {
        munmap(map, size_t(size));
        return false;
    }
    dma_buf_sync sync{DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ};
    ioctl(a.fd[0], DMA_BUF_IOCTL_SYNC, &sync);
    copy_rows_to_staging(t, static_cast<const uint8_t*>(map) + a.offset[0], a.stride[0], 0, 0,
                         uint32_t(a.width), uint32_t(a.height));
    sync.flags = DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ;
    ioctl(a.fd[0], DMA_BUF_IOCTL_SYNC, &sync);
    munmap(map, size_t(size));
    t.writable = false; // dmabuf textures are immutable in wlroots
    return true;
}

ImportKey dmabuf_key(const wlr_dmabuf_attributes& a) {
    return ImportKey{nullptr, a.offset[0], a.stride[0], a.format};
}

void reset_texture(VulkanRenderer& r, VulkanTexture& t) {
    destroy_texture_resources(t);
    t.renderer = &r;
    t.kind = TextureKind::Image;
}

} // namespace

VkDeviceMemory import_dmabuf_memory(VulkanRenderer& r, int fd, VkDeviceSize size,
                                    uint32_t type_bits, FallbackReason* reason) {
    *reason = FallbackReason::ImportFailed;
    VkMemoryFdPropertiesKHR fd_props{VK_STRUCTURE_TYPE_MEMORY_FD_PROPERTIES_KHR};
    VkResult res = r.vk.get_memory_fd_properties(
        r.vk.device, VK_EXTERNAL_MEMORY_HANDLE_TYPE_DMA_BUF_BIT_EXT, fd, &fd_props);
    if (res != VK_SUCCESS) {
        wlr_log(WLR_DEBUG, "vulkan: vkGetMemoryFdPropertiesKHR(dmabuf): %s", vk_result_name(res));
        return VK_NULL_HANDLE;
    }
    const uint32_t type = r.vk.find_memory_type(type_bits & fd_props.memoryTypeBits, 0);
    if (type == UINT32_MAX) {
        wlr_log(WLR_DEBUG, "vulkan: no memory type for the dmabuf (image 0x%x, fd 0x%x)", type_bits,
                fd_props.memoryTypeBits);
        return VK_NULL_HANDLE;
    }
    // A successful import takes ownership of the fd: give it a duplicate.
    int dup_fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
    if (dup_fd < 0)
        return VK_NULL_HANDLE;
    VkImportMemoryFdInfoKHR import{VK_STRUCTURE_TYPE_IMPORT_MEMORY_FD_INFO_KHR};
    import.handleType = VK_EXTERNAL_MEMORY_HANDLE_TYPE_DMA_BUF_BIT_EXT;
    import.fd = dup_fd;
    VkMemoryAllocateInfo mai{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO};
    mai.pNext = &import;
    mai.allocationSize = size;
    mai.memoryTypeIndex = type;
    VkDeviceMemory memory = VK_NULL_HANDLE;
    res = vkAllocateMemory(r.vk.device, &mai, nullptr, &memory);
    if (res != VK_SUCCESS) {
        wlr_log(WLR_DEBUG, "vulkan: importing a %llu-byte dmabuf: %s",
                static_cast<unsigned long long>(size), vk_result_name(res));
        close(dup_fd);
        return VK_NULL_HANDLE;
    }
    *reason = FallbackReason::None;
    return memory;
}

wlr_texture* import_dmabuf_texture(VulkanRenderer& r, wlr_buffer* buffer,
                                   const wlr_dmabuf_attributes& a) {
    const int64_t begin = monotonic_ns();
    DmabufDesc desc;
    desc.width = a.width > 0 ? uint32_t(a.width) : 0;
    desc.height = a.height > 0 ? uint32_t(a.height) : 0;
    desc.drm_format = a.format;
    desc.modifier = a.modifier;
    desc.n_planes = a.n_planes;
    for (int i = 0; i < a.n_planes && i < 4; ++i)
        desc.planes[i] = {fd_size(a.fd[i]), a.offset[i], a.stride[i]};
    DmabufVerdict verdict = check_dmabuf(desc, r.vk.has_modifiers);
    if (verdict.reason != FallbackReason::None) {
        note_import_failure(r, verdict.reason, verdict.detail.c_str());
        return nullptr;
    }
    const int64_t size = desc.planes[0].fd_size;
    VulkanTexture* t = new_texture(r);
    wlr_texture_init(&t->base, &kTextureImpl, desc.width, desc.height);
    t->renderer = &r;
    t->format = *pixel_format_from_drm(a.format);
    const uint64_t bytes = uint64_t{desc.width} * desc.height * t->format.bytes_per_pixel;
    const bool linear = a.modifier == DRM_FORMAT_MOD_LINEAR || a.modifier == DRM_FORMAT_MOD_INVALID;

    FallbackReason reason = FallbackReason::None;
    bool zero_copy = false;
    if (r.options.force_path == ForcePath::Copy) {
        reason = FallbackReason::ForcedCopy;
    } else if (!r.vk.has_dmabuf) {
        reason = FallbackReason::ImportFailed;
    } else if (!cannot_shrink(a.fd[0])) {
        reason = FallbackReason::ShmNotSealed;
    } else if (borrow_cached_import(r, buffer, dmabuf_key(a), *t)) {
        zero_copy = true; // this buffer's earlier commits went the storage-buffer way
    } else {
        zero_copy = try_image_import(r, *t, a, size, &reason);
        if (!zero_copy && linear) {
            FallbackReason image_reason = reason;
            reset_texture(r, *t);
            zero_copy = try_buffer_import(r, *t, a, size, &reason);
            if (zero_copy) {
                reason = FallbackReason::None;
                cache_import(r, buffer, dmabuf_key(a), *t);
            } else if (reason == FallbackReason::StrideMismatch &&
                       image_reason == FallbackReason::ImportFailed)
                reason = image_reason;
        }
    }
    if (zero_copy) {
        t->record.path = ImportPath::DmabufZeroCopy;
        t->record.bytes_zero_copy = bytes;
        // The GPU samples the client's memory: hold the buffer until the
        // texture goes, so the client does not reuse it under us.
        t->locked_source = wlr_buffer_lock(buffer);
    } else {
        reset_texture(r, *t);
        if (!linear || !copy_dmabuf(r, *t, a, size)) {
            destroy_texture_resources(*t);
            recycle_texture(r, t);
            note_import_failure(
                r, reason == FallbackReason::None ? FallbackReason::ImportFailed : reason,
                linear ? "dmabuf neither importable nor readable (fd shorter than its "
                         "attributes: shrunk by the client?)"
                       : "tiled dmabuf cannot be imported or copied");
            return nullptr;
        }
        t->record.path = ImportPath::DmabufCopy;
        t->record.bytes_copied = bytes;
    }
    t->record.reason = reason;
    t->record.import_begin_ns = begin;
    t->record.import_end_ns = monotonic_ns();
    t->record.generation = ++r.import_generation;
    r.textures.push_back(t);
    return &t->base;
}

void probe_dmabuf_formats(VulkanRenderer& r) {
    if (!r.vk.has_dmabuf)
        return;
    for (const PixelFormat& f : pixel_formats()) {
        VkPhysicalDeviceExternalImageFormatInfo ext_info{
            VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_EXTERNAL_IMAGE_FORMAT_INFO};
        ext_info.handleType = VK_EXTERNAL_MEMORY_HANDLE_TYPE_DMA_BUF_BIT_EXT;
        VkPhysicalDeviceImageFormatInfo2 info{
            VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_IMAGE_FORMAT_INFO_2};
        info.pNext = &ext_info;
        info.format = f.vk_format;
        info.type = VK_IMAGE_TYPE_2D;
        info.tiling = VK_IMAGE_TILING_LINEAR;
        info.usage = VK_IMAGE_USAGE_SAMPLED_BIT;
        VkExternalImageFormatProperties ext_props{
            VK_STRUCTURE_TYPE_EXTERNAL_IMAGE_FORMAT_PROPERTIES};
        VkImageFormatProperties2 props{VK_STRUCTURE_TYPE_IMAGE_FORMAT_PROPERTIES_2};
        props.pNext = &ext_props;
        auto importable = [&] {
            return vkGetPhysicalDeviceImageFormatProperties2(r.vk.physical, &info, &props) ==
                       VK_SUCCESS &&
                   (ext_props.externalMemoryProperties.externalMemoryFeatures &
                    VK_EXTERNAL_MEMORY_FEATURE_IMPORTABLE_BIT);
        };
        if (!r.vk.has_modifiers) {
            // Without the modifier extension only LINEAR can be described.
            if (importable())
                wlr_drm_format_set_add(&r.dmabuf_formats, f.drm_fourcc, DRM_FORMAT_MOD_LINEAR);
            continue;
        }
        VkDrmFormatModifierPropertiesListEXT list{
            VK_STRUCTURE_TYPE_DRM_FORMAT_MODIFIER_PROPERTIES_LIST_EXT};
        VkFormatProperties2 fprops{VK_STRUCTURE_TYPE_FORMAT_PROPERTIES_2};
        fprops.pNext = &list;
        vkGetPhysicalDeviceFormatProperties2(r.vk.physical, f.vk_format, &fprops);
        std::vector<VkDrmFormatModifierPropertiesEXT> mods(list.drmFormatModifierCount);
        list.pDrmFormatModifierProperties = mods.data();
        vkGetPhysicalDeviceFormatProperties2(r.vk.physical, f.vk_format, &fprops);
        for (const auto& m : mods) {
            if (m.drmFormatModifierPlaneCount != 1 ||
                !(m.drmFormatModifierTilingFeatures & VK_FORMAT_FEATURE_SAMPLED_IMAGE_BIT))
                continue;
            VkPhysicalDeviceImageDrmFormatModifierInfoEXT mod_info{
                VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_IMAGE_DRM_FORMAT_MODIFIER_INFO_EXT};
            mod_info.drmFormatModifier = m.drmFormatModifier;
            mod_info.sharingMode = VK_SHARING_MODE_EXCLUSIVE;
            ext_info.pNext = &mod_info;
            info.tiling = VK_IMAGE_TILING_DRM_FORMAT_MODIFIER_EXT;
            if (importable())
                wlr_drm_format_set_add(&r.dmabuf_formats, f.drm_fourcc, m.drmFormatModifier);
            ext_info.pNext = nullptr;
        }
    }
}

} // namespace zcd::render
