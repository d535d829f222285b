// xdg-shell role rules that wlroots 0.15.1 (Debian 12) does not enforce and
// that crash it when a client breaks them: the compositor ends such a client
// with the protocol error xdg-shell names, before wlroots' handler for the
// offending request runs.  tests/hostile has a client for each.
//
//  - A wl_surface destroyed while its xdg_toplevel or xdg_popup lives: wlroots
//    leaves the role object inert (its user data NULL) and its set_title,
//    set_app_id, set_min_size, set_maximized and set_parent handlers then
//    dereference NULL.  xdg-shell's rule: "Surface was destroyed before its
//    role object" is xdg_surface.error.defunct_role_object (wayland 1.22
//    later gave wl_surface its own code for the same rule; Debian's 1.21 has
//    none).  Ending the client at the destroy means no request can ever reach
//    an inert toplevel.
//  - xdg_surface.get_popup whose parent is the popup's own xdg_surface (or a
//    popup below it): wlroots links the popup into its own parent list, and
//    destroying it recurses without end.  That parent is
//    xdg_wm_base.error.invalid_popup_parent.
//
// Both checks run from the compositor's request hook (request_hooks.cpp).
// Why a protocol logger: libwayland 1.21 has no request filter.  Resource
// hooks come too early (wl_client_add_resource_created_listener fires inside
// wl_resource_create, and wlroots' wl_resource_set_implementation then
// replaces any dispatcher we set), wlroots' own signals too late (new_surface
// comes at the first commit, after the popup is linked), and
// wl_display_set_global_filter only sees binds.  The protocol logger is
// called for every request after its arguments are resolved and before it
// is dispatched (wl_client_connection_data: log_closure, then
// wl_closure_invoke), and a posted error makes libwayland destroy the client
// right after that request, without reading another.  The request itself is
// still dispatched, so it must be harmless by then: a surface destroy is
// (the client's role objects die with it an instant later), and the popup's
// parent argument -- the logger is handed the closure's own argument array
// -- is cleared, so wlroots creates an unparented popup.
#include "app/server.hpp"

namespace zcd::app {

// wl_surface.destroy while an xdg role object of the surface is alive.
void role_rules_surface_destroy(wl_resource* surface_resource) {
    wlr_surface* surface = wlr_surface_from_resource(surface_resource);
    if (!surface || !wlr_surface_is_xdg_surface(surface))
        return;
    wlr_xdg_surface* xdg = wlr_xdg_surface_from_wlr_surface(surface); // may be null
    if (!xdg || xdg->role == WLR_XDG_SURFACE_ROLE_NONE)
        return;
    const char* role = xdg->role == WLR_XDG_SURFACE_ROLE_TOPLEVEL ? "xdg_toplevel" : "xdg_popup";
    wlr_log(WLR_INFO, "zc-compositor: client destroyed wl_surface@%u before its %s; ending it",
            wl_resource_get_id(surface_resource), role);
    wl_resource_post_error(xdg->resource, XDG_SURFACE_ERROR_DEFUNCT_ROLE_OBJECT,
                           "wl_surface@%u destroyed before its %s",
                           wl_resource_get_id(surface_resource), role);
}

namespace {

// True when `parent` is `popup_surface` or has it among its popup ancestors.
bool parent_chain_contains(wlr_xdg_surface* parent, wlr_xdg_surface* popup_surface) {
    // Bounded: the chain being checked may already be a cycle.
    for (int depth = 0; parent && depth < 4096; ++depth) {
        if (parent == popup_surface)
            return true;
        if (parent->role != WLR_XDG_SURFACE_ROLE_POPUP || !parent->popup ||
            !parent->popup->parent || !wlr_surface_is_xdg_surface(parent->popup->parent))
            return false;
        parent = wlr_xdg_surface_from_wlr_surface(parent->popup->parent);
    }
    return parent != nullptr;
}

} // namespace

// xdg_surface.get_popup(id, parent, positioner) making a popup its own
// ancestor.
void role_rules_get_popup(const wl_protocol_logger_message* m) {
    if (m->arguments_count < 2 || !m->arguments[1].o)
        return; // no parent yet: legal, set later by another protocol
    // Object arguments are the resources themselves (wl_resource begins
    // with its wl_object).
    auto* parent_resource = reinterpret_cast<wl_resource*>(m->arguments[1].o);
    wlr_xdg_surface* surface = wlr_xdg_surface_from_resource(m->resource); // may be null
    wlr_xdg_surface* parent = wlr_xdg_surface_from_resource(parent_resource); // may be null
    if (!surface || !parent_chain_contains(parent, surface))
        return;
    wlr_log(WLR_INFO, "zc-compositor: client made xdg_surface@%u a popup of itself; ending it",
            wl_resource_get_id(m->resource));
    wl_resource* wm_base = surface->client ? surface->client->resource : m->resource;
    wl_resource_post_error(wm_base, XDG_WM_BASE_ERROR_INVALID_POPUP_PARENT,
                           "xdg_surface@%u cannot be a parent of its own popup",
                           wl_resource_get_id(parent_resource));
    // The request is dispatched after this returns; without a parent
    // wlroots links nothing, so destroying the popup with the client is safe.
    const_cast<wl_argument*>(m->arguments)[1].o = nullptr;
}

} // namespace zcd::app
