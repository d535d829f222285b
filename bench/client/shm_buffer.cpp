#include "bench/client/shm_buffer.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

namespace zcd::bench {

void ShmBufferRing::on_release(void* data, wl_buffer*) {
    static_cast<ShmBuffer*>(data)->busy = false;
}

bool ShmBufferRing::init(wl_shm* shm, uint32_t width, uint32_t height, int count) {
    static const wl_buffer_listener listener = {.release = &ShmBufferRing::on_release};
    width_ = width;
    height_ = height;
    const size_t stride = size_t{width} * 4;
    const size_t one = stride * height;
    map_size_ = one * static_cast<size_t>(count);
    int fd = memfd_create("zc-bench-client", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (fd < 0) {
        std::fprintf(stderr, "zc-bench-client: memfd_create: %s\n", std::strerror(errno));
        return false;
    }
    if (ftruncate(fd, static_cast<off_t>(map_size_)) != 0) {
        std::fprintf(stderr, "zc-bench-client: ftruncate %zu bytes: %s\n", map_size_,
                     std::strerror(errno));
        close(fd);
        return false;
    }
    // Sealed against shrinking, so compositors may import it without a copy.
    if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK) != 0) {
        std::fprintf(stderr, "zc-bench-client: memfd seal: %s\n", std::strerror(errno));
        close(fd);
        return false;
    }
    map_ = mmap(nullptr, map_size_, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (map_ == MAP_FAILED) {
        map_ = nullptr;
        std::fprintf(stderr, "zc-bench-client: mmap: %s\n", std::strerror(errno));
        close(fd);
        return false;
    }
    wl_shm_pool* pool = wl_shm_create_pool(shm, fd, static_cast<int32_t>(map_size_));
    close(fd); // the compositor has its own reference now
    buffers_.resize(static_cast<size_t>(count));
    for (int i = 0; i < count; ++i) {
        ShmBuffer& b = buffers_[static_cast<size_t>(i)];
        b.buffer = wl_shm_pool_create_buffer(
            pool, static_cast<int32_t>(one * i), static_cast<int32_t>(width),
            static_cast<int32_t>(height), static_cast<int32_t>(stride), WL_SHM_FORMAT_XRGB8888);
        b.pixels = reinterpret_cast<uint32_t*>(static_cast<char*>(map_) + one * i);
        wl_buffer_add_listener(b.buffer, &listener, &b);
    }
    wl_shm_pool_destroy(pool);
    return true;
}

void ShmBufferRing::finish() {
    for (ShmBuffer& b : buffers_)
        if (b.buffer)
            wl_buffer_destroy(b.buffer);
    buffers_.clear();
    if (map_)
        munmap(map_, map_size_);
    map_ = nullptr;
}

ShmBuffer* ShmBufferRing::acquire() {
    for (ShmBuffer& b : buffers_)
        if (!b.busy)
            return &b;
    return nullptr;
}

} // namespace zcd::bench
