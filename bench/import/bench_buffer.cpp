#include "bench/import/bench_buffer.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <sys/mman.h>
#include <unistd.h>

namespace zcd::bench {

namespace {

BenchBuffer* from(wlr_buffer* b) {
    return reinterpret_cast<BenchBuffer*>(b);
}

void destroy(wlr_buffer* b) {
    BenchBuffer* t = from(b);
    munmap(t->pixels, t->size);
    close(t->fd);
    delete t;
}

bool begin_access(wlr_buffer* b, uint32_t, void** data, uint32_t* format, size_t* stride) {
    BenchBuffer* t = from(b);
    if (t->as_dmabuf)
        return false;
    *data = t->pixels;
    *format = t->format;
    *stride = t->stride;
    return true;
}

void end_access(wlr_buffer*) {}

bool get_dmabuf(wlr_buffer* b, wlr_dmabuf_attributes* a) {
    BenchBuffer* t = from(b);
    if (!t->as_dmabuf)
        return false;
    *a = wlr_dmabuf_attributes{};
    a->width = t->base.width;
    a->height = t->base.height;
    a->format = t->format;
    a->modifier = DRM_FORMAT_MOD_LINEAR;
    a->n_planes = 1;
    a->offset[0] = 0;
    a->stride[0] = t->stride;
    a->fd[0] = t->fd; // still owned by the buffer: importers dup what they keep
    return true;
}

const wlr_buffer_impl* impl() {
    static const wlr_buffer_impl i = [] {
        wlr_buffer_impl v{};
        v.destroy = destroy;
        v.get_dmabuf = get_dmabuf;
        v.begin_data_ptr_access = begin_access;
        v.end_data_ptr_access = end_access;
        return v;
    }();
    return &i;
}

} // namespace

BenchBuffer* bench_buffer_create(uint32_t width, uint32_t height, uint32_t format, bool as_dmabuf) {
    auto* t = new BenchBuffer{}; // zeroed: wlr_buffer_init does not clear the struct
    t->format = format;
    t->stride = width * 4;
    t->as_dmabuf = as_dmabuf;
    t->size = size_t{t->stride} * height;
    t->fd = memfd_create("zc-bench-import", MFD_CLOEXEC);
    if (t->fd < 0 || ftruncate(t->fd, static_cast<off_t>(t->size)) != 0) {
        std::fprintf(stderr, "zc-bench-import: memfd of %zu bytes: %s\n", t->size,
                     std::strerror(errno));
        if (t->fd >= 0)
            close(t->fd);
        delete t;
        return nullptr;
    }
    void* map = mmap(nullptr, t->size, PROT_READ | PROT_WRITE, MAP_SHARED, t->fd, 0);
    if (map == MAP_FAILED) {
        std::fprintf(stderr, "zc-bench-import: mmap: %s\n", std::strerror(errno));
        close(t->fd);
        delete t;
        return nullptr;
    }
    t->pixels = static_cast<uint8_t*>(map);
    std::memset(t->pixels, 0x40, t->size); // fault every page in before anything is timed
    wlr_buffer_init(&t->base, impl(), static_cast<int>(width), static_cast<int>(height));
    return t;
}

const wlr_buffer_impl* bench_buffer_impl() {
    return impl();
}

} // namespace zcd::bench
