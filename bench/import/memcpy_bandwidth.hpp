// The physical limit the copy fallback is judged against: how fast this
// process can memcpy a frame-sized buffer, measured by the same binary that
// times the renderer's copy path.
#pragma once

#include <cstddef>
#include <cstdint>

namespace zcd::bench {

struct MemcpyResult {
    size_t bytes = 0;        // size of one copy
    int copies = 0;          // copies timed
    int64_t median_ns = 0;   // median CPU time (of this thread) of one copy
    double gbytes_per_s = 0; // bytes / median_ns (1 GB = 1e9 bytes)
};

// Copies `bytes` from one buffer to another `copies` times (both buffers
// touched first so page faults are not timed) and returns the median.
MemcpyResult measure_memcpy(size_t bytes, int copies);

} // namespace zcd::bench
