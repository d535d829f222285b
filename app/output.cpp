// Outputs: configure each new output, then on every frame event compose all
// mapped views into it, remember which client buffers the frame sampled (for
// presentation feedback and path accounting), capture if due, and commit.
#include <time.h>

#include "app/overlay_feed.hpp"
#include "app/server.hpp"

namespace zcd::app {

namespace {

struct RenderContext {
    Output* output;
    View* view;
    timespec now;
};

// Draws one surface of a view (the toplevel, a subsurface or a popup) and
// records what was sampled.  Called by wlr_xdg_surface_for_each_surface.
void render_surface(wlr_surface* surface, int sx, int sy, void* data) {
    auto* ctx = static_cast<RenderContext*>(data);
    Output& out = *ctx->output;
    View& view = *ctx->view;
    Server& server = *out.server;
    wlr_texture* texture = wlr_surface_get_texture(surface);
    if (!texture)
        return;
    double ox = 0, oy = 0;
    wlr_output_layout_output_coords(server.output_layout, out.output, &ox, &oy);
    // Layout coordinates are logical; the output's buffer is physical.
    const int scale = static_cast<int>(out.output->scale);
    wlr_box box{};
    box.x = (static_cast<int>(ox) + view.x + sx) * scale;
    box.y = (static_cast<int>(oy) + view.y + sy) * scale;
    box.width = surface->current.width * scale;
    box.height = surface->current.height * scale;
    float matrix[9];
    wlr_matrix_project_box(matrix, &box, wlr_output_transform_invert(surface->current.transform), 0,
                           out.output->transform_matrix);
    wlr_render_texture_with_matrix(server.renderer, texture, matrix, 1.0f);
    wlr_surface_send_frame_done(surface, &ctx->now);

    SampledSurface sampled;
    sampled.client_id = view.client_id;
    const ImportRecord* record = renderer_import_record(server, texture);
    if (record) {
        sampled.record = *record;
        sampled.zero_copy = is_zero_copy(record->path);
    }
    if (surface == view.xdg->surface) {
        // Each new buffer of the main surface is counted once per output,
        // by the first frame that shows it.
        uint64_t& shown = view.shown_serial[&out];
        if (view.commit_serial != 0 && shown != view.commit_serial) {
            shown = view.commit_serial;
            sampled.first_show = true;
            sampled.timeline_commit = view.timeline_commit;
        }
    }
    sampled.feedback = wlr_presentation_surface_sampled(server.presentation, surface);
    out.in_flight.push_back(std::move(sampled));
}

void render_frame(Output& out) {
    Server& server = *out.server;
    wlr_output* o = out.output;
    const int64_t cpu_begin = now_ns();
    if (!wlr_output_attach_render(o, nullptr))
        return;
    // The overlay shows the last second as of this frame.
    if (server.overlay_visible && server.timeline)
        fill_overlay_model(server.timeline->snapshot(cpu_begin - 1000000000), server.accounting,
                           server.facts.device, &server.overlay_model);
    wlr_renderer_begin(server.renderer, static_cast<uint32_t>(o->width),
                       static_cast<uint32_t>(o->height));
    // A dark slate background: distinct from black so a missing client (a
    // black buffer) and an empty screen are told apart in captures.
    const float background[4] = {0.10f, 0.12f, 0.16f, 1.0f};
    wlr_renderer_clear(server.renderer, background);

    // Feedback of the previous frame that never got a present event (the
    // backend dropped it) is discarded, as the protocol requires.
    discard_in_flight(out);
    RenderContext ctx{&out, nullptr, {}};
    clock_gettime(CLOCK_MONOTONIC, &ctx.now);
    for (auto& view : server.views) {
        if (!view->mapped)
            continue;
        ctx.view = view.get();
        wlr_xdg_surface_for_each_surface(view->xdg, render_surface, &ctx);
    }
    wlr_output_render_software_cursors(o, nullptr);
    out.frames_rendered++;
    wlr_renderer_end(server.renderer);
    uint64_t frame_id = 0;
    if (server.timeline) {
        OutputFrameRecord f;
        f.output_seq = out.frames_rendered;
        f.output_name = o->name;
        f.composite_cpu_begin_ns = cpu_begin;
        frame_id = server.timeline->add_frame(std::move(f));
        record_gpu_timing(server, frame_id);
    }
    record_overlay_cost(server, frame_id);
    // After end (the frame is finished in the output buffer) and before the
    // commit (the buffer is still bound): the one moment every renderer,
    // ours and pixman, can read the composed frame back.  After the overlay
    // cost too, so the capture knows this frame's overlay rectangle.
    if (!server.options.capture_dir.empty() &&
        (out.frames_rendered - 1) % server.options.capture_every == 0)
        capture_frame(out);
    out.timeline_frame = frame_id;
    if (!wlr_output_commit(o))
        discard_in_flight(out);
    if (server.timeline)
        server.timeline->set_frame_cpu_end(frame_id, now_ns());
}

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
    out->frame.connect(&o->events.frame, [raw](void*) { render_frame(*raw); });
    out->present.connect(&o->events.present, [raw](void* data) {
        present_in_flight(*raw, *static_cast<wlr_output_event_present*>(data));
    });
    out->destroy.connect(&o->events.destroy, [raw](void*) {
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
