// Huge wl_shm copies off the main loop.
//
// A 16384x16384 XRGB buffer is 1 GiB: copying it on the main thread froze
// every output for 3 to 17 s (measured, tests/hostile shm_huge_*).  For a
// copy of kHugeCopyBytes or more the compositor holds the commit back
// (app/huge_commits.cpp) and we copy on one upload thread into the texture's
// own host-visible memory -- the storage buffer the shader samples, or, above
// the device's storage-buffer range, a linear image (no GPU copy inside a
// frame either).  The main loop hears of the end through an eventfd, hangs
// the finished texture on the wlr_buffer (wlr_addon) and lets the commit go
// on; import_shm_texture adopts the texture, with its ImportRecord (shm_copy,
// the bytes, the copy's start and end).
//
// SIGBUS: libwayland's guard covers only the thread inside
// wl_shm_buffer_begin/end_access, and its handler re-raises a fault on any
// other thread.  So the upload thread never touches client pages with loads:
// it copies with process_vm_readv on its own process, which reports a page
// the client truncated away as a short read (EFAULT) instead of a signal.
// Where that syscall is refused (seccomp), uploads are not started and the
// import copies in place, inside libwayland's guard, as before.
//
// Lifetimes: an upload keeps its wlr_buffer locked (so the client gets
// wl_buffer.release only after the copy, and wlroots' reference on the pool
// keeps the mapping where it is: libwayland defers a resize while a pool has
// external references).  A cancelled upload (surface gone, client gone)
// stops at the next 256 rows; its texture is freed on the main loop.
// Freeing a huge texture's memory unmaps 1 GiB of touched pages (~100 ms and
// more): the upload thread does that too (free_memory_later).
#include <fcntl.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>

#include "renderer/vulkan_renderer.hpp"

