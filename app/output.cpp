// Outputs: configure each new output, then for every frame (in its frame
// event; on a headless output at its refresh deadline, frame_pacing.cpp)
// either give it the one client buffer that covers it (direct scanout) or
// compose all mapped views into it; remember which client buffers the frame sampled (for
// presentation feedback and path accounting) and how the frame reached the
// output (its output hop), capture if due, and commit.
#include <time.h>

#include <array>

#include "app/overlay_feed.hpp"
#include "app/server.hpp"

namespace zcd::app {

namespace {

// How often the overlay's numbers are recomputed: twice a second.  A
// refresh whose formatted numbers differ from the panel's redraws the panel,
// about 1.2 ms of CPU on lavapipe even after making the redraw cheap (see
// docs/performance.md, "Overlay cost"); 2 a second keeps that near 2.5 ms of
// CPU a second and still reads as live.
constexpr int64_t kOverlayRefreshNs = 500000000;

struct CollectContext {
    Output* output;
    View* view;
    std::vector<FrameSurface>* surfaces;
};

// wlr_xdg_surface_for_each_surface callback: every surface of a view (the
// toplevel, subsurfaces, popups) that has a buffer, bottom to top.
void collect_surface(wlr_surface* surface, int sx, int sy, void* data) {
    auto* ctx = static_cast<CollectContext*>(data);
    Output& out = *ctx->output;
    Server& server = *out.server;
    if (!wlr_surface_get_texture(surface))
        return;
    double ox = 0, oy = 0;
    wlr_output_layout_output_coords(server.output_layout, out.output, &ox, &oy);
    // Layout coordinates are logical; the output's buffer is physical.
    const int scale = static_cast<int>(out.output->scale);
    wlr_box box{};
    box.x = (static_cast<int>(ox) + ctx->view->x + sx) * scale;
    box.y = (static_cast<int>(oy) + ctx->view->y + sy) * scale;
    box.width = surface->current.width * scale;
    box.height = surface->current.height * scale;
    ctx->surfaces->push_back({surface, ctx->view->client_id, box});
}

// What the frame samples from one surface, for presentation feedback and
// accounting.  `zero_copy` is finished once the output hop is known.
void note_sampled(Output& out, const FrameSurface& fs, const timespec& now) {
    Server& server = *out.server;
    wlr_surface_send_frame_done(fs.surface, &now);
    SampledSurface sampled;
    sampled.client_id = fs.client_id;
    const ImportRecord* record =
        renderer_import_record(server, wlr_surface_get_texture(fs.surface));
    if (record) {
        sampled.record = *record;
        sampled.zero_copy = is_zero_copy(record->path);
    }
    // Each buffer commit of each surface is counted once per output, by
    // the first frame that shows it.
    if (TrackedSurface* ts = tracked_surface(server, fs.surface)) {
        uint64_t& shown = ts->shown_serial[&out];
        if (ts->commit_serial != 0 && shown != ts->commit_serial) {
            shown = ts->commit_serial;
            sampled.first_show = true;
            sampled.timeline_commit = ts->timeline_commit;
        }
    }
    sampled.feedback = wlr_presentation_surface_sampled(server.presentation, fs.surface);
    out.in_flight.push_back(std::move(sampled));
}

bool capture_due(const Output& out) {
    const Server& server = *out.server;
    return !server.options.capture_dir.empty() &&
           out.frames_rendered % server.options.capture_every == 0; // this frame's index
}

// The frame described for the pure direct-scanout rules, into the output's
// scratch (its vector keeps its capacity: no allocation per frame).
const ScanoutFrame& describe_frame(Output& out, const std::vector<FrameSurface>& surfaces) {
    Server& server = *out.server;
    ScanoutFrame& f = out.scanout_frame;
    f.surfaces.clear();
    f.output_width = out.output->width;
    f.output_height = out.output->height;
    f.enabled = server.options.direct_scanout;
    f.overlay_shown = server.overlay_visible;
    f.capture_due = capture_due(out);
    for (const FrameSurface& fs : surfaces) {
        wlr_surface* s = fs.surface;
        ScanoutSurface d;
        d.x = fs.box.x;
        d.y = fs.box.y;
        d.width = fs.box.width;
        d.height = fs.box.height;
        d.buffer_width = s->current.buffer_width;
        d.buffer_height = s->current.buffer_height;
        d.transformed = s->current.transform != out.output->transform;
        d.viewport = s->current.viewport.has_src || s->current.viewport.has_dst;
        wlr_texture* texture = wlr_surface_get_texture(s);
        d.opaque = wlr_texture_is_opaque(texture) ||
                   pixman_region32_contains_rectangle(
                       &s->opaque_region,
                       std::array<pixman_box32_t, 1>{{{0, 0, s->current.width, s->current.height}}}
                           .data()) == PIXMAN_REGION_IN;
        const ImportRecord* record = renderer_import_record(server, texture);
        d.zero_copy_import = record && is_zero_copy(record->path);
        if (f.capture_due && s->buffer)
            d.cpu_readable = buffer_capturable(s->buffer->source);
        f.surfaces.push_back(d);
    }
    return f;
}

// Attach and test: the client's buffer is to become the output's.  Returns
// None when the output accepts it, else why not (the output's pending state
// is rolled back so the frame can be composed instead).  The commit comes
// later, in commit_frame(): the backend may deliver the present event from
// inside the commit, and by then the frame's hop must be known.
DirectScanoutMiss prepare_direct_scanout(Output& out, const std::vector<FrameSurface>& surfaces,
                                         size_t index, const timespec& now) {
    wlr_output* o = out.output;
    const FrameSurface& fs = surfaces[index];
    wlr_buffer* buffer = &fs.surface->buffer->base;
    wlr_output_attach_buffer(o, buffer);
    if (!wlr_output_test(o)) {
        wlr_output_rollback(o);
        return DirectScanoutMiss::TestFailed;
    }
    note_sampled(out, fs, now);
    // Surfaces off the output get their frame callbacks as in a composed
    // frame (which "draws" them clipped away): their clients keep pace.
    for (size_t i = 0; i < surfaces.size(); ++i)
        if (i != index)
            wlr_surface_send_frame_done(surfaces[i].surface, &now);
    out.frames_rendered++;
    return DirectScanoutMiss::None;
}

// Commits the frame whose hop and timeline record are already in `out`.
// A failed commit drops the frame: nothing of it is presented, and the next
// frame event starts over.
void commit_frame(Output& out) {
    out.frame_in_flight = true;
    if (!wlr_output_commit(out.output)) {
        out.frame_in_flight = false;
        discard_in_flight(out);
    }
}

OutputHop composed_hop(Server& server, DirectScanoutMiss miss) {
    RenderTargetKind kind = RenderTargetKind::Unknown;
    uint64_t bytes = 0;
    uint32_t copies = 0;
    renderer_frame_target(server, &kind, &bytes, &copies);
    return composed_output_hop(kind, bytes, copies, miss);
}

} // namespace

void output_render_frame(Output& out) {
    Server& server = *out.server;
    wlr_output* o = out.output;
    const int64_t cpu_begin = now_ns();
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);

