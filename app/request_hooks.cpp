// The compositor's look at client requests before libwayland dispatches them.
//
// libwayland 1.21 has no request filter; a protocol logger, called for every
// request with its arguments resolved and before it is dispatched, is the
// one hook (role_rules.cpp says why nothing else works).  One logger for
// every rule of the compositor costs each request one call and one class
// lookup, and this file is the list of the requests it intercepts.  (The
// renderer watches wl_shm.create_pool with a logger of its own,
// renderer/shm_pool_seals.cpp: it is a library apart from app/.)
#include <cstring>

#include "app/server.hpp"

namespace zcd::app {

namespace {

bool named(const char* a, const char* b) {
    return std::strcmp(a, b) == 0;
}

void on_request(void* data, wl_protocol_logger_type type, const wl_protocol_logger_message* m) {
    if (type != WL_PROTOCOL_LOGGER_REQUEST)
        return;
    auto& server = *static_cast<Server*>(data);
    const char* interface = wl_resource_get_class(m->resource);
    const char* request = m->message->name;
    if (named(interface, "wl_surface")) {
        if (named(request, "commit"))
            huge_commits_surface_commit(server, m->resource);
        else if (named(request, "destroy"))
            role_rules_surface_destroy(m->resource);
    } else if (named(interface, "xdg_surface") && named(request, "get_popup")) {
        role_rules_get_popup(m);
    }
}

} // namespace

void request_hooks_init(Server& server) {
    server.request_logger = wl_display_add_protocol_logger(server.display, on_request, &server);
}

} // namespace zcd::app
