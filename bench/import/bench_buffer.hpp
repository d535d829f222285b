// wlr_buffers the import benchmark owns: pixels in a page-aligned memfd
// mapping, offered either as a data pointer (what a wl_shm client buffer and
// a headless output buffer look like to a renderer) or as a single-plane
// linear dmabuf (what a memfd sent through linux-dmabuf looks like on a host
// without real dmabufs).
#pragma once

#include <cstddef>
#include <cstdint>

#include "zcd/wlroots.hpp"

namespace zcd::bench {

struct BenchBuffer {
    wlr_buffer base{}; // first member: the wlr_buffer* is the BenchBuffer*
    int fd = -1;
    uint8_t* pixels = nullptr;
    size_t size = 0;
    uint32_t stride = 0;
    uint32_t format = 0; // DRM fourcc
    bool as_dmabuf = false;
};

// Returns nullptr (and prints one line) when memfd/mmap fail.  Release with
// wlr_buffer_drop(&b->base); it is freed once no texture holds a lock.
BenchBuffer* bench_buffer_create(uint32_t width, uint32_t height, uint32_t format, bool as_dmabuf);

// The implementation of every BenchBuffer: memory the bench owns and never
// shrinks, so it stands for a client's sealed wl_shm pool.
const wlr_buffer_impl* bench_buffer_impl();

} // namespace zcd::bench
