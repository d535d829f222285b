// Which wlr_renderer draws: ours (Vulkan) or wlroots' pixman for comparison.
// Only our renderer keeps ImportRecords, so only with it are buffers
// classified; with pixman they are counted as "unclassified", never guessed.
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "app/server.hpp"

#ifdef ZCD_HAVE_VULKAN_RENDERER
#include "renderer/renderer.hpp"
#endif

namespace zcd::app {

namespace {

bool validation_requested() {
    const char* v = std::getenv("ZCD_VALIDATION");
    return v && std::strcmp(v, "1") == 0;
}

} // namespace

bool create_renderer(Server& server) {
    const Options& o = server.options;
    server.facts.validation_enabled = validation_requested();
    server.facts.force_path = o.force_path == ForcePathChoice::Copy ? "copy" : "auto";
#ifdef ZCD_HAVE_VULKAN_RENDERER
    if (o.renderer != RendererChoice::Pixman) {
        render::RendererOptions ro;
        ro.validation = server.facts.validation_enabled;
        ro.force_path = o.force_path == ForcePathChoice::Copy ? render::ForcePath::Copy
                                                              : render::ForcePath::Auto;
        ro.drm_fd = wlr_backend_get_drm_fd(server.backend);
        server.renderer = render::create_vulkan_renderer(ro);
        if (server.renderer) {
            server.vulkan = true;
            server.facts.renderer = "vulkan";
            server.facts.device = render::device_info(server.renderer).device_name;
            return true;
        }
        if (o.renderer == RendererChoice::Vulkan) {
            std::fprintf(stderr, "zc-compositor: the Vulkan renderer could not be created\n");
            return false;
        }
        std::fprintf(stderr, "zc-compositor: Vulkan renderer unavailable, using pixman\n");
    }
#else
    if (o.renderer == RendererChoice::Vulkan) {
        std::fprintf(stderr, "zc-compositor: built without the Vulkan renderer\n");
        return false;
    }
#endif
    if (o.force_path == ForcePathChoice::Copy) {
        std::fprintf(stderr, "zc-compositor: --force-path needs the Vulkan renderer\n");
        return false;
    }
    server.renderer = wlr_pixman_renderer_create();
    server.facts.renderer = "pixman";
    if (!server.renderer) {
        std::fprintf(stderr, "zc-compositor: cannot create the pixman renderer\n");
        return false;
    }
    return true;
}

uint64_t renderer_validation_errors(Server& server) {
#ifdef ZCD_HAVE_VULKAN_RENDERER
    if (server.vulkan)
        return render::validation_error_count(server.renderer);
#endif
    (void)server;
    return 0;
}

void renderer_import_failures(Server& server, RunFacts* facts) {
#ifdef ZCD_HAVE_VULKAN_RENDERER
    if (server.vulkan) {
        render::ImportFailure f = render::last_import_failure(server.renderer);
        facts->import_failures = f.count;
        facts->last_import_failure = std::string(to_string(f.reason));
        return;
    }
#endif
    (void)server;
    (void)facts;
}

void record_gpu_timing(Server& server, uint64_t frame_id) {
#ifdef ZCD_HAVE_VULKAN_RENDERER
    render::GpuFrameTiming t;
    // The renderer fills the timing of a frame at its wlr_renderer_end; a
    // frame_seq we have not seen yet therefore belongs to the frame that
    // just ended.
    if (server.vulkan && server.timeline && render::last_gpu_frame_timing(server.renderer, &t) &&
        t.frame_seq != server.last_gpu_frame_seq) {
        server.last_gpu_frame_seq = t.frame_seq;
        server.timeline->set_frame_gpu(frame_id, t.gpu_begin_ns, t.gpu_end_ns, t.on_monotonic);
    }
#else
    (void)server;
    (void)frame_id;
#endif
}

bool renderer_set_overlay(Server& server, bool visible) {
#ifdef ZCD_HAVE_VULKAN_RENDERER
    if (server.vulkan) {
        server.overlay_visible = visible;
        server.overlay_refreshed_ns = 0; // fresh numbers on the first frame that shows it
        render::set_overlay(server.renderer, visible ? &server.overlay_model : nullptr);
        render::set_overlay_in_capture(server.renderer, server.options.overlay_in_capture);
        // Windows make room for it (or take the room back).
        arrange_views(server);
        return true;
    }
#endif
    (void)visible;
    server.overlay_visible = false;
    return false;
}

void record_overlay_cost(Server& server, uint64_t frame_id) {
#ifdef ZCD_HAVE_VULKAN_RENDERER
    render::OverlayCost c;
    if (server.vulkan && server.overlay_visible && render::last_overlay_cost(server.renderer, &c)) {
        server.overlay_model.overlay_cpu_ms = static_cast<double>(c.cpu_ns) / 1e6;
        // Only frames that drew the panel are GPU-timed: show the last
        // drawing's GPU time until the next one.
        if (c.redrawn)
            server.overlay_model.overlay_gpu_ms = static_cast<double>(c.gpu_ns) / 1e6;
        server.facts.overlay_shown = true;
        server.facts.overlay_x = c.x;
        server.facts.overlay_y = c.y;
        server.facts.overlay_w = c.width;
        server.facts.overlay_h = c.height;
        if (server.timeline && frame_id)
            server.timeline->set_frame_overlay(frame_id, c.cpu_ns, c.gpu_ns);
    }
#else
    (void)server;
    (void)frame_id;
#endif
}

void renderer_frame_target(Server& server, RenderTargetKind* kind, uint64_t* frame_bytes,
                           uint32_t* copies) {
    *kind = RenderTargetKind::Unknown;
    *frame_bytes = 0;
    *copies = 0;
#ifdef ZCD_HAVE_VULKAN_RENDERER
    render::FrameTarget t;
    if (server.vulkan && render::last_frame_target(server.renderer, &t)) {
        *kind = t.kind;
        *frame_bytes = t.frame_bytes;
        *copies = t.copies;
    }
#else
    (void)server;
#endif
}

void renderer_display_imports(Server& server, const wlr_buffer_impl* impl) {
#ifdef ZCD_HAVE_VULKAN_RENDERER
    if (server.vulkan)
        render::display_imports_in_place(server.renderer, impl);
#else
    (void)server;
    (void)impl;
#endif
}

void renderer_request_capture(Server& server) {
#ifdef ZCD_HAVE_VULKAN_RENDERER
    if (server.vulkan)
        render::request_capture(server.renderer);
#else
    (void)server;
#endif
}

const ImportRecord* renderer_import_record(Server& server, wlr_texture* texture) {
#ifdef ZCD_HAVE_VULKAN_RENDERER
    if (server.vulkan && texture)
        return render::texture_import_record(texture);
#endif
    (void)server;
    (void)texture;
    return nullptr;
}

} // namespace zcd::app
