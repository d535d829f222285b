// The renderer half of zc-bench-import (see renderer_imports.hpp for what is
// timed and why it mirrors wlroots 0.15's surface commit).
#include "bench/import/renderer_imports.hpp"

#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

#include "bench/import/bench_buffer.hpp"
#include "bench/import/timing.hpp"
#include "common/import_path.hpp"
#include "renderer/renderer.hpp"
#include "zcd/wlroots.hpp"

// valgrind's client requests (header from the valgrind package); without it
// the counting toggles compile to nothing.
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#else
#define CALLGRIND_TOGGLE_COLLECT
#endif

namespace zcd::bench {

const char* to_string(ImportRequest r) {
    switch (r) {
    case ImportRequest::Shm:
        return "shm";
    case ImportRequest::ShmForceCopy:
        return "shm_force_copy";
    case ImportRequest::DmabufMemfd:
        return "dmabuf_memfd";
    }
    return "unknown";
}

namespace {

// The composed frame every commit is followed by: the client texture drawn
// over a small output.  Small on purpose: its own cost is subtracted, and
// sampling cost depends on the output's pixels, not the texture's.
constexpr uint32_t kOutputWidth = 640, kOutputHeight = 360;

struct RendererDeleter {
    void operator()(wlr_renderer* r) const { wlr_renderer_destroy(r); }
};
using RendererPtr = std::unique_ptr<wlr_renderer, RendererDeleter>;

struct BufferDropper {
    void operator()(BenchBuffer* b) const { wlr_buffer_drop(&b->base); }
};
using BufferPtr = std::unique_ptr<BenchBuffer, BufferDropper>;

bool draw_frame(wlr_renderer* r, BenchBuffer* target, wlr_texture* tex) {
    if (!wlr_renderer_begin_with_buffer(r, &target->base))
        return false;
    const float clear[4] = {0, 0, 0, 1};
    wlr_renderer_clear(r, clear);
    float projection[9], matrix[9];
    wlr_matrix_projection(projection, kOutputWidth, kOutputHeight, WL_OUTPUT_TRANSFORM_NORMAL);
    const wlr_box box = {0, 0, static_cast<int>(kOutputWidth), static_cast<int>(kOutputHeight)};
    wlr_matrix_project_box(matrix, &box, WL_OUTPUT_TRANSFORM_NORMAL, 0, projection);
    const bool drawn = wlr_render_texture_with_matrix(r, tex, matrix, 1.0f);
    wlr_renderer_end(r);
    return drawn;
}

// One commit of new client content, done the way wlroots 0.15 does it:
// update in place when the texture accepts, otherwise a new texture.
wlr_texture* commit(wlr_renderer* r, BenchBuffer* client, wlr_texture* tex) {
    if (tex && !client->as_dmabuf &&
        wlr_texture_write_pixels(tex, client->stride, static_cast<uint32_t>(client->base.width),
                                 static_cast<uint32_t>(client->base.height), 0, 0, 0, 0,
                                 client->pixels))
        return tex;
    if (tex)
        wlr_texture_destroy(tex);
    return wlr_texture_from_buffer(r, &client->base);
}

ImportMeasurement measure_one(wlr_renderer* r, ImportRequest req, uint32_t w, uint32_t h,
                              int commits) {
    ImportMeasurement m;
    m.request = req;
    m.width = w;
    m.height = h;
    m.device = render::device_info(r).device_name;
    // Clients cycle a few buffers (zc-bench-client and weston-simple-shm use
    // 2-3); commit them round-robin so per-buffer caching in the renderer
    // sees what it would see in a real session.
    constexpr int kClientBuffers = 3;
    BufferPtr ring[kClientBuffers];
    for (BufferPtr& b : ring)
        b.reset(bench_buffer_create(w, h, DRM_FORMAT_XRGB8888, req == ImportRequest::DmabufMemfd));
    BufferPtr target(bench_buffer_create(kOutputWidth, kOutputHeight, DRM_FORMAT_XRGB8888, false));
    const size_t bytes = size_t{w} * h * 4;
    std::unique_ptr<uint8_t[]> copy_src(new uint8_t[bytes]), copy_dst(new uint8_t[bytes]);
    if (!ring[0] || !ring[1] || !ring[2] || !target) {
        m.error = "could not allocate the benchmark buffers (memfd/mmap)";
        return m;
    }
    std::memset(copy_src.get(), 1, bytes);
    std::memset(copy_dst.get(), 2, bytes);

    std::vector<int64_t> call, cost, base, record, mem;
    wlr_texture* tex = nullptr;
    uint64_t last_generation = 0;
    constexpr int kWarmup = 3; // first imports pay pipeline and allocation set-up
    for (int i = 0; i < kWarmup + commits; ++i) {
        BenchBuffer* client = ring[i % kClientBuffers].get();
        // New content every commit, outside the timed region (the client's work).
        std::memset(client->pixels, 0x10 + (i & 0x3f), client->size);

        // Wall clock for the call alone (what the event loop waits); process
        // CPU time (all threads: lavapipe's workers too) for everything else.
        const int64_t c0 = process_cpu_ns(), t0 = monotonic_ns();
        // Under callgrind (--collect-atstart=no) only the measured import
        // calls are counted: instructions, which the machine's load does not
        // change (bench/harness/import_rows.py).  A no-op natively.
        if (i >= kWarmup)
            CALLGRIND_TOGGLE_COLLECT;
        tex = commit(r, client, tex);
        if (i >= kWarmup)
            CALLGRIND_TOGGLE_COLLECT;
        const int64_t t1 = monotonic_ns();
        if (!tex) {
            m.error = "the renderer refused the buffer (its reason is on stderr)";
            return m;
        }
        if (!draw_frame(r, target.get(), tex)) {
            m.error = "could not draw a frame into a data-pointer render target";
            wlr_texture_destroy(tex);
            return m;
        }
        const int64_t c2 = process_cpu_ns();
        // Baseline: new client content again (outside the timed region, so
        // the client memory is as cold as before the import), then the same
        // frame with the texture we already have.  The difference to the
        // frame above is what importing cost, not what fresh pixels cost.
        std::memset(client->pixels, 0x50 + (i & 0x3f), client->size);
        const int64_t c2b = process_cpu_ns();
        draw_frame(r, target.get(), tex);
        const int64_t c3 = process_cpu_ns();
        const int64_t m0 = thread_cpu_ns();
        std::memcpy(copy_dst.get(), copy_src.get(), bytes);
        asm volatile("" : : "r"(copy_dst.get()) : "memory");
        const int64_t m1 = thread_cpu_ns();

        const ImportRecord* rec = render::texture_import_record(tex);
        if (i < kWarmup)
            continue;
        call.push_back(t1 - t0);
        cost.push_back((c2 - c0) - (c3 - c2b));
        base.push_back(c3 - c2b);
        mem.push_back(m1 - m0);
        ++m.commits;
        if (!rec) {
            m.error = "the texture has no ImportRecord (texture_import_record returned null)";
            continue;
        }
        if (rec->generation == last_generation)
            ++m.stale_records;
        last_generation = rec->generation;
        const std::string path(zcd::to_string(rec->path));
        if (m.recorded_path.empty()) {
            m.recorded_path = path;
            m.recorded_reason = std::string(zcd::to_string(rec->reason));
            m.bytes_copied = rec->bytes_copied;
            m.bytes_zero_copy = rec->bytes_zero_copy;
        } else if (m.recorded_path != path) {
            m.paths_consistent = false;
        }
        record.push_back(rec->import_end_ns - rec->import_begin_ns);
    }
    wlr_texture_destroy(tex);
    m.wall_median_ns = median(call);
    m.cost_median_ns = median(cost);
    m.frame_without_median_ns = median(base);
    m.record_median_ns = median(record);
    m.memcpy_median_ns = median(mem);
    return m;
}

} // namespace

RendererImportRun measure_renderer_imports(const std::vector<ImportRequest>& requests,
                                           const std::vector<std::pair<uint32_t, uint32_t>>& sizes,
                                           int commits) {
    RendererImportRun run;
    run.available = true;
    wlr_log_init(WLR_ERROR, nullptr);
    for (ImportRequest req : requests) {
        render::RendererOptions opts;
        opts.force_path =
            req == ImportRequest::ShmForceCopy ? render::ForcePath::Copy : render::ForcePath::Auto;
        RendererPtr r(render::create_vulkan_renderer(opts));
        if (r)
            render::trust_host_memory(r.get(), bench_buffer_impl());
        for (const auto& [w, h] : sizes) {
            if (!r) {
                ImportMeasurement m;
                m.request = req;
                m.width = w;
                m.height = h;
                m.error = "create_vulkan_renderer failed (its reason is on stderr)";
                run.results.push_back(m);
                continue;
            }
            run.results.push_back(measure_one(r.get(), req, w, h, commits));
        }
    }
    return run;
}

} // namespace zcd::bench
