// xdg-shell toplevels become Views.  Each new buffer the main surface commits
// is classified here, at commit time, from the renderer's ImportRecord:
// wlroots imports the buffer (wlr_client_buffer_create) inside the commit,
// before this handler runs.
#include "app/server.hpp"

namespace zcd::app {

namespace {

void update_client_name(View& view) {
    wlr_xdg_toplevel* t = view.xdg->toplevel;
    const char* name = t->app_id && *t->app_id ? t->app_id : t->title;
    if (name && *name)
        view.server->accounting.set_client_name(view.client_id, name);
}

// The commit's timeline record.  wlroots gives no hook before it imports
// the buffer, so the commit time is the start of the import when the
// renderer timed it (the commit was being processed then), else now.
uint64_t record_commit(View& view, const ImportRecord* record) {
    Server& server = *view.server;
    wlr_surface* surface = view.xdg->surface;
    CommitRecord c;
    c.client_id = view.client_id;
    for (const ClientAccount& a : server.accounting.clients())
        if (a.id == view.client_id)
            c.client_name = a.name;
    c.commit_ns = now_ns();
    if (record) {
        if (record->import_begin_ns > 0 && record->import_begin_ns < c.commit_ns)
            c.commit_ns = record->import_begin_ns;
        c.import_begin_ns = record->import_begin_ns;
        c.import_end_ns = record->import_end_ns;
        c.path = record->path;
        c.reason = record->reason;
        c.bytes_copied = record->bytes_copied;
        c.bytes_zero_copy = record->bytes_zero_copy;
    }
    c.width = static_cast<uint32_t>(surface->current.buffer_width);
    c.height = static_cast<uint32_t>(surface->current.buffer_height);
    return server.timeline->add_commit(std::move(c));
}

void handle_commit(View& view) {
    Server& server = *view.server;
    wlr_surface* surface = view.xdg->surface;
    if ((surface->current.committed & WLR_SURFACE_STATE_BUFFER) && surface->buffer) {
        const ImportRecord* record = renderer_import_record(server, surface->buffer->texture);
        CommitClass c =
            server.accounting.on_buffer_committed(view.client_id, record, &view.last_generation);
        // A stale record means the import of this buffer failed and the old
        // one is still shown: it is not a new buffer on screen.
        if (c != CommitClass::Stale) {
            view.commit_serial++;
            view.record.reset();
            if (record)
                view.record = *record;
            if (server.timeline)
                view.timeline_commit = record_commit(view, record);
        }
    }
    if (view.mapped) {
        wlr_box geo{};
        wlr_xdg_surface_get_geometry(view.xdg, &geo);
        if (geo.width != view.laid_out_w || geo.height != view.laid_out_h)
            arrange_views(server);
    }
}

void handle_new_surface(Server& server, wlr_xdg_surface* xdg) {
    // Popups are drawn with their toplevel (wlr_xdg_surface_for_each_surface).
    if (xdg->role != WLR_XDG_SURFACE_ROLE_TOPLEVEL)
        return;
    auto view = std::make_unique<View>();
    View* v = view.get();
    v->server = &server;
    v->xdg = xdg;
    v->client_id = client_id_for(server, wl_resource_get_client(xdg->resource));
    v->map.connect(&xdg->events.map, [v](void*) {
        v->mapped = true;
        update_client_name(*v);
        arrange_views(*v->server);
        focus_view(*v->server, v);
    });
    v->unmap.connect(&xdg->events.unmap, [v](void*) {
        v->mapped = false;
        arrange_views(*v->server);
    });
    v->destroy.connect(&xdg->events.destroy, [v](void*) {
        Server& s = *v->server;
        s.views.remove_if([v](const std::unique_ptr<View>& p) { return p.get() == v; });
        arrange_views(s);
    });
    v->commit.connect(&xdg->surface->events.commit, [v](void*) { handle_commit(*v); });
    v->set_title.connect(&xdg->toplevel->events.set_title, [v](void*) { update_client_name(*v); });
    v->set_app_id.connect(&xdg->toplevel->events.set_app_id,
                          [v](void*) { update_client_name(*v); });
    server.views.push_back(std::move(view));
}

} // namespace

void xdg_shell_init(Server& server) {
    server.xdg_shell = wlr_xdg_shell_create(server.display);
    server.new_xdg_surface.connect(&server.xdg_shell->events.new_surface, [&server](void* data) {
        handle_new_surface(server, static_cast<wlr_xdg_surface*>(data));
    });
}

} // namespace zcd::app
