// Times zc-compositor's import paths through the renderer library, the way
// wlroots 0.15 drives them on a surface commit:
//   * a wl_shm buffer whose texture already exists is updated in place with
//     wlr_texture_write_pixels (full damage here); when the texture refuses
//     (host-pointer imports do, so each commit is a fresh import) the buffer
//     gets a new texture from wlr_texture_from_buffer;
//   * a dmabuf gets a new texture on every commit.
// Each measurement reads the renderer's own ImportRecord for the path it
// chose, the bytes it copied, and its import begin/end.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace zcd::bench {

// What the benchmark asks for; the renderer decides what actually happens
// and the ImportRecord says so.
enum class ImportRequest {
    Shm,          // wl_shm-like data-pointer buffer, renderer picks (host import if it can)
    ShmForceCopy, // same buffer, renderer created with ForcePath::Copy
    DmabufMemfd,  // a memfd presented as a single-plane linear dmabuf (no real dmabuf here)
};
const char* to_string(ImportRequest r);

struct ImportMeasurement {
    ImportRequest request = ImportRequest::Shm;
    uint32_t width = 0, height = 0;
    std::string error;            // non-empty: nothing was measured, this says why
    std::string recorded_path;    // ImportRecord path of the timed commits (to_string)
    std::string recorded_reason;  // ImportRecord fallback reason
    bool paths_consistent = true; // every timed commit took the same path
    uint64_t bytes_copied = 0;    // per commit, from the ImportRecord
    uint64_t bytes_zero_copy = 0;
    int commits = 0;
    int64_t wall_median_ns = 0;   // wall clock around the renderer call(s) of one commit
    int64_t record_median_ns = 0; // import_end_ns - import_begin_ns from the ImportRecord
    // The commit's whole cost in CPU time of the process (lavapipe's worker
    // threads included), including GPU work the renderer defers to the next
    // frame (a staging-to-image copy): per commit, (import + one frame
    // drawing the texture) minus (the same frame again without a new
    // import), median of those paired differences.
    int64_t cost_median_ns = 0;
    int64_t frame_without_median_ns = 0; // the baseline frame alone
    int64_t memcpy_median_ns = 0;        // memcpy of the same bytes, timed right after each commit
    int stale_records = 0;               // commits whose ImportRecord generation did not change
    std::string device;                  // Vulkan device name
};

// Returns one measurement per (request, size).  `available` is false when
// the binary was built without the renderer; `why` then names what is missing.
struct RendererImportRun {
    bool available = false;
    std::string why;
    std::vector<ImportMeasurement> results;
};

RendererImportRun measure_renderer_imports(const std::vector<ImportRequest>& requests,
                                           const std::vector<std::pair<uint32_t, uint32_t>>& sizes,
                                           int commits);

} // namespace zcd::bench
