// Test harness: wlr_buffers the tests own.
//  - ShmTestBuffer: pixels in a page-aligned memfd mapping with a data
//    pointer, like a wl_shm pool (shm import path) or a headless output
//    buffer (render target).
//  - DmabufTestBuffer: the same memfd handed out as dmabuf attributes, the
//    way a client sends a memfd through linux-dmabuf on machines without
//    real dmabufs.
#pragma once

#include <cstdint>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "zcd/wlroots.hpp"

namespace zcd::test {

struct ShmTestBuffer {
    wlr_buffer base{};
    int fd = -1;
    uint8_t* data = nullptr;
    size_t size = 0;
    uint32_t format = 0;
    uint32_t stride = 0;
    uint32_t offset = 0; // first pixel's offset in the mapping
    bool as_dmabuf = false;
    uint64_t modifier = DRM_FORMAT_MOD_LINEAR;
    int n_planes = 1;                 // >1 repeats plane 0 (a malformed multi-plane RGB buffer)
    bool dmabuf_and_data_ptr = false; // both, like a DRM dumb buffer

    uint8_t* pixels() { return data + offset; }
    void put(uint32_t x, uint32_t y, uint32_t argb) {
        std::memcpy(pixels() + size_t(y) * stride + size_t(x) * 4, &argb, 4);
    }
};

inline ShmTestBuffer* test_buffer_from(wlr_buffer* b) {
    return reinterpret_cast<ShmTestBuffer*>(b);
}

inline void test_buffer_destroy(wlr_buffer* b) {
    ShmTestBuffer* t = test_buffer_from(b);
    munmap(t->data, t->size);
    close(t->fd);
    delete t;
}

inline bool test_buffer_begin_access(wlr_buffer* b, uint32_t, void** data, uint32_t* format,
                                     size_t* stride) {
    ShmTestBuffer* t = test_buffer_from(b);
    if (t->as_dmabuf && !t->dmabuf_and_data_ptr)
        return false;
    *data = t->pixels();
    *format = t->format;
    *stride = t->stride;
    return true;
}

inline void test_buffer_end_access(wlr_buffer*) {}

inline bool test_buffer_get_dmabuf(wlr_buffer* b, wlr_dmabuf_attributes* a) {
    ShmTestBuffer* t = test_buffer_from(b);
    if (!t->as_dmabuf)
        return false;
    *a = wlr_dmabuf_attributes{};
    a->width = t->base.width;
    a->height = t->base.height;
    a->format = t->format;
    a->modifier = t->modifier;
    a->n_planes = t->n_planes;
    for (int i = 0; i < t->n_planes && i < WLR_DMABUF_MAX_PLANES; ++i) {
        a->offset[i] = t->offset;
        a->stride[i] = t->stride;
        a->fd[i] = t->fd;
    }
    return true;
}

inline const wlr_buffer_impl* test_buffer_impl() {
    static const wlr_buffer_impl impl = [] {
        wlr_buffer_impl i{};
        i.destroy = test_buffer_destroy;
        i.get_dmabuf = test_buffer_get_dmabuf;
        i.begin_data_ptr_access = test_buffer_begin_access;
        i.end_data_ptr_access = test_buffer_end_access;
        return i;
    }();
    return &impl;
}

// stride 0 = width * 4.  Returns nullptr if memfd/mmap fail.
inline ShmTestBuffer* create_test_buffer(int width, int height, uint32_t format,
                                         uint32_t stride = 0, uint32_t offset = 0,
                                         bool as_dmabuf = false) {
    auto* t = new ShmTestBuffer{};
    t->format = format;
    t->stride = stride ? stride : uint32_t(width) * 4;
    t->offset = offset;
    t->as_dmabuf = as_dmabuf;
    t->size = offset + size_t(t->stride) * height;
    t->fd = memfd_create("zcd-test-buffer", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (t->fd < 0 || ftruncate(t->fd, off_t(t->size)) != 0) {
        delete t;
        return nullptr;
    }
    void* map = mmap(nullptr, t->size, PROT_READ | PROT_WRITE, MAP_SHARED, t->fd, 0);
    if (map == MAP_FAILED) {
        close(t->fd);
        delete t;
        return nullptr;
    }
    t->data = static_cast<uint8_t*>(map);
    wlr_buffer_init(&t->base, test_buffer_impl(), width, height);
    return t;
}

// Seals the memfd against resizing, as a well-behaved client does before
// sending it as a "dmabuf": the renderer then imports it without a copy.
inline bool seal_size(ShmTestBuffer* t) {
    return fcntl(t->fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW) == 0;
}

} // namespace zcd::test
