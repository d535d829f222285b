// shm: a memfd shared through wl_shm.  Always works where the compositor has
// wl_shm; the compositor then copies or host-imports the pages.
#include <drm_fourcc.h>

#include "client_core/shm_buffer.hpp"
#include "interconnect_client/sources/buffer_source.hpp"

namespace zcd {

namespace {

// The memory and the wl_buffers come from the client core's ring; this
// source only presents them as ClientBuffers (zc-client listens for
// releases itself, so the ring does not).
class ShmSource final : public BufferSource {
  public:
    ShmSource(const SourceConfig& cfg, wl_shm* shm) : cfg_(cfg), shm_(shm) {
        drm_format_ = DRM_FORMAT_XRGB8888;
        modifier_ = DRM_FORMAT_MOD_LINEAR;
    }
    const char* name() const override { return "shm"; }
    bool is_dmabuf() const override { return false; }

    bool allocate(uint32_t count, std::string* error) override {
        wlc::ShmRingConfig rc;
        rc.width = cfg_.width;
        rc.height = cfg_.height;
        rc.count = count;
        rc.name = "zc-client-shm";
        rc.page_aligned = true; // a compositor can host-import each buffer
        rc.track_release = false;
        if (!ring_.init(shm_, rc, error)) {
            *error = "shm: " + *error;
            return false;
        }
        for (const wlc::ShmBuffer& rb : ring_.buffers()) {
            ClientBuffer b;
            b.wl = rb.buffer;
            b.pixels = rb.pixels;
            b.stride_px = rb.stride_px;
            buffers_.push_back(b);
        }
        return true;
    }

  private:
    SourceConfig cfg_;
    wl_shm* shm_;
    wlc::ShmRing ring_; // owns the wl_buffers and the mapping
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
