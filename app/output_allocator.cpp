// The outputs' buffer allocator.  On virtio-gpu KMS the compositor renders
// into guest dma-bufs (app/guest_dmabuf.hpp): each buffer is a sealed memfd
// the renderer draws into through its mapping, and the same pages as a
// udmabuf dma-buf that wlroots' DRM backend imports with PRIME -- a guest
// blob resource on virtio-gpu, read by the host in place.  Without it
// wlroots' own allocator serves (with our CPU renderer: KMS dumb buffers,
// which virtio-gpu transfers to the host on every flush); the reason is one
// log line and stats.json's `output_buffers_fallback`, never a failure.
#include <drm_fourcc.h>
#include <unistd.h>

#include <cstdio>

#include "app/guest_dmabuf.hpp"
#include "app/server.hpp"

namespace zcd::app {

namespace {

constexpr const char* kUdmabufPath = "/dev/udmabuf";

struct GuestDmabufBuffer {
    wlr_buffer base;
    GuestDmabuf memory;
    wlr_dmabuf_attributes dmabuf;
    uint32_t format;
    size_t stride;
};

struct GuestDmabufAllocator {
    wlr_allocator base;
    int udmabuf_fd;
};

GuestDmabufBuffer* buffer_of(wlr_buffer* b) {
    return wl_container_of(b, static_cast<GuestDmabufBuffer*>(nullptr), base);
}

void buffer_destroy(wlr_buffer* b) {
    GuestDmabufBuffer* buf = buffer_of(b);
    guest_dmabuf_finish(&buf->memory); // closes the dma-buf fd in buf->dmabuf too
    delete buf;
}

bool buffer_get_dmabuf(wlr_buffer* b, wlr_dmabuf_attributes* attribs) {
    *attribs = buffer_of(b)->dmabuf;
    return true;
}

bool buffer_begin_data_ptr_access(wlr_buffer* b, uint32_t, void** data, uint32_t* format,
                                  size_t* stride) {
    GuestDmabufBuffer* buf = buffer_of(b);
    *data = buf->memory.map;
    *format = buf->format;
    *stride = buf->stride;
    return true;
}

void buffer_end_data_ptr_access(wlr_buffer*) {}

const wlr_buffer_impl kBufferImpl = {
    .destroy = buffer_destroy,
    .get_dmabuf = buffer_get_dmabuf,
    .get_shm = nullptr,
    .begin_data_ptr_access = buffer_begin_data_ptr_access,
    .end_data_ptr_access = buffer_end_data_ptr_access,
};

bool has_modifier(const wlr_drm_format* f, uint64_t modifier) {
    for (size_t i = 0; i < f->len; ++i)
        if (f->modifiers[i] == modifier)
            return true;
    return false;
}

wlr_buffer* allocator_create_buffer(wlr_allocator* a, int width, int height,
                                    const wlr_drm_format* format) {
    auto* alloc = wl_container_of(a, static_cast<GuestDmabufAllocator*>(nullptr), base);
    // What the renderer renders into in place (linear 32-bit BGRA in memory).
    if (format->format != DRM_FORMAT_XRGB8888 && format->format != DRM_FORMAT_ARGB8888) {
        wlr_log(WLR_ERROR, "zc-compositor: guest dma-buf output buffers: format 0x%08x unsupported",
                format->format);
        return nullptr;
    }
    // Memory is linear; say so explicitly where the display lists LINEAR,
    // else as the implicit modifier (a display without modifier support).
    uint64_t modifier = DRM_FORMAT_MOD_LINEAR;
    if (!has_modifier(format, DRM_FORMAT_MOD_LINEAR)) {
        if (!has_modifier(format, DRM_FORMAT_MOD_INVALID)) {
            wlr_log(WLR_ERROR, "zc-compositor: guest dma-buf output buffers: the output takes "
                               "neither linear nor implicit modifiers");
            return nullptr;
        }
        modifier = DRM_FORMAT_MOD_INVALID;
    }
    auto* buf = new GuestDmabufBuffer{};
    buf->stride = static_cast<size_t>(width) * 4;
    std::string error;
    if (!guest_dmabuf_create(alloc->udmabuf_fd, buf->stride * static_cast<size_t>(height),
                             &buf->memory, &error)) {
        wlr_log(WLR_ERROR, "zc-compositor: guest dma-buf output buffer %dx%d: %s", width, height,
                error.c_str());
        delete buf;
        return nullptr;
    }
    wlr_buffer_init(&buf->base, &kBufferImpl, width, height);
    buf->format = format->format;
    buf->dmabuf.width = width;
    buf->dmabuf.height = height;
    buf->dmabuf.format = format->format;
    buf->dmabuf.modifier = modifier;
    buf->dmabuf.n_planes = 1;
    buf->dmabuf.offset[0] = 0;
    buf->dmabuf.stride[0] = static_cast<uint32_t>(buf->stride);
    buf->dmabuf.fd[0] = buf->memory.dmabuf;
    return &buf->base;
}

void allocator_destroy(wlr_allocator* a) {
    auto* alloc = wl_container_of(a, static_cast<GuestDmabufAllocator*>(nullptr), base);
    close(alloc->udmabuf_fd);
    delete alloc;
}

const wlr_allocator_interface kAllocatorImpl = {
    .create_buffer = allocator_create_buffer,
    .destroy = allocator_destroy,
};

} // namespace

bool create_output_allocator(Server& server) {
    const int drm_fd = wlr_backend_get_drm_fd(server.backend);
    int udmabuf_fd = -1;
    std::string detail;
    // Only our renderer renders in place into a data pointer and tells the
    // hop apart; with pixman the outputs keep wlroots' buffers.
    const bool disabled =
        server.options.output_buffers == OutputBuffersChoice::Wlroots || !server.vulkan;
    const OutputBuffersFallback fallback =
        probe_guest_dmabuf_display(drm_fd, disabled, kUdmabufPath, &udmabuf_fd, &detail);
    server.facts.output_buffers_fallback = std::string(to_string(fallback));
    if (fallback == OutputBuffersFallback::None) {
        auto* alloc = new GuestDmabufAllocator{};
        alloc->udmabuf_fd = udmabuf_fd;
        wlr_allocator_init(&alloc->base, &kAllocatorImpl,
                           WLR_BUFFER_CAP_DMABUF | WLR_BUFFER_CAP_DATA_PTR);
        server.allocator = &alloc->base;
        server.facts.output_buffers = "guest_dmabuf";
        // The renderer classifies frames rendered into these buffers as
        // composed_zero_copy, not as a dumb buffer's copy.
        renderer_display_imports(server, &kBufferImpl);
        wlr_log(WLR_INFO, "zc-compositor: output buffers: %s", detail.c_str());
        return true;
    }
    // Not KMS (headless, nested) or turned off is the ordinary case; a KMS
    // device that could not take them says why, once.
    if (fallback != OutputBuffersFallback::NotKms && fallback != OutputBuffersFallback::Disabled)
        std::fprintf(stderr, "zc-compositor: output buffers: wlroots' allocator (%s: %s)\n",
                     std::string(to_string(fallback)).c_str(), detail.c_str());
    server.allocator = wlr_allocator_autocreate(server.backend, server.renderer);
    server.facts.output_buffers = "wlroots";
    if (!server.allocator) {
        std::fprintf(stderr, "zc-compositor: cannot create an allocator for the outputs\n");
        return false;
    }
    return true;
}

} // namespace zcd::app
