// gbm: buffer objects from a DRM render node (the VF's in a guest), linear so
// the CPU can draw into them, exported as dma-bufs.
#include <cerrno>
#include <cstring>
#include <dirent.h>
#include <drm_fourcc.h>
#include <fcntl.h>
#include <gbm.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xf86drm.h>

#include <algorithm>

#include <wayland-client.h>

#include "interconnect_client/sources/buffer_source.hpp"

namespace zcd {

namespace {

struct GbmSlot {
    gbm_bo* bo = nullptr;
    int fd = -1;
    void* map_data = nullptr;
};

gbm_bo* create_linear_bo(gbm_device* dev, uint32_t w, uint32_t h) {
    gbm_bo* bo =
        gbm_bo_create(dev, w, h, GBM_FORMAT_XRGB8888, GBM_BO_USE_LINEAR | GBM_BO_USE_RENDERING);
    if (!bo)
        bo = gbm_bo_create(dev, w, h, GBM_FORMAT_XRGB8888, GBM_BO_USE_LINEAR);
    return bo;
}

class GbmSource final : public BufferSource {
  public:
    GbmSource(const SourceConfig& cfg, const CompositorOffer& offer, int fd, gbm_device* dev,
              uint64_t modifier)
        : cfg_(cfg), dmabuf_(offer.dmabuf), fd_(fd), dev_(dev) {
        drm_format_ = DRM_FORMAT_XRGB8888;
        modifier_ = modifier;
    }
    ~GbmSource() override {
        for (auto& b : buffers_)
            if (b.wl)
                wl_buffer_destroy(b.wl);
        for (auto& s : slots_) {
            if (s.map_data)
                gbm_bo_unmap(s.bo, s.map_data);
            if (s.fd >= 0)
                close(s.fd);
            if (s.bo)
                gbm_bo_destroy(s.bo);
        }
        gbm_device_destroy(dev_);
        close(fd_);
    }
    const char* name() const override { return "gbm"; }
    bool is_dmabuf() const override { return true; }

    bool allocate(uint32_t count, std::string* error) override {
        for (uint32_t i = 0; i < count; ++i) {
            GbmSlot s;
            s.bo = create_linear_bo(dev_, cfg_.width, cfg_.height);
            if (!s.bo) {
                *error = std::string("gbm: gbm_bo_create: ") + std::strerror(errno);
                return false;
            }
            s.fd = gbm_bo_get_fd(s.bo);
            slots_.push_back(s);
            if (s.fd < 0) {
                *error = "gbm: gbm_bo_get_fd failed";
                return false;
            }
            ClientBuffer b;
            b.wl = create_dmabuf_wl_buffer(dmabuf_, s.fd, cfg_.width, cfg_.height,
                                           gbm_bo_get_stride(s.bo), gbm_bo_get_offset(s.bo, 0),
                                           drm_format_, modifier_);
            if (!b.wl) {
                *error = "gbm: zwp_linux_buffer_params_v1.create_immed failed";
                return false;
            }
            buffers_.push_back(b);
        }
        return true;
    }

    // gbm maps for the duration of one write; the mapping may move.
    void begin_write(size_t i) override {
        uint32_t stride = 0;
        GbmSlot& s = slots_[i];
        void* p = gbm_bo_map(s.bo, 0, 0, cfg_.width, cfg_.height, GBM_BO_TRANSFER_WRITE, &stride,
                             &s.map_data);
        buffers_[i].pixels = static_cast<uint32_t*>(p);
        buffers_[i].stride_px = stride / 4;
    }
    void end_write(size_t i) override {
        GbmSlot& s = slots_[i];
        if (s.map_data)
            gbm_bo_unmap(s.bo, s.map_data);
        s.map_data = nullptr;
        buffers_[i].pixels = nullptr;
    }

  private:
    SourceConfig cfg_;
    zwp_linux_dmabuf_v1* dmabuf_;
    int fd_;
    gbm_device* dev_;
    std::vector<GbmSlot> slots_;
};

std::string first_render_node(const std::string& dri) {
    std::vector<std::string> nodes;
    if (DIR* d = opendir(dri.c_str())) {
        while (dirent* e = readdir(d))
            if (std::strncmp(e->d_name, "renderD", 7) == 0)
                nodes.push_back(dri + "/" + e->d_name);
        closedir(d);
    }
    std::sort(nodes.begin(), nodes.end());
    return nodes.empty() ? std::string() : nodes.front();
}

// The render node of the compositor's main device (linux-dmabuf v4
// feedback), so buffers come from the device the compositor renders with
// (the VF in a guest, not virtio-gpu or vgem).  Empty when unknown.
std::string main_device_render_node(uint64_t main_device, const std::string& dev_root) {
    if (!main_device)
        return "";
    drmDevicePtr dev = nullptr;
    if (drmGetDeviceFromDevId(dev_t(main_device), 0, &dev) != 0 || !dev)
        return "";
    std::string node;
    if (dev->available_nodes & (1 << DRM_NODE_RENDER))
        node = dev->nodes[DRM_NODE_RENDER];
    drmFreeDevice(&dev);
    // Keep --dev-root meaningful: the node under the same root.
    if (node.rfind("/dev/", 0) == 0)
        node = dev_root + node.substr(4);
    return node;
}

} // namespace

std::unique_ptr<BufferSource> make_gbm_source(const SourceConfig& cfg, const CompositorOffer& offer,
                                              std::string* why_not) {
    std::string path = cfg.gbm_device;
    if (path.empty())
        path = main_device_render_node(offer.main_device, cfg.dev_root);
    if (path.empty()) {
        path = first_render_node(cfg.dev_root + "/dri");
        if (path.empty()) {
            *why_not = "gbm: no render node under " + cfg.dev_root + "/dri";
            return nullptr;
        }
    }
    struct stat st {};
    if (stat(path.c_str(), &st) < 0) {
        *why_not = "gbm: " + path + " not present";
        return nullptr;
    }
    if (!S_ISCHR(st.st_mode)) {
        *why_not = "gbm: " + path + " is not a device node";
        return nullptr;
    }
    int fd = open(path.c_str(), O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        *why_not = "gbm: cannot open " + path + ": " + std::strerror(errno);
        return nullptr;
    }
    gbm_device* dev = gbm_create_device(fd);
    if (!dev) {
        close(fd);
        *why_not = "gbm: " + path + " is not a GBM device";
        return nullptr;
    }
    // A trial buffer tells whether this device can give linear XRGB8888
    // (on a non-DRM fd gbm_create_device succeeds and this fails).
    gbm_bo* trial = create_linear_bo(dev, cfg.width, cfg.height);
    if (!trial) {
        int e = errno;
        gbm_device_destroy(dev);
        close(fd);
        *why_not = "gbm: cannot allocate a linear XRGB8888 buffer on " + path + " (" +
                   std::strerror(e) + ")";
        return nullptr;
    }
    uint64_t modifier = gbm_bo_get_modifier(trial);
    gbm_bo_destroy(trial);
    std::string problem = dmabuf_offer_problem(offer, DRM_FORMAT_XRGB8888, modifier);
    if (!problem.empty()) {
        gbm_device_destroy(dev);
        close(fd);
        *why_not = "gbm: " + problem;
        return nullptr;
    }
    return std::make_unique<GbmSource>(cfg, offer, fd, dev, modifier);
}

} // namespace zcd
