// udmabuf: a sealed memfd turned into a dma-buf by /dev/udmabuf
// (UDMABUF_CREATE) and sent through zwp_linux_dmabuf_v1.  Real dmabufs with
// no GPU: what the emulated VM uses to prove the compositor's zero-copy path.
#include <cerrno>
#include <cstring>
#include <drm_fourcc.h>
#include <fcntl.h>
#include <linux/dma-buf.h>
#include <linux/udmabuf.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <wayland-client.h>

#include "interconnect_client/sources/buffer_source.hpp"

namespace zcd {

namespace {

struct UdmabufSlot {
    int memfd = -1, dmabuf = -1;
    void* map = MAP_FAILED;
    size_t size = 0;
};

class UdmabufSource final : public BufferSource {
  public:
    UdmabufSource(const SourceConfig& cfg, const CompositorOffer& offer, int dev_fd,
                  uint64_t modifier)
        : cfg_(cfg), dmabuf_(offer.dmabuf), dev_fd_(dev_fd) {
        drm_format_ = DRM_FORMAT_XRGB8888;
        modifier_ = modifier;
    }
    ~UdmabufSource() override {
        for (auto& b : buffers_)
            if (b.wl)
                wl_buffer_destroy(b.wl);
        for (auto& s : slots_) {
            if (s.map != MAP_FAILED)
                munmap(s.map, s.size);
            if (s.dmabuf >= 0)
                close(s.dmabuf);
            if (s.memfd >= 0)
                close(s.memfd);
        }
        close(dev_fd_);
    }
    const char* name() const override { return "udmabuf"; }
    bool is_dmabuf() const override { return true; }

    bool allocate(uint32_t count, std::string* error) override {
        const uint32_t stride = cfg_.width * 4;
        const size_t page = size_t(sysconf(_SC_PAGESIZE));
        const size_t size = (size_t(stride) * cfg_.height + page - 1) / page * page;
        for (uint32_t i = 0; i < count; ++i) {
            UdmabufSlot s;
            s.size = size;
            s.memfd = memfd_create("zc-client-udmabuf", MFD_CLOEXEC | MFD_ALLOW_SEALING);
            // udmabuf requires the memfd sealed against shrinking (the pages
            // must stay) and not against writing.
            if (s.memfd < 0 || ftruncate(s.memfd, off_t(size)) < 0 ||
                fcntl(s.memfd, F_ADD_SEALS, F_SEAL_SHRINK) < 0) {
                *error = std::string("udmabuf: memfd: ") + std::strerror(errno);
                slots_.push_back(s);
                return false;
            }
            udmabuf_create req{};
            req.memfd = uint32_t(s.memfd);
            req.flags = UDMABUF_FLAGS_CLOEXEC;
            req.offset = 0;
            req.size = size;
            s.dmabuf = ioctl(dev_fd_, UDMABUF_CREATE, &req);
            if (s.dmabuf < 0) {
                *error = std::string("udmabuf: UDMABUF_CREATE: ") + std::strerror(errno);
                slots_.push_back(s);
                return false;
            }
            s.map = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, s.memfd, 0);
            if (s.map == MAP_FAILED) {
                *error = std::string("udmabuf: mmap: ") + std::strerror(errno);
                slots_.push_back(s);
                return false;
            }
            ClientBuffer b;
            b.wl = create_dmabuf_wl_buffer(dmabuf_, s.dmabuf, cfg_.width, cfg_.height, stride, 0,
                                           drm_format_, modifier_);
            if (!b.wl) {
                *error = "udmabuf: zwp_linux_buffer_params_v1.create_immed failed";
                slots_.push_back(s);
                return false;
            }
            b.pixels = static_cast<uint32_t*>(s.map);
            b.stride_px = cfg_.width;
            slots_.push_back(s);
            buffers_.push_back(b);
        }
        return true;
    }

    // CPU writes go through the memfd mapping; the dma-buf sync brackets
    // keep any importer's view coherent.
    void begin_write(size_t i) override { sync(i, DMA_BUF_SYNC_START); }
    void end_write(size_t i) override { sync(i, DMA_BUF_SYNC_END); }

  private:
    void sync(size_t i, uint64_t when) {
        dma_buf_sync s{};
        s.flags = when | DMA_BUF_SYNC_WRITE;
        while (ioctl(slots_[i].dmabuf, DMA_BUF_IOCTL_SYNC, &s) < 0 && errno == EINTR) {
        }
    }

    SourceConfig cfg_;
    zwp_linux_dmabuf_v1* dmabuf_;
    int dev_fd_;
    std::vector<UdmabufSlot> slots_;
};

} // namespace

std::unique_ptr<BufferSource>
make_udmabuf_source(const SourceConfig& cfg, const CompositorOffer& offer, std::string* why_not) {
    const std::string path = cfg.dev_root + "/udmabuf";
    struct stat st {};
    if (stat(path.c_str(), &st) < 0) {
        *why_not = "udmabuf: " + path + " not present";
        return nullptr;
    }
    if (!S_ISCHR(st.st_mode)) {
        *why_not = "udmabuf: " + path + " is not a character device";
        return nullptr;
    }
    int fd = open(path.c_str(), O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        *why_not = "udmabuf: cannot open " + path + ": " + std::strerror(errno);
        return nullptr;
    }
    // udmabuf memory is plain linear pages: LINEAR, or implicit if that is
    // all the compositor lists.
    uint64_t modifier = DRM_FORMAT_MOD_LINEAR;
    std::string problem = dmabuf_offer_problem(offer, DRM_FORMAT_XRGB8888, modifier);
    if (!problem.empty() && offer.dmabuf_supports(DRM_FORMAT_XRGB8888, DRM_FORMAT_MOD_INVALID)) {
        modifier = DRM_FORMAT_MOD_INVALID;
        problem.clear();
    }
    if (!problem.empty()) {
        close(fd);
        *why_not = "udmabuf: " + problem;
        return nullptr;
    }
    return std::make_unique<UdmabufSource>(cfg, offer, fd, modifier);
}

} // namespace zcd
