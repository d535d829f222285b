// xdg-shell toplevels become Views.  Their buffers, and those of their
// subsurfaces and popups, are counted per surface (surfaces.cpp).
#include "app/server.hpp"

namespace zcd::app {

namespace {

void update_client_name(View& view) {
    wlr_xdg_toplevel* t = view.xdg->toplevel;
    const char* name = t->app_id && *t->app_id ? t->app_id : t->title;
    if (name && *name)
        view.server->accounting.set_client_name(view.client_id, name);
}

void handle_commit(View& view) {
    Server& server = *view.server;
    if (view.mapped) {
        wlr_box geo{};
        wlr_xdg_surface_get_geometry(view.xdg, &geo);
        if (geo.width != view.laid_out_w || geo.height != view.laid_out_h)
            arrange_views(server);
    }
}

void handle_new_surface(Server& server, wlr_xdg_surface* xdg) {
    // Popups are drawn with their toplevel (wlr_xdg_surface_for_each_surface);
    // their buffers count for their client like any other.
    const uint32_t client_id = client_id_for(server, wl_resource_get_client(xdg->resource));
    track_surface(server, xdg->surface, client_id);
    if (xdg->role != WLR_XDG_SURFACE_ROLE_TOPLEVEL)
        return;
    auto view = std::make_unique<View>();
    View* v = view.get();
    v->server = &server;
    v->xdg = xdg;
    v->client_id = client_id;
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