    // Feedback of the previous frame that never got a present event (the
    // backend dropped it) is discarded, as the protocol requires.
    discard_in_flight(out);
    std::vector<FrameSurface>& surfaces = out.frame_surfaces;
    surfaces.clear();
    for (auto& view : server.views) {
        if (!view->mapped)
            continue;
        CollectContext ctx{&out, view.get(), &surfaces};
        wlr_xdg_surface_for_each_surface(view->xdg, collect_surface, &ctx);
    }
    const bool capture = capture_due(out);
    size_t candidate = 0;
    DirectScanoutMiss miss = direct_scanout_candidate(describe_frame(out, surfaces), &candidate);
    OutputHop hop;
    bool direct = false;
    if (miss == DirectScanoutMiss::None) {
        miss = prepare_direct_scanout(out, surfaces, candidate, now);
        if (miss == DirectScanoutMiss::None) {
            hop = OutputHop{ScanoutPath::DirectScanout, ScanoutCopyReason::None,
                            DirectScanoutMiss::None, 0};
            direct = true;
        }
    }
    uint64_t frame_id = 0;
    if (!direct) {
        if (!wlr_output_attach_render(o, nullptr))
            return;
        if (server.overlay_visible) {
            // The overlay's numbers change a few times a second, not every
            // frame: the model (and with it the panel) is rebuilt only then.
            if (server.timeline && cpu_begin - server.overlay_refreshed_ns >= kOverlayRefreshNs) {
                // It shows the last second as of this frame.
                fill_overlay_model(server.timeline->snapshot(cpu_begin - 1000000000),
                                   server.accounting, server.facts.device, &server.overlay_model);
                server.overlay_model.version++;
                server.overlay_refreshed_ns = cpu_begin;
            }
            const int32_t height = server.facts.overlay_h > 0 ? server.facts.overlay_h : 300;
            if (!place_overlay(server, out, height))
                server.facts.overlay_frames_covering++;
        }
        if (capture)
            renderer_request_capture(server);
        wlr_renderer_begin(server.renderer, static_cast<uint32_t>(o->width),
                           static_cast<uint32_t>(o->height));
        // A dark slate background: distinct from black so a missing client (a
        // black buffer) and an empty screen are told apart in captures.
        const float background[4] = {0.10f, 0.12f, 0.16f, 1.0f};
        wlr_renderer_clear(server.renderer, background);
        for (const FrameSurface& fs : surfaces) {
            wlr_surface* surface = fs.surface;
            float matrix[9];
            wlr_matrix_project_box(matrix, &fs.box,
                                   wlr_output_transform_invert(surface->current.transform), 0,
                                   o->transform_matrix);
            wlr_render_texture_with_matrix(server.renderer, wlr_surface_get_texture(surface),
                                           matrix, 1.0f);
            note_sampled(out, fs, now);
        }
        wlr_output_render_software_cursors(o, nullptr);
        out.frames_rendered++;
        wlr_renderer_end(server.renderer);
        hop = composed_hop(server, miss);
    }
    // Both hops known: ZERO_COPY only where both were zero-copy.
    for (SampledSurface& s : out.in_flight)
        s.zero_copy = presented_zero_copy(s.zero_copy, hop.path);
    if (server.timeline) {
        OutputFrameRecord f;
        f.output_seq = out.frames_rendered;
        f.output_name = o->name;
        f.composite_cpu_begin_ns = cpu_begin;
        f.scanout_path = hop.path;
        f.scanout_reason = hop.reason;
        f.direct_scanout_miss = hop.miss;
        f.scanout_bytes_copied = hop.bytes_copied;
        frame_id = server.timeline->add_frame(std::move(f));
        if (!direct)
            record_gpu_timing(server, frame_id);
    }
    // Before the commit: its present event may come from inside it.
    out.hop = hop;
    out.timeline_frame = frame_id;
    if (direct) {
        if (capture)
            capture_buffer(out, surfaces[candidate].surface->buffer->source);
    } else {
        record_overlay_cost(server, frame_id);
        // After end (the frame is finished in the output buffer) and before
        // the commit (the buffer is still bound): the one moment every
        // renderer, ours and pixman, can read the composed frame back.
        // After the overlay cost too, so the capture knows this frame's
        // overlay rectangle.
        if (capture)
            capture_frame(out);
    }
    commit_frame(out);
    if (server.timeline)
        server.timeline->set_frame_cpu_end(frame_id, now_ns());
}

