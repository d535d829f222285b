#include "client_core/shm_buffer.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <wayland-client.h>

namespace zcd::wlc {

SealedMemfd::~SealedMemfd() {
    if (map_)
        munmap(map_, size_);
    if (fd_ >= 0)
        close(fd_);
}

bool SealedMemfd::init(const char* name, size_t size, std::string* error) {
    fd_ = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (fd_ < 0 || ftruncate(fd_, static_cast<off_t>(size)) != 0) {
        *error = std::string("memfd: ") + std::strerror(errno);
        return false;
    }
    if (fcntl(fd_, F_ADD_SEALS, F_SEAL_SHRINK) != 0) {
        *error = std::string("seal: ") + std::strerror(errno);
        return false;
    }
    void* map = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd_, 0);
    if (map == MAP_FAILED) {
        *error = std::string("mmap: ") + std::strerror(errno);
        return false;
    }
    map_ = map;
    size_ = size;
    return true;
}

int SealedMemfd::release() {
    if (map_)
        munmap(map_, size_);
    map_ = nullptr;
    const int fd = fd_;
    fd_ = -1;
    return fd;
}

namespace {

void buffer_release(void* data, wl_buffer*) {
    static_cast<ShmBuffer*>(data)->busy = false;
}
const wl_buffer_listener kReleaseListener = {buffer_release};

} // namespace

bool ShmRing::init(wl_shm* shm, const ShmRingConfig& cfg, std::string* error) {
    width_ = cfg.width;
    height_ = cfg.height;
    const size_t stride = size_t{cfg.width} * 4;
    const size_t one = stride * cfg.height;
    const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    const size_t slot = cfg.page_aligned ? (one + page - 1) / page * page : one;
    SealedMemfd mem;
    if (!mem.init(cfg.name, slot * cfg.count, error))
        return false;
    wl_shm_pool* pool = wl_shm_create_pool(shm, mem.fd(), static_cast<int32_t>(mem.size()));
    buffers_.resize(cfg.count); // never resized again: listeners hold pointers
    for (uint32_t i = 0; i < cfg.count; ++i) {
        ShmBuffer& b = buffers_[i];
        b.buffer = wl_shm_pool_create_buffer(
            pool, static_cast<int32_t>(slot * i), static_cast<int32_t>(cfg.width),
            static_cast<int32_t>(cfg.height), static_cast<int32_t>(stride), WL_SHM_FORMAT_XRGB8888);
        b.pixels = reinterpret_cast<uint32_t*>(static_cast<char*>(mem.data()) + slot * i);
        b.stride_px = cfg.width;
        if (cfg.track_release)
            wl_buffer_add_listener(b.buffer, &kReleaseListener, &b);
    }
    wl_shm_pool_destroy(pool);
    // Keep the mapping, close the fd: the compositor holds its own reference.
    map_size_ = mem.size();
    map_ = mem.take_mapping();
    close(mem.release());
    return true;
}

void ShmRing::finish() {
    for (ShmBuffer& b : buffers_)
        if (b.buffer)
            wl_buffer_destroy(b.buffer);
    buffers_.clear();
    if (map_)
        munmap(map_, map_size_);
    map_ = nullptr;
}

ShmBuffer* ShmRing::acquire() {
    for (ShmBuffer& b : buffers_)
        if (!b.busy)
            return &b;
    return nullptr;
}

} // namespace zcd::wlc
