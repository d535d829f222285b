// Small timing helpers shared by the zc-bench-import measurements.
#pragma once

#include <algorithm>
#include <cstdint>
#include <ctime>
#include <vector>

namespace zcd::bench {

inline int64_t monotonic_ns() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
}

// CPU time of the whole process (all threads, so lavapipe's worker threads
// are included).  On this shared machine wall-clock time mostly measures how
// long the scheduler kept us waiting; CPU time measures the work, which on
// lavapipe (the "GPU" is this CPU) is the cost we want.
inline int64_t process_cpu_ns() {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
}

// CPU time of the calling thread only.
inline int64_t thread_cpu_ns() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
}

// Median of the samples (upper median for an even count); 0 for none.
inline int64_t median(std::vector<int64_t> v) {
    if (v.empty())
        return 0;
    auto mid = v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2);
    std::nth_element(v.begin(), mid, v.end());
    return *mid;
}

} // namespace zcd::bench
