// Writes a synthetic but realistic compositor trace for the zc-stat CLI
// tests: one 60 Hz output and one client committing every frame.
//   sample_trace OUT.json [--copy] [--frames N] [--hitch SEQ]
// --copy makes every commit take the shm copy path with a slower import
// (the "forced fallback" run of an A/B comparison); --hitch SEQ drops two
// vblanks before output frame SEQ.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "common/trace_export.hpp"

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: sample_trace OUT.json [--copy] [--frames N] [--hitch SEQ]\n");
        return 2;
    }
    bool copy = false;
    uint64_t frames = 120, hitch = 0;
    for (int i = 2; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "--copy")
            copy = true;
        else if (a == "--frames" && i + 1 < argc)
            frames = std::strtoull(argv[++i], nullptr, 10);
        else if (a == "--hitch" && i + 1 < argc)
            hitch = std::strtoull(argv[++i], nullptr, 10);
        else {
            std::fprintf(stderr, "sample_trace: unknown argument %s\n", a.c_str());
            return 2;
        }
    }
    const int64_t refresh = 16'666'667;
    zcd::Timeline t;
    t.producer = "zc-compositor";
    int64_t vblank = 10'000'000'000;
    for (uint64_t seq = 1; seq <= frames; ++seq) {
        vblank += (seq == hitch ? 3 : 1) * refresh;
        zcd::CommitRecord c;
        c.commit_id = seq;
        c.client_id = 1;
        c.client_name = "zc-client";
        c.commit_ns = vblank - 12'000'000 + static_cast<int64_t>(seq % 7) * 100'000;
        c.import_begin_ns = c.commit_ns + 200'000;
        c.import_end_ns = c.import_begin_ns + (copy ? 2'500'000 : 150'000);
        c.path = copy ? zcd::ImportPath::ShmCopy : zcd::ImportPath::ShmHostImport;
        c.reason = copy ? zcd::FallbackReason::ForcedCopy : zcd::FallbackReason::None;
        c.bytes_copied = copy ? 1280ull * 720 * 4 : 0;
        c.bytes_zero_copy = copy ? 0 : 1280ull * 720 * 4;
        c.width = 1280;
        c.height = 720;
        c.drm_format = 0x34325258;
        c.presented = true;
        c.output_seq = seq;
        c.present_ns = vblank;
        c.present_flags = zcd::kPresentVsync;
        c.refresh_ns = refresh;
        c.msc = seq;
        t.commits.push_back(c);

        zcd::OutputFrameRecord f;
        f.output_seq = seq;
        f.output_name = "HEADLESS-1";
        f.composite_cpu_begin_ns = vblank - 8'000'000;
        f.composite_cpu_end_ns = f.composite_cpu_begin_ns + (copy ? 900'000 : 600'000);
        f.gpu_begin_ns = f.composite_cpu_end_ns + 50'000;
        f.gpu_end_ns = f.gpu_begin_ns + 1'100'000 + static_cast<int64_t>(seq % 5) * 10'000;
        f.gpu_on_monotonic = true;
        f.presented = true;
        f.present_ns = vblank;
        f.present_flags = zcd::kPresentVsync;
        f.refresh_ns = refresh;
        f.msc = seq;
        f.commits_shown = 1;
        t.frames.push_back(f);
    }
    std::string err;
    if (!zcd::export_chrome_trace(t, argv[1], &err)) {
        std::fprintf(stderr, "sample_trace: %s\n", err.c_str());
        return 1;
    }
    return 0;
}
