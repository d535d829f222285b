// Guest memory as a dma-buf a KMS display device imports: a memfd sealed
// against shrinking, turned into a dma-buf by /dev/udmabuf.  On virtio-gpu
// (a 7.3 guest kernel with the device's blob feature) the PRIME import makes
// it a guest blob resource: the host reads those pages where they are, so a
// frame rendered into them reaches the display without the per-flush
// TRANSFER_TO_HOST_2D a dumb buffer costs.
//
// No wlroots here (app/output_allocator.cpp is the wlr_allocator around it),
// so the probe's rules and the memfd/udmabuf steps are unit-tested.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace zcd::app {

// Why a KMS output renders into wlroots' buffers (dumb buffers with our
// CPU renderer) instead of guest dma-bufs.  Reported in stats.json
// (`output_buffers_fallback`); the first rule that failed, in this order.
enum class OutputBuffersFallback : uint8_t {
    None,          // guest dma-bufs are used
    Disabled,      // --output-buffers wlroots
    NotKms,        // not a KMS output (headless, nested): nothing to import into
    NotVirtioGpu,  // another display device: its scanout constraints (contiguity,
                   // tiling) are not something a memfd can promise
    NoUdmabuf,     // the udmabuf device could not be opened (CONFIG_UDMABUF)
    UdmabufFailed, // UDMABUF_CREATE refused a sealed memfd
    ImportFailed,  // the display device refused the dma-buf (virtio-gpu without blob)
};
inline constexpr int kOutputBuffersFallbackCount = 7;

constexpr std::string_view to_string(OutputBuffersFallback f) {
    switch (f) {
    case OutputBuffersFallback::None:
        return "none";
    case OutputBuffersFallback::Disabled:
        return "disabled";
    case OutputBuffersFallback::NotKms:
        return "not_kms";
    case OutputBuffersFallback::NotVirtioGpu:
        return "not_virtio_gpu";
    case OutputBuffersFallback::NoUdmabuf:
        return "no_udmabuf";
    case OutputBuffersFallback::UdmabufFailed:
        return "udmabuf_failed";
    case OutputBuffersFallback::ImportFailed:
        return "import_failed";
    }
    return "unknown";
}

// What the probe found, step by step; each step runs only when the ones
// before it passed.
struct OutputBuffersProbe {
    bool disabled = false;         // --output-buffers wlroots
    bool kms = false;              // the backend's DRM fd is a KMS device
    bool virtio_gpu = false;       // ... driven by virtio_gpu
    bool udmabuf_opened = false;   // the udmabuf device opened
    bool udmabuf_created = false;  // a sealed memfd became a dma-buf
    bool display_imported = false; // the KMS device imported it (PRIME)
};

// The first step that failed, or None.
OutputBuffersFallback output_buffers_fallback(const OutputBuffersProbe& probe);

// One guest dma-buf: the memfd (mapped for the renderer) and the dma-buf
// of the same pages (for the display).
struct GuestDmabuf {
    int memfd = -1;
    int dmabuf = -1;
    void* map = nullptr; // may be null (not created)
    size_t size = 0;     // a whole number of pages
};

// `size` bytes rounded up to pages, from the udmabuf device `udmabuf_fd`.
// False with one line in *error (what failed and errno's text).
bool guest_dmabuf_create(int udmabuf_fd, size_t size, GuestDmabuf* out, std::string* error);
// Unmaps and closes; an empty GuestDmabuf is a no-op.
void guest_dmabuf_finish(GuestDmabuf* buffer);

// Runs the probe on the backend's DRM fd (-1: none) and the udmabuf device
// at `udmabuf_path`.  Returns the fallback (None: usable) with the opened
// udmabuf fd in *udmabuf_fd (else -1) and one line in *detail.  The probe
// imports a one-page dma-buf into the KMS device and closes the handle again.
OutputBuffersFallback probe_guest_dmabuf_display(int drm_fd, bool disabled,
                                                 const std::string& udmabuf_path, int* udmabuf_fd,
                                                 std::string* detail);

} // namespace zcd::app
