// Buffer accounting per wl_surface.  A client's content is not only its
// toplevel's main surface: subsurfaces (video players, GTK4) and popups carry
// buffers too, and each buffer commit of any of them is classified from the
// renderer's ImportRecord and counted for that client.  wlroots imports the
// buffer (wlr_client_buffer_create) inside the commit, before our commit
// listener runs, so the record is the commit's.
#include "app/server.hpp"

namespace zcd::app {

namespace {

// The commit's timeline record.  wlroots gives no hook before it imports
// the buffer, so the commit time is the start of the import when the
// renderer timed it (the commit was being processed then), else now.
uint64_t record_commit(TrackedSurface& ts, const ImportRecord* record, bool reattached) {
    Server& server = *ts.server;
    CommitRecord c;
    c.client_id = ts.client_id;
    for (const ClientAccount& a : server.accounting.clients())
        if (a.id == ts.client_id)
            c.client_name = a.name;
    c.commit_ns = now_ns();
    if (record) {
        // A re-attached buffer was imported earlier: that import's times and
        // bytes belong to its first commit, not to this one.
        if (!reattached) {
            if (record->import_begin_ns > 0 && record->import_begin_ns < c.commit_ns)
                c.commit_ns = record->import_begin_ns;
            c.import_begin_ns = record->import_begin_ns;
            c.import_end_ns = record->import_end_ns;
            c.bytes_copied = record->bytes_copied;
            c.bytes_zero_copy = record->bytes_zero_copy;
        }
        c.path = record->path;
        c.reason = record->reason;
    }
    c.width = static_cast<uint32_t>(ts.surface->current.buffer_width);
    c.height = static_cast<uint32_t>(ts.surface->current.buffer_height);
    return server.timeline->add_commit(std::move(c));
}

// The surface's current buffer was committed: count it.
void count_buffer_commit(TrackedSurface& ts) {
    Server& server = *ts.server;
    wlr_surface* surface = ts.surface;
    const ImportRecord* record = renderer_import_record(server, surface->buffer->texture);
    CommitClass c =
        server.accounting.on_buffer_committed(ts.client_id, record, &ts.last_generation);
    // Every buffer commit is shown: a re-attached buffer updates the screen
    // like a new one.
    ts.commit_serial++;
    if (server.timeline)
        ts.timeline_commit = record_commit(ts, record, c == CommitClass::Reattached);
}

void handle_commit(TrackedSurface& ts) {
    if ((ts.surface->current.committed & WLR_SURFACE_STATE_BUFFER) && ts.surface->buffer)
        count_buffer_commit(ts);
}

} // namespace

TrackedSurface* tracked_surface(Server& server, wlr_surface* surface) {
    auto it = server.surfaces.find(surface);
    return it == server.surfaces.end() ? nullptr : it->second.get();
}

void track_surface(Server& server, wlr_surface* surface, uint32_t client_id) {
    if (tracked_surface(server, surface))
        return;
    auto ts = std::make_unique<TrackedSurface>();
    TrackedSurface* raw = ts.get();
    raw->server = &server;
    raw->surface = surface;
    raw->client_id = client_id;
    raw->commit.connect(&surface->events.commit, [raw](void*) { handle_commit(*raw); });
    raw->new_subsurface.connect(&surface->events.new_subsurface, [raw](void* data) {
        auto* sub = static_cast<wlr_subsurface*>(data);
        track_surface(*raw->server, sub->surface, raw->client_id);
    });
    raw->destroy.connect(&surface->events.destroy, [raw](void*) {
        // Erasing destroys the listeners, this one included: nothing after.
        raw->server->surfaces.erase(raw->surface);
    });
    server.surfaces.emplace(surface, std::move(ts));
    // wlroots 0.15 announces a subsurface (new_subsurface) at its parent's
    // next commit, after a desynchronised subsurface may already have
    // committed a buffer: that commit happened, count it now.
    if (surface->buffer)
        count_buffer_commit(*raw);
    // Subsurfaces created before the role (before get_xdg_surface) exist
    // already; both lists hold every child in pending order.
    wlr_subsurface* sub;
    wl_list_for_each(sub, &surface->pending.subsurfaces_below, pending.link)
        track_surface(server, sub->surface, client_id);
    wl_list_for_each(sub, &surface->pending.subsurfaces_above, pending.link)
        track_surface(server, sub->surface, client_id);
}

} // namespace zcd::app
