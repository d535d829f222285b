// shm: a memfd shared through wl_shm.  Always works where the compositor has
// wl_shm; the compositor then copies or host-imports the pages.
#include <cerrno>
#include <cstring>
#include <drm_fourcc.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <wayland-client.h>

#include "interconnect_client/sources/buffer_source.hpp"

namespace zcd {

namespace {

class ShmSource final : public BufferSource {
  public:
    ShmSource(const SourceConfig& cfg, wl_shm* shm) : cfg_(cfg), shm_(shm) {
        drm_format_ = DRM_FORMAT_XRGB8888;
        modifier_ = DRM_FORMAT_MOD_LINEAR;
    }
    ~ShmSource() override {
        for (auto& b : buffers_)
            if (b.wl)
                wl_buffer_destroy(b.wl);
        if (map_ != MAP_FAILED)
            munmap(map_, size_);
        if (fd_ >= 0)
            close(fd_);
    }
    const char* name() const override { return "shm"; }
    bool is_dmabuf() const override { return false; }

    bool allocate(uint32_t count, std::string* error) override {
        const uint32_t stride = cfg_.width * 4;
        const size_t one = size_t(stride) * cfg_.height;
        // Page-aligned buffers let a compositor host-import each one.
        const size_t page = size_t(sysconf(_SC_PAGESIZE));
        const size_t slot = (one + page - 1) / page * page;
        size_ = slot * count;
        fd_ = memfd_create("zc-client-shm", MFD_CLOEXEC | MFD_ALLOW_SEALING);
        if (fd_ < 0 || ftruncate(fd_, off_t(size_)) < 0) {
            *error = std::string("shm: memfd: ") + std::strerror(errno);
            return false;
        }
        // Sealed against shrinking: compositors (zc-compositor) import only
        // such pools without a copy, since they cannot vanish under the GPU.
        if (fcntl(fd_, F_ADD_SEALS, F_SEAL_SHRINK) < 0) {
            *error = std::string("shm: seal: ") + std::strerror(errno);
            return false;
        }
        map_ = mmap(nullptr, size_, PROT_READ | PROT_WRITE, MAP_SHARED, fd_, 0);
        if (map_ == MAP_FAILED) {
            *error = std::string("shm: mmap: ") + std::strerror(errno);
            return false;
        }
        wl_shm_pool* pool = wl_shm_create_pool(shm_, fd_, int32_t(size_));
        for (uint32_t i = 0; i < count; ++i) {
            ClientBuffer b;
            b.wl = wl_shm_pool_create_buffer(pool, int32_t(slot * i), int32_t(cfg_.width),
                                             int32_t(cfg_.height), int32_t(stride),
                                             WL_SHM_FORMAT_XRGB8888);
            b.pixels = reinterpret_cast<uint32_t*>(static_cast<char*>(map_) + slot * i);
            b.stride_px = cfg_.width;
            buffers_.push_back(b);
        }
        wl_shm_pool_destroy(pool);
        return true;
    }

  private:
    SourceConfig cfg_;
    wl_shm* shm_;
    int fd_ = -1;
    void* map_ = MAP_FAILED;
    size_t size_ = 0;
};

} // namespace

std::unique_ptr<BufferSource> make_shm_source(const SourceConfig& cfg, const CompositorOffer& offer,
                                              std::string* why_not) {
    if (!offer.shm) {
        *why_not = "shm: compositor does not offer wl_shm";
        return nullptr;
    }
    return std::make_unique<ShmSource>(cfg, offer.shm);
}

} // namespace zcd