namespace zcd::render {

struct ShmUpload {
    VulkanRenderer* renderer = nullptr;
    wlr_buffer* buffer = nullptr; // locked until the upload is reported
    VulkanTexture* texture = nullptr;
    const uint8_t* src = nullptr; // the client's pixels
    size_t src_stride = 0;
    uint32_t format = 0;
    uint8_t* dst = nullptr; // the texture's mapped memory
    size_t dst_stride = 0;
    size_t row_bytes = 0;
    uint32_t rows = 0;
    ShmUploadDone done = nullptr; // null once cancelled
    void* user = nullptr;
    std::atomic<bool> cancelled{false};
    bool faulted = false; // set by the upload thread before it hands the upload back
};

// A finished texture waiting on its wlr_buffer for the commit's import.
struct Prepared {
    VulkanRenderer* renderer = nullptr;
    wlr_addon addon{};
    VulkanTexture* texture = nullptr;
    size_t stride = 0; // of the pixels it was copied from
    uint32_t format = 0;
};

struct ShmUploader {
    std::thread thread;
    std::mutex mutex;
    std::condition_variable wake;
    std::deque<ShmUpload*> queue;      // mutex
    std::vector<ShmUpload*> finished;  // mutex
    std::vector<VkDeviceMemory> frees; // mutex: huge memory the thread frees
    bool quit = false;                 // mutex
    std::vector<ShmUpload*> live;      // main thread: started, not yet reported
    std::vector<Prepared*> prepared;       // main thread: finished, not yet adopted
    int event_fd = -1;
    wl_event_source* source = nullptr;
};

namespace {

void free_texture(VulkanRenderer& r, VulkanTexture* t) {
    destroy_texture_resources(*t);
    recycle_texture(r, t);
}

void drop_prepared(Prepared* p) {
    wlr_addon_finish(&p->addon);
    std::erase(p->renderer->uploader->prepared, p);
    if (p->texture)
        free_texture(*p->renderer, p->texture);
    delete p;
}

void prepared_addon_destroy(wlr_addon* addon) { // the buffer went away unshown
    Prepared* p = wl_container_of(addon, p, addon);
    drop_prepared(p);
}

const wlr_addon_interface kPreparedAddon = {"zcd_vulkan_shm_upload", prepared_addon_destroy};

constexpr int kUploadNice = 10;

// Rows per process_vm_readv call (IOV_MAX is 1024); also how often a
// cancelled upload notices (16 MiB at 16384 XRGB pixels a row).
constexpr uint32_t kRowsPerCall = 256;

// false: the client's memory faulted (truncated pool, pool larger than file).
bool copy_rows(ShmUpload& u) {
    const pid_t self = getpid();
    iovec local[kRowsPerCall], remote[kRowsPerCall];
    for (uint32_t y = 0; y < u.rows;) {
        if (u.cancelled.load(std::memory_order_relaxed))
            return true;
        const uint32_t n = std::min(kRowsPerCall, u.rows - y);
        for (uint32_t i = 0; i < n; ++i) {
            local[i] = {u.dst + (y + i) * u.dst_stride, u.row_bytes};
            remote[i] = {const_cast<uint8_t*>(u.src) + (y + i) * u.src_stride, u.row_bytes};
        }
        const ssize_t got = process_vm_readv(self, local, n, remote, n, 0);
        if (got < 0 || size_t(got) != n * u.row_bytes)
            return false;
        y += n;
    }
    return true;
}

void upload_thread(ShmUploader* u, VkDevice device) {
    // Background work: on a loaded machine the main loop (every output's
    // frames) gets the CPU first.  Linux nice values are per thread.
    setpriority(PRIO_PROCESS, pid_t(syscall(SYS_gettid)), kUploadNice);
    std::unique_lock lock(u->mutex);
    for (;;) {
        u->wake.wait(lock, [u] { return u->quit || !u->queue.empty() || !u->frees.empty(); });
        if (u->quit)
            return;
        if (!u->frees.empty()) {
            std::vector<VkDeviceMemory> frees;
            frees.swap(u->frees);
            lock.unlock();
            for (VkDeviceMemory m : frees)
                vkFreeMemory(device, m, nullptr);
            lock.lock();
            continue;
        }
        ShmUpload* job = u->queue.front();
        u->queue.pop_front();
        lock.unlock();
        const bool ok = copy_rows(*job);
        const int64_t end = monotonic_ns();
        lock.lock();
        job->faulted = !ok;
        job->texture->record.import_end_ns = end;
        u->finished.push_back(job);
        const uint64_t one = 1;
        (void)!write(u->event_fd, &one, sizeof one);
    }
}

// Main thread: the upload is over (copied, faulted or cancelled).
void report(VulkanRenderer& r, ShmUpload* job) {
    std::erase(r.uploader->live, job);
    const ShmUploadDone done = job->cancelled ? nullptr : job->done;
    const bool ok = !job->faulted;
    if (done && ok) {
        auto* p = new Prepared{};
        p->renderer = &r;
        p->texture = job->texture;
        p->stride = job->src_stride;
        p->format = job->format;
        // A buffer committed twice before its first import keeps the newer copy.
        if (wlr_addon* old = wlr_addon_find(&job->buffer->addons, &r, &kPreparedAddon))
            prepared_addon_destroy(old);
        wlr_addon_init(&p->addon, &job->buffer->addons, &r, &kPreparedAddon);
        r.uploader->prepared.push_back(p);
    } else {
        if (job->faulted)
            wlr_log(WLR_ERROR, "vulkan: client buffer not imported (shm pool faulted under "
                               "its copy: the client shrank it)");
        free_texture(r, job->texture);
    }
    wlr_buffer* buffer = job->buffer;
    void* user = job->user;
    delete job;
    if (done)
        done(user, ok); // the commit is applied here and adopts the texture
    wlr_buffer_unlock(buffer); // after the import: wl_buffer.release comes now
}

int on_finished(int fd, uint32_t, void* data) {
    auto& r = *static_cast<VulkanRenderer*>(data);
    uint64_t n = 0;
    (void)!read(fd, &n, sizeof n);
    std::vector<ShmUpload*> jobs;
    {
        std::lock_guard lock(r.uploader->mutex);
        jobs.swap(r.uploader->finished);
    }
    for (ShmUpload* job : jobs)
        report(r, job);
    return 0;
}

// Whether process_vm_readv works here (seccomp may refuse it).
bool can_read_own_memory() {
    uint64_t from = 0x5a5a5a5a5a5a5a5a, to = 0;
    iovec local{&to, sizeof to}, remote{&from, sizeof from};
    return process_vm_readv(getpid(), &local, 1, &remote, 1, 0) == ssize_t(sizeof to) &&
           to == from;
}

ShmUploader* uploader_of(VulkanRenderer& r) { // may return null
    if (r.uploader || !r.loop)
        return r.uploader;
    static const bool usable = [] {
        const bool ok = can_read_own_memory();
        if (!ok)
            wlr_log(WLR_ERROR, "vulkan: process_vm_readv refused (%s): huge wl_shm buffers are "
                               "copied on the main loop",
                    strerror(errno));
        return ok;
    }();
    if (!usable)
        return nullptr;
    auto* u = new ShmUploader{};
    u->event_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (u->event_fd < 0) {
        delete u;
        return nullptr;
    }
    u->source = wl_event_loop_add_fd(r.loop, u->event_fd, WL_EVENT_READABLE, on_finished, &r);
    u->thread = std::thread(upload_thread, u, r.vk.device);
    r.uploader = u;
    return u;
}

// Above the storage-buffer range (lavapipe: 128 MiB) the copy goes into a
// linear, host-visible image the shader samples where it is written.
bool create_linear_texture(VulkanRenderer& r, VulkanTexture& t, uint32_t width, uint32_t height,
                           uint8_t** map, size_t* stride) {
    VkImageFormatProperties fp{};
    if (vkGetPhysicalDeviceImageFormatProperties(r.vk.physical, t.format.vk_format,
                                                 VK_IMAGE_TYPE_2D, VK_IMAGE_TILING_LINEAR,
                                                 VK_IMAGE_USAGE_SAMPLED_BIT, 0,
                                                 &fp) != VK_SUCCESS ||
        fp.maxExtent.width < width || fp.maxExtent.height < height)
        return false;
    VkDevice dev = r.vk.device;
    VkImageCreateInfo ici = image_2d_info(t.format.vk_format, width, height, VK_IMAGE_TILING_LINEAR,
                                          VK_IMAGE_USAGE_SAMPLED_BIT, nullptr);
    ici.initialLayout = VK_IMAGE_LAYOUT_PREINITIALIZED; // host writes survive the transition
    const VkMemoryPropertyFlags host_visible =
        VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
    void* p = nullptr; // unmapped by vkFreeMemory
    if (vkCreateImage(dev, &ici, nullptr, &t.image) != VK_SUCCESS ||
        !bind_image_memory(r, t.image, host_visible, &t.memory) ||
        vkMapMemory(dev, t.memory, 0, VK_WHOLE_SIZE, 0, &p) != VK_SUCCESS)
        return false;
    VkImageSubresource sub{VK_IMAGE_ASPECT_COLOR_BIT, 0, 0};
    VkSubresourceLayout layout{};
    vkGetImageSubresourceLayout(dev, t.image, &sub, &layout);
    *map = static_cast<uint8_t*>(p) + layout.offset;
    *stride = size_t(layout.rowPitch);
    t.kind = TextureKind::Image;
    t.layout = VK_IMAGE_LAYOUT_PREINITIALIZED;
    return finish_image_texture(r, t);
}

// Whether the import of these pixels would copy them (and why).
bool import_copies(const VulkanRenderer& r, const wlr_buffer* buffer, const void* data,
                   size_t stride, FallbackReason* reason) {
    uint64_t pool_id = 0;
    if (!plan_shm_import(r, buffer, data, reason, &pool_id))
        return true;
    // try_host_import's limit: a storage buffer over the whole range.
    const uint64_t span = uint64_t{stride} * uint64_t(buffer->height) + r.vk.host_pointer_alignment;
    if (span > r.vk.props.limits.maxStorageBufferRange) {
        *reason = FallbackReason::HostPointerUnaligned;
        return true;
    }
    return false;
}

struct Pixels {
    void* data = nullptr;
    uint32_t format = 0;
    size_t stride = 0;
};

// The buffer's pixel pointer (no pixel is read).
bool pixels_of(wlr_buffer* buffer, Pixels* px, std::optional<PixelFormat>* fmt) {
    if (!wlr_buffer_begin_data_ptr_access(buffer, WLR_BUFFER_DATA_PTR_ACCESS_READ, &px->data,
                                          &px->format, &px->stride))
        return false;
    wlr_buffer_end_data_ptr_access(buffer);
    *fmt = pixel_format_from_drm(px->format);
    if (!*fmt || px->stride < size_t(buffer->width) * (*fmt)->bytes_per_pixel)
        return false; // the import reports it
    return true;
}

} // namespace

void start_shm_uploader(VulkanRenderer& r) {
    uploader_of(r);
}

bool wants_shm_upload(wlr_renderer* renderer, wlr_buffer* buffer) {
    VulkanRenderer* r = vulkan_renderer_from(renderer);
    if (!r || !r->loop || !buffer || buffer->width <= 0 || buffer->height <= 0)
        return false;
    // Asked for every commit: most buffers are too small even at 8 bytes a pixel.
    if (uint64_t(buffer->width) * uint64_t(buffer->height) * 8 < kHugeCopyBytes)
        return false;
    wlr_dmabuf_attributes attribs{};
    if (wlr_buffer_get_dmabuf(buffer, &attribs))
        return false;
    Pixels px;
    std::optional<PixelFormat> fmt;
    if (!pixels_of(buffer, &px, &fmt))
        return false;
    const uint64_t bytes = uint64_t(buffer->width) * uint64_t(buffer->height) * fmt->bytes_per_pixel;
    FallbackReason reason = FallbackReason::None;
    return bytes >= kHugeCopyBytes && import_copies(*r, buffer, px.data, px.stride, &reason);
}

ShmUpload* start_shm_upload(wlr_renderer* renderer, wlr_buffer* buffer, ShmUploadDone done,
                            void* user) {
    VulkanRenderer* rp = vulkan_renderer_from(renderer);
    if (!rp || !buffer)
        return nullptr;
    VulkanRenderer& r = *rp;
    Pixels px;
    std::optional<PixelFormat> fmt;
    FallbackReason reason = FallbackReason::None;
    if (!pixels_of(buffer, &px, &fmt) || !import_copies(r, buffer, px.data, px.stride, &reason))
        return nullptr;
    ShmUploader* u = uploader_of(r);
    if (!u)
        return nullptr;
    const auto width = uint32_t(buffer->width), height = uint32_t(buffer->height);
    VulkanTexture* t = new_texture(r);
    wlr_texture_init(&t->base, &kTextureImpl, width, height);
    t->renderer = &r;
    t->format = *fmt;
    const uint64_t bytes = uint64_t{width} * height * fmt->bytes_per_pixel;
    uint8_t* dst = nullptr;
    size_t dst_stride = 0;
    if (bytes <= r.vk.props.limits.maxStorageBufferRange ||
        !create_linear_texture(r, *t, width, height, &dst, &dst_stride)) {
        destroy_texture_resources(*t); // what a failed linear image left
        t->renderer = &r;
        if (!create_copy_texture(r, *t, width, height)) {
            free_texture(r, t);
            return nullptr; // the import fails the same way, with its message
        }
        dst = t->staging_map;
        dst_stride = size_t{width} * fmt->bytes_per_pixel;
        // The staging copy goes into the image in the first frame that draws
        // it (only where host memory is not device-local: not lavapipe).
        t->dirty_x0 = t->dirty_y0 = 0;
        t->dirty_x1 = width;
        t->dirty_y1 = height;
        t->upload_pending = true;
    }
    t->writable = false; // every commit of it is a new upload, counted as such
    t->record.path = ImportPath::ShmCopy;
    t->record.reason = reason;
    t->record.bytes_copied = bytes;
    t->record.import_begin_ns = monotonic_ns();

    auto* job = new ShmUpload{};
    job->renderer = &r;
    job->buffer = wlr_buffer_lock(buffer);
    job->texture = t;
    job->src = static_cast<const uint8_t*>(px.data);
    job->src_stride = px.stride;
    job->format = px.format;
    job->dst = dst;
    job->dst_stride = dst_stride;
    job->row_bytes = size_t{width} * fmt->bytes_per_pixel;
    job->rows = height;
    job->done = done;
    job->user = user;
    u->live.push_back(job);
    {
        std::lock_guard lock(u->mutex);
        u->queue.push_back(job);
    }
    u->wake.notify_one();
    return job;
}

bool free_memory_later(VulkanRenderer& r, VkDeviceMemory memory) {
    ShmUploader* u = r.uploader;
    if (!u)
        return false;
    {
        std::lock_guard lock(u->mutex);
        u->frees.push_back(memory);
    }
    u->wake.notify_one();
    return true;
}

void cancel_shm_upload(ShmUpload* upload) {
    if (!upload)
        return;
    upload->done = nullptr;
    upload->cancelled.store(true, std::memory_order_relaxed);
}

VulkanTexture* adopt_shm_upload(VulkanRenderer& r, wlr_buffer* buffer,
                                size_t stride, uint32_t format) {
    if (!r.uploader)
        return nullptr;
    wlr_addon* a = wlr_addon_find(&buffer->addons, &r, &kPreparedAddon);
    if (!a)
        return nullptr;
    Prepared* p = wl_container_of(a, p, addon);
    VulkanTexture* t = nullptr;
    // The pixel pointer may differ from the copy's: a pool grown since may
    // have moved (same pages, same pixels).  Stride and format cannot change.
    if (p->stride == stride && p->format == format)
        std::swap(t, p->texture);
    drop_prepared(p); // else stale: copied again in place
    return t;
}

void destroy_shm_uploads(VulkanRenderer& r) {
    ShmUploader* u = r.uploader;
    if (!u)
        return;
    {
        std::lock_guard lock(u->mutex);
        u->quit = true;
    }
    u->wake.notify_one();
    u->thread.join();
    for (VkDeviceMemory m : u->frees)
        vkFreeMemory(r.vk.device, m, nullptr);
    for (ShmUpload* job : u->live)
        job->done = nullptr;
    while (!u->live.empty())
        report(r, u->live.back());
    while (!u->prepared.empty())
        drop_prepared(u->prepared.back());
    wl_event_source_remove(u->source);
    close(u->event_fd);
    delete u;
    r.uploader = nullptr;
}

} // namespace zcd::render
