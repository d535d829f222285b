#include "common/scanout_path.hpp"

namespace zcd {

namespace {

template <typename E, int Count> std::optional<E> from_string(std::string_view s) {
    for (int i = 0; i < Count; ++i) {
        auto e = static_cast<E>(i);
        if (to_string(e) == s)
            return e;
    }
    return std::nullopt;
}

} // namespace

std::optional<ScanoutPath> scanout_path_from_string(std::string_view s) {
    return from_string<ScanoutPath, kScanoutPathCount>(s);
}

std::optional<ScanoutCopyReason> scanout_copy_reason_from_string(std::string_view s) {
    return from_string<ScanoutCopyReason, kScanoutCopyReasonCount>(s);
}

std::optional<DirectScanoutMiss> direct_scanout_miss_from_string(std::string_view s) {
    return from_string<DirectScanoutMiss, kDirectScanoutMissCount>(s);
}

OutputHop composed_output_hop(RenderTargetKind target, uint64_t frame_bytes, uint32_t copies,
                              DirectScanoutMiss miss) {
    OutputHop hop;
    hop.miss = miss == DirectScanoutMiss::None ? DirectScanoutMiss::NoSurface : miss;
    switch (target) {
    case RenderTargetKind::InPlace:
    case RenderTargetKind::InPlaceDisplayImport:
        hop.path = ScanoutPath::ComposedZeroCopy;
        hop.reason = ScanoutCopyReason::None;
        break;
    case RenderTargetKind::InPlaceDumb:
        // The pixels land in the dumb buffer without a copy, but the display
        // device (virtio-gpu) transfers the whole buffer to the host.
        hop.path = ScanoutPath::ComposedCopy;
        hop.reason = ScanoutCopyReason::DumbBuffer;
        hop.bytes_copied = frame_bytes;
        break;
    case RenderTargetKind::Readback:
        hop.path = ScanoutPath::ComposedCopy;
        hop.reason = ScanoutCopyReason::Readback;
        hop.bytes_copied = frame_bytes * copies;
        break;
    case RenderTargetKind::Unknown:
        hop.path = ScanoutPath::ComposedCopy;
        hop.reason = ScanoutCopyReason::Unclassified;
        break;
    }
    return hop;
}

namespace {

bool on_output(const ScanoutSurface& s, const ScanoutFrame& f) {
    return s.width > 0 && s.height > 0 && s.x < f.output_width && s.y < f.output_height &&
           s.x + s.width > 0 && s.y + s.height > 0;
}

} // namespace

DirectScanoutMiss direct_scanout_candidate(const ScanoutFrame& frame, size_t* index) {
    if (!frame.enabled)
        return DirectScanoutMiss::Disabled;
    if (frame.overlay_shown)
        return DirectScanoutMiss::Overlay;
    size_t visible = 0, found = 0;
    for (size_t i = 0; i < frame.surfaces.size(); ++i) {
        if (on_output(frame.surfaces[i], frame)) {
            ++visible;
            found = i;
        }
    }
    if (visible == 0)
        return DirectScanoutMiss::NoSurface;
    if (visible > 1)
        return DirectScanoutMiss::SeveralSurfaces;
    const ScanoutSurface& s = frame.surfaces[found];
    // Anything left uncovered would show the background, which only
    // composition draws.
    if (s.x != 0 || s.y != 0 || s.width != frame.output_width || s.height != frame.output_height)
        return DirectScanoutMiss::NotCovering;
    if (s.viewport || s.buffer_width != s.width || s.buffer_height != s.height)
        return DirectScanoutMiss::Scaled;
    if (s.transformed)
        return DirectScanoutMiss::Transformed;
    // Composition blends over the background; a display plane would not.
    if (!s.opaque)
        return DirectScanoutMiss::NotOpaque;
    // A copied import (wl_shm into our texture) may already hold newer
    // pixels than the client buffer wlroots still references, and its
    // client buffer may be released: only the texture is current.
    if (!s.zero_copy_import)
        return DirectScanoutMiss::CopiedImport;
    if (frame.capture_due && !s.cpu_readable)
        return DirectScanoutMiss::Capture;
    *index = found;
    return DirectScanoutMiss::None;
}

} // namespace zcd
