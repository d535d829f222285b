// The second hop: how an output frame reached the display.  The first hop
// (client buffer into the compositor) is common/import_path.hpp; a frame is
// zero-copy end to end only when both hops are.  These names appear verbatim
// in stats JSON, CSV, traces, the overlay, zc-stat and docs/metrics.md.
//
// Pure (no wlroots, no Vulkan): the compositor describes the frame's surfaces
// and the renderer describes its render target; the rules that turn those
// into a path are here and unit-tested.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace zcd {

enum class ScanoutPath : uint8_t {
    DirectScanout,    // a client buffer was given to the output: nothing composed
    ComposedZeroCopy, // composed into a buffer the display reads in place
    ComposedCopy,     // composed, then copied on the way to the display (see ScanoutCopyReason)
};
inline constexpr int kScanoutPathCount = 3;

// Why a composed frame was copied on its way to the display.
enum class ScanoutCopyReason : uint8_t {
    None,         // not copied
    Readback,     // rendered into the renderer's own image, then copied into the output's buffer
    DumbBuffer,   // rendered into a KMS dumb buffer, which virtio-gpu copies to the host per flush
    Unclassified, // the renderer (pixman) does not say how: never claimed zero-copy
};
inline constexpr int kScanoutCopyReasonCount = 4;

// Why a frame was composed instead of scanning a client buffer out.  Exactly
// one per composed frame: the first rule, in this order, that ruled it out.
enum class DirectScanoutMiss : uint8_t {
    None,            // the frame was scanned out directly
    Disabled,        // --direct-scanout off
    Overlay,         // the overlay is drawn above the clients
    NoSurface,       // no client surface on this output
    SeveralSurfaces, // more than one surface (windows, subsurfaces, popups) on the output
    NotCovering,     // the one surface does not cover the output exactly
    Scaled,          // buffer pixels are not output pixels (buffer scale, viewport)
    Transformed,     // the buffer's transform differs from the output's
    NotOpaque,       // the buffer has alpha and no opaque region covering it
    CopiedImport,    // the renderer holds a copy: the client buffer is not what is shown
    Capture,         // a capture is due and the buffer cannot be read by the CPU
    TestFailed,      // the output refused the buffer (wlr_output_test)
};
inline constexpr int kDirectScanoutMissCount = 12;

// clang-format off
constexpr std::string_view to_string(ScanoutPath p) {
    switch (p) {
    case ScanoutPath::DirectScanout: return "direct_scanout";
    case ScanoutPath::ComposedZeroCopy: return "composed_zero_copy";
    case ScanoutPath::ComposedCopy: return "composed_copy";
    }
    return "unknown";
}

constexpr std::string_view to_string(ScanoutCopyReason r) {
    switch (r) {
    case ScanoutCopyReason::None: return "none";
    case ScanoutCopyReason::Readback: return "readback";
    case ScanoutCopyReason::DumbBuffer: return "dumb_buffer";
    case ScanoutCopyReason::Unclassified: return "unclassified";
    }
    return "unknown";
}

constexpr std::string_view to_string(DirectScanoutMiss m) {
    switch (m) {
    case DirectScanoutMiss::None: return "none";
    case DirectScanoutMiss::Disabled: return "disabled";
    case DirectScanoutMiss::Overlay: return "overlay";
    case DirectScanoutMiss::NoSurface: return "no_surface";
    case DirectScanoutMiss::SeveralSurfaces: return "several_surfaces";
    case DirectScanoutMiss::NotCovering: return "not_covering";
    case DirectScanoutMiss::Scaled: return "scaled";
    case DirectScanoutMiss::Transformed: return "transformed";
    case DirectScanoutMiss::NotOpaque: return "not_opaque";
    case DirectScanoutMiss::CopiedImport: return "copied_import";
    case DirectScanoutMiss::Capture: return "capture";
    case DirectScanoutMiss::TestFailed: return "test_failed";
    }
    return "unknown";
}

// clang-format on

std::optional<ScanoutPath> scanout_path_from_string(std::string_view s);
std::optional<ScanoutCopyReason> scanout_copy_reason_from_string(std::string_view s);
std::optional<DirectScanoutMiss> direct_scanout_miss_from_string(std::string_view s);

constexpr bool is_zero_copy(ScanoutPath p) {
    return p != ScanoutPath::ComposedCopy;
}

// What the output hop of one frame cost.
struct OutputHop {
    ScanoutPath path = ScanoutPath::ComposedCopy;
    ScanoutCopyReason reason = ScanoutCopyReason::Unclassified;
    DirectScanoutMiss miss = DirectScanoutMiss::None; // why not direct (composed frames)
    uint64_t bytes_copied = 0;                        // bytes the output hop copied
};

// How the renderer got a composed frame into the output's buffer.
enum class RenderTargetKind : uint8_t {
    Unknown,     // not our renderer
    InPlace,     // rendered in the buffer's own memory (imported dmabuf or host memory)
    InPlaceDumb, // ... but the buffer is a KMS dumb buffer
    Readback,    // rendered into our image and copied into the buffer
    // Rendered in place into guest memory exported as a dma-buf (memfd +
    // udmabuf) that the display device imported: on virtio-gpu a guest blob
    // resource whose pages the host reads, so no per-flush transfer.
    InPlaceDisplayImport,
};

// The output hop of a composed frame.  `frame_bytes` is one frame's size
// (width x height x 4); `copies` how many times the renderer moved it.
OutputHop composed_output_hop(RenderTargetKind target, uint64_t frame_bytes, uint32_t copies,
                              DirectScanoutMiss miss);

// ZERO_COPY in presentation feedback: both hops of the shown pixels were
// zero-copy.  A directly scanned-out buffer is the client's own memory on
// the display, so its import hop is zero-copy by construction.
constexpr bool presented_zero_copy(bool import_zero_copy, ScanoutPath output_hop) {
    if (output_hop == ScanoutPath::DirectScanout)
        return true;
    return import_zero_copy && is_zero_copy(output_hop);
}

// One surface the frame would draw, in output pixels.
struct ScanoutSurface {
    int32_t x = 0, y = 0, width = 0, height = 0; // destination box on the output
    int32_t buffer_width = 0, buffer_height = 0;
    bool transformed = false;      // buffer transform differs from the output's
    bool viewport = false;         // wp_viewport source or destination set
    bool opaque = false;           // no alpha, or an opaque region covering it
    bool zero_copy_import = false; // the texture samples the client's buffer itself
    bool cpu_readable = false;     // the buffer has a data pointer (captures can read it)
};

struct ScanoutFrame {
    int32_t output_width = 0, output_height = 0;
    bool enabled = true;                  // --direct-scanout
    bool overlay_shown = false;           // the overlay will be drawn in this frame
    bool capture_due = false;             // this frame will be captured
    std::vector<ScanoutSurface> surfaces; // every surface with a buffer, bottom to top
};

// Whether the frame can be a direct scanout: DirectScanoutMiss::None and
// *index set to the surface to scan out, or the first rule that rules it out.
// Surfaces entirely outside the output are not part of the frame.
DirectScanoutMiss direct_scanout_candidate(const ScanoutFrame& frame, size_t* index);

} // namespace zcd
