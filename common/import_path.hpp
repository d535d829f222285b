// The vocabulary of the product: how a committed client buffer reached the
// screen, and why it was not zero-copy when it was not.  These names appear
// verbatim in stats JSON, CSV, traces, the overlay and docs/metrics.md.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace zcd {

enum class ImportPath : uint8_t {
    DmabufZeroCopy, // client dmabuf sampled directly by the GPU
    DmabufCopy,     // client dmabuf, but its pixels were copied first
    ShmHostImport,  // wl_shm pages imported as GPU memory (no copy)
    ShmCopy,        // wl_shm pixels copied into a GPU texture
};
inline constexpr int kImportPathCount = 4;

enum class FallbackReason : uint8_t {
    None,                // no fallback happened
    FormatUnsupported,   // the device cannot sample this DRM fourcc
    ModifierUnsupported, // the device cannot import this DRM format modifier
    ImportFailed,        // the driver refused the import (vkAllocateMemory et al.)
    CrossDevice,         // buffer lives on another device than the renderer's
    ForcedCopy,          // the user asked for the copy path (--force-path copy)
    HostPointerUnaligned,// shm pool not importable: alignment or size
    HostImportUnsupported, // device has no VK_EXT_external_memory_host
    InvalidAttributes,   // dmabuf offset/stride/size/fd do not describe a valid buffer
    StrideMismatch,      // dmabuf layout not expressible as a sampleable image: copied
    ShmNotSealed,        // shm pool not a memfd sealed against shrinking (F_SEAL_SHRINK)
                         // and covering the pool: copied under libwayland's SIGBUS guard
};
inline constexpr int kFallbackReasonCount = 11;

constexpr std::string_view to_string(ImportPath p) {
    switch (p) {
    case ImportPath::DmabufZeroCopy: return "dmabuf_zero_copy";
    case ImportPath::DmabufCopy: return "dmabuf_copy";
    case ImportPath::ShmHostImport: return "shm_host_import";
    case ImportPath::ShmCopy: return "shm_copy";
    }
    return "unknown";
}

constexpr std::string_view to_string(FallbackReason r) {
    switch (r) {
    case FallbackReason::None: return "none";
    case FallbackReason::FormatUnsupported: return "format_unsupported";
    case FallbackReason::ModifierUnsupported: return "modifier_unsupported";
    case FallbackReason::ImportFailed: return "import_failed";
    case FallbackReason::CrossDevice: return "cross_device";
    case FallbackReason::ForcedCopy: return "forced_copy";
    case FallbackReason::HostPointerUnaligned: return "host_pointer_unaligned";
    case FallbackReason::HostImportUnsupported: return "host_import_unsupported";
    case FallbackReason::InvalidAttributes: return "invalid_attributes";
    case FallbackReason::StrideMismatch: return "stride_mismatch";
    case FallbackReason::ShmNotSealed: return "shm_not_sealed";
    }
    return "unknown";
}

constexpr bool is_zero_copy(ImportPath p) {
    return p == ImportPath::DmabufZeroCopy || p == ImportPath::ShmHostImport;
}

std::optional<ImportPath> import_path_from_string(std::string_view s);
std::optional<FallbackReason> fallback_reason_from_string(std::string_view s);

// What one import of one committed buffer cost.
struct ImportRecord {
    ImportPath path = ImportPath::ShmCopy;
    FallbackReason reason = FallbackReason::None;
    uint64_t bytes_copied = 0;    // bytes the CPU or GPU copied to make it sampleable
    uint64_t bytes_zero_copy = 0; // bytes made sampleable without a copy
    int64_t import_begin_ns = 0;  // CLOCK_MONOTONIC, renderer started the import/update
    int64_t import_end_ns = 0;    // CLOCK_MONOTONIC, ... and finished it
    uint64_t generation = 0;      // bumped on every import or in-place update, so the
                                  // compositor can tell a fresh record from a stale one
};

} // namespace zcd
