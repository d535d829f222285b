// Placing and focusing views.  The placement itself is the pure shelf packer
// in layout.cpp (unit-tested for "no overlap"); this file feeds it the window
// geometries and applies the result.
#include <algorithm>

#include "app/layout.hpp"
#include "app/server.hpp"

namespace zcd::app {

namespace {
constexpr int32_t kGap = 8;
} // namespace

void arrange_views(Server& server) {
    // Windows are placed in logical coordinates (output pixels / scale).
    Rect area{0, 0, server.options.width / server.options.scale,
              server.options.height / server.options.scale};
    if (!server.outputs.empty()) {
        wlr_output* o = server.outputs.front()->output;
        wlr_output_effective_resolution(o, &area.width, &area.height);
    }
    // While the overlay is shown, windows keep out of a strip on the right
    // that is wide enough for it: it never has to cover one.
    if (server.overlay_visible)
        area.width = std::max(1, area.width - (kOverlayPanelWidth + kGap) / server.options.scale);
    std::vector<View*> mapped;
    std::vector<Rect> sizes;
    for (auto& v : server.views) {
        if (!v->mapped)
            continue;
        wlr_box geo{};
        wlr_xdg_surface_get_geometry(v->xdg, &geo);
        mapped.push_back(v.get());
        sizes.push_back(Rect{0, 0, geo.width, geo.height});
    }
    std::vector<Rect> placed = layout_shelves(sizes, area, kGap);
    for (size_t i = 0; i < mapped.size(); ++i) {
        View& v = *mapped[i];
        wlr_box geo{};
        wlr_xdg_surface_get_geometry(v.xdg, &geo);
        // The layout places the window geometry; the surface origin sits
        // geo.x/geo.y before it (client-side shadows and the like).
        v.x = placed[i].x - geo.x;
        v.y = placed[i].y - geo.y;
        v.laid_out_w = geo.width;
        v.laid_out_h = geo.height;
    }
}

bool place_overlay(Server& server, Output& out, int32_t height) {
    // Windows in output pixels (logical position x scale).
    const int scale = static_cast<int>(out.output->scale);
    double ox = 0, oy = 0;
    wlr_output_layout_output_coords(server.output_layout, out.output, &ox, &oy);
    std::vector<Rect>& windows = out.window_rects;
    windows.clear();
    for (auto& v : server.views) {
        if (!v->mapped)
            continue;
        wlr_box geo{};
        wlr_xdg_surface_get_geometry(v->xdg, &geo);
        windows.push_back(Rect{(static_cast<int>(ox) + v->x + geo.x) * scale,
                               (static_cast<int>(oy) + v->y + geo.y) * scale, geo.width * scale,
                               geo.height * scale});
    }
    Rect spot;
    const bool free = place_panel(Rect{0, 0, out.output->width, out.output->height},
                                  kOverlayPanelWidth, std::max(height, 1), windows, kGap, &spot);
    server.overlay_model.x = spot.x;
    server.overlay_model.y = spot.y;
    return free;
}

void focus_view(Server& server, View* view) {
    wlr_surface* previous = server.seat->keyboard_state.focused_surface; // may be null
    if (view && previous == view->xdg->surface)
        return;
    if (previous && wlr_surface_is_xdg_surface(previous)) {
        wlr_xdg_surface* prev = wlr_xdg_surface_from_wlr_surface(previous);
        if (prev && prev->role == WLR_XDG_SURFACE_ROLE_TOPLEVEL)
            wlr_xdg_toplevel_set_activated(prev, false);
    }
    if (!view)
        return;
    wlr_xdg_toplevel_set_activated(view->xdg, true);
    if (wlr_keyboard* kb = wlr_seat_get_keyboard(server.seat)) {
        wlr_seat_keyboard_notify_enter(server.seat, view->xdg->surface, kb->keycodes,
                                       kb->num_keycodes, &kb->modifiers);
    }
}

} // namespace zcd::app
