#include "bench/import/memcpy_bandwidth.hpp"

#include "bench/import/timing.hpp"

#include <algorithm>
#include <cstring>
#include <memory>
#include <vector>

namespace zcd::bench {

MemcpyResult measure_memcpy(size_t bytes, int copies) {
    // Page-aligned like a wl_shm pool or a staging buffer would be.
    auto alloc = [&] {
        void* p = nullptr;
        if (posix_memalign(&p, 4096, bytes) != 0)
            return std::unique_ptr<char, decltype(&free)>(nullptr, &free);
        return std::unique_ptr<char, decltype(&free)>(static_cast<char*>(p), &free);
    };
    auto src = alloc();
    auto dst = alloc();
    MemcpyResult r;
    r.bytes = bytes;
    if (!src || !dst || copies <= 0)
        return r;
    std::memset(src.get(), 0x5a, bytes);
    std::memset(dst.get(), 0xa5, bytes);
    std::vector<int64_t> times;
    times.reserve(static_cast<size_t>(copies));
    for (int i = 0; i < copies; ++i) {
        src.get()[static_cast<size_t>(i) % bytes] = static_cast<char>(i); // not a no-op copy
        // Thread CPU time: a copy preempted half-way on this shared machine
        // would otherwise look twice as slow.
        const int64_t t0 = thread_cpu_ns();
        std::memcpy(dst.get(), src.get(), bytes);
        const int64_t t1 = thread_cpu_ns();
        times.push_back(t1 - t0);
        // Keep the compiler from proving the copy unused.
        asm volatile("" : : "r"(dst.get()) : "memory");
    }
    r.copies = copies;
    r.median_ns = median(times);
    r.gbytes_per_s =
        r.median_ns > 0 ? static_cast<double>(bytes) / static_cast<double>(r.median_ns) : 0.0;
    return r;
}

} // namespace zcd::bench