namespace {

void handle_new_output(Server& server, wlr_output* o) {
    if (!wlr_output_init_render(o, server.allocator, server.renderer)) {
        wlr_log(WLR_ERROR, "zc-compositor: cannot init rendering on output %s", o->name);
        return;
    }
    if (wlr_output_is_headless(o)) {
        wlr_output_set_custom_mode(o, server.options.width, server.options.height,
                                   server.options.refresh_hz * 1000);
    } else if (wlr_output_mode* mode = wlr_output_preferred_mode(o)) {
        wlr_output_set_mode(o, mode);
    }
    // Integer scales only: a client pixel becomes an exact NxN block, which
    // visual regression can compare with fuzz 0.
    wlr_output_set_scale(o, static_cast<float>(server.options.scale));
    wlr_output_enable(o, true);
    if (!wlr_output_commit(o)) {
        wlr_log(WLR_ERROR, "zc-compositor: cannot enable output %s", o->name);
        return;
    }
    auto out = std::make_unique<Output>();
    out->server = &server;
    out->output = o;
    out->account_index = server.accounting.add_output(o->name, o->width, o->height, o->refresh);
    Output* raw = out.get();
    // Headless: the frame event only schedules the render on the refresh
    // grid (frame_pacing.cpp says why); elsewhere it is the vblank.
    out->pacer.reset(frame_pacer_create(*raw));
    out->frame.connect(&o->events.frame, [raw](void*) {
        if (raw->pacer)
            frame_pacer_frame_event(*raw->pacer);
        else
            output_render_frame(*raw);
    });
    out->present.connect(&o->events.present, [raw](void* data) {
        present_in_flight(*raw, *static_cast<wlr_output_event_present*>(data));
    });
    out->destroy.connect(&o->events.destroy, [raw](void*) {
        raw->pacer.reset(); // a render still scheduled must not fire on a dead output
        discard_in_flight(*raw);
        Server& s = *raw->server;
        s.outputs.remove_if([raw](const std::unique_ptr<Output>& p) { return p.get() == raw; });
    });
    server.outputs.push_back(std::move(out));
    wlr_output_layout_add_auto(server.output_layout, o);
    arrange_views(server);
}

} // namespace

void outputs_init(Server& server) {
    server.new_output.connect(&server.backend->events.new_output, [&server](void* data) {
        handle_new_output(server, static_cast<wlr_output*>(data));
    });
}

} // namespace zcd::app
