// Timelines with known contents for the tools' unit tests.
#pragma once

#include "common/timeline.hpp"

namespace zcd::test {

// Two outputs, two clients, every field set to a distinct value (names with
// characters that need quoting in JSON and CSV).
inline Timeline rich_timeline() {
    Timeline t;
    t.producer = "zc-compositor";
    int64_t base = 5'000'000'000'123;
    for (int o = 0; o < 2; ++o) {
        for (uint64_t seq = 1; seq <= 6; ++seq) {
            OutputFrameRecord f;
            f.output_seq = seq;
            f.output_name = o == 0 ? "HEADLESS-1" : "WL,\"2\"";
            f.composite_cpu_begin_ns = base + static_cast<int64_t>(seq) * 16'666'667 + o * 7;
            f.composite_cpu_end_ns = f.composite_cpu_begin_ns + 1'234'567;
            f.gpu_begin_ns = f.composite_cpu_end_ns + 11;
            f.gpu_end_ns = f.gpu_begin_ns + 765'432;
            f.gpu_on_monotonic = seq % 2 == 0;
            f.overlay_cpu_ns = 100'000 + static_cast<int64_t>(seq);
            f.overlay_gpu_ns = 50'000;
            f.presented = seq != 4;
            f.present_ns = f.presented ? f.composite_cpu_begin_ns + 4'000'001 : 0;
            f.present_flags = kPresentVsync | kPresentZeroCopy;
            f.refresh_ns = 16'666'667;
            f.msc = 1000 + seq;
            f.commits_shown = static_cast<uint32_t>(seq % 3);
            t.frames.push_back(f);
        }
    }
    for (uint64_t id = 1; id <= 8; ++id) {
        CommitRecord c;
        c.commit_id = id;
        c.client_id = id % 2 == 0 ? 2 : 1;
        c.client_name = c.client_id == 1 ? "zc-client" : "name with \\ and \n";
        c.commit_ns = base + static_cast<int64_t>(id) * 10'000'003;
        c.import_begin_ns = c.commit_ns + 100;
        c.import_end_ns = c.import_begin_ns + 2'000'000;
        c.path = static_cast<ImportPath>(id % kImportPathCount);
        c.reason = static_cast<FallbackReason>(id % kFallbackReasonCount);
        c.bytes_copied = id * 1000;
        c.bytes_zero_copy = id * 7777;
        c.width = 640;
        c.height = 480 + static_cast<uint32_t>(id);
        c.drm_format = 0x34325258; // XR24
        c.modifier = 0x00ffffffffffffffull;
        c.presented = id != 5;
        c.discarded = id == 5;
        c.output_seq = c.presented ? id : 0;
        c.present_ns = c.presented ? c.commit_ns + 21'000'000 : 0;
        c.present_flags = c.presented ? uint32_t{kPresentVsync} : 0u;
        c.refresh_ns = 16'666'667;
        c.msc = c.presented ? 2000 + id : 0;
        t.commits.push_back(c);
    }
    return t;
}

} // namespace zcd::test
