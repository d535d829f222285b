// Buffer sources of zc-client: where the memory a frame is drawn into comes
// from and how it reaches the compositor.  One small interface, one file per
// implementation (udmabuf.cpp, gbm.cpp, vulkan.cpp, shm.cpp); select.cpp picks
// one.  Every source draws with the CPU into a mapping of its memory: the
// point is which memory the compositor receives (dmabuf or shm), not who
// drew it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

struct wl_buffer;
struct wl_shm;
struct zwp_linux_dmabuf_v1;

namespace zcd {

// What the compositor offered, as seen before choosing a source.
struct CompositorOffer {
    wl_shm* shm = nullptr;                 // may be null: no wl_shm global
    zwp_linux_dmabuf_v1* dmabuf = nullptr; // may be null: no linux-dmabuf global
    std::vector<std::pair<uint32_t, uint64_t>> dmabuf_formats; // (fourcc, modifier)
    // linux-dmabuf v4 default feedback: the compositor's main device
    // (dev_t), 0 when unknown (v3, or no feedback).
    uint64_t main_device = 0;
    bool dmabuf_supports(uint32_t fourcc, uint64_t modifier) const;
};

// Where a source looks for its devices; tests point dev_root at a temp dir.
struct SourceConfig {
    uint32_t width = 0, height = 0;
    std::string dev_root = "/dev"; // udmabuf: <dev_root>/udmabuf, render nodes: <dev_root>/dri
    std::string gbm_device;        // --device; empty: render node of the compositor's main
                                   // device (linux-dmabuf v4), else the first found
};

struct ClientBuffer {
    wl_buffer* wl = nullptr;
    uint32_t* pixels = nullptr; // CPU mapping, XRGB8888
    uint32_t stride_px = 0;
    bool busy = false; // attached and not yet released by the compositor
};

class BufferSource {
  public:
    virtual ~BufferSource() = default;
    virtual const char* name() const = 0;
    virtual bool is_dmabuf() const = 0;
    uint32_t drm_format() const { return drm_format_; }
    uint64_t modifier() const { return modifier_; }

    // Allocates `count` buffers of the configured size and wraps each as a
    // wl_buffer.  false + one-line *error on failure.
    virtual bool allocate(uint32_t count, std::string* error) = 0;

    // CPU access brackets around drawing into buffer i (dma-buf sync).
    virtual void begin_write(size_t) {}
    virtual void end_write(size_t) {}

    std::vector<ClientBuffer>& buffers() { return buffers_; }

  protected:
    std::vector<ClientBuffer> buffers_;
    uint32_t drm_format_ = 0;
    uint64_t modifier_ = 0;
};

// Each maker checks availability first (device present and usable, the
// compositor advertising what the source sends).  It returns null and sets
// *why_not to one line "<source>: <reason>" when the source cannot be used.
std::unique_ptr<BufferSource>
make_udmabuf_source(const SourceConfig& cfg, const CompositorOffer& offer, std::string* why_not);
std::unique_ptr<BufferSource> make_gbm_source(const SourceConfig& cfg, const CompositorOffer& offer,
                                              std::string* why_not);
std::unique_ptr<BufferSource>
make_vulkan_source(const SourceConfig& cfg, const CompositorOffer& offer, std::string* why_not);
std::unique_ptr<BufferSource> make_shm_source(const SourceConfig& cfg, const CompositorOffer& offer,
                                              std::string* why_not);

// The order --source auto tries: device memory first, shm last.
inline constexpr const char* kSourceNames[] = {"gbm", "vulkan", "udmabuf", "shm"};

struct SourceChoice {
    std::unique_ptr<BufferSource> source; // null: none usable
    std::vector<std::string> rejected;    // "<source>: <reason>", in the order tried
};

// `wanted` is "auto" or one source name.  An explicit source that is not
// usable gives a null source and its reason in `rejected`.
SourceChoice choose_source(const std::string& wanted, const SourceConfig& cfg,
                           const CompositorOffer& offer);
bool is_source_name(const std::string& s);

// Shared by the dmabuf sources: a wl_buffer for a single-plane dmabuf via
// zwp_linux_buffer_params_v1.create_immed.  Null on failure.
wl_buffer* create_dmabuf_wl_buffer(zwp_linux_dmabuf_v1* dmabuf, int fd, uint32_t width,
                                   uint32_t height, uint32_t stride, uint32_t offset,
                                   uint32_t fourcc, uint64_t modifier);

// The message a dmabuf source gives when the compositor does not take its
// format (empty when it does).
std::string dmabuf_offer_problem(const CompositorOffer& offer, uint32_t fourcc, uint64_t modifier);

} // namespace zcd
