// Client identity for accounting: a stable id per connection (from 1) and a
// name -- the toplevel's app_id or title once known, the process name before.
#include <fstream>

#include "app/server.hpp"

namespace zcd::app {

std::string client_default_name(wl_client* client) {
    pid_t pid = 0;
    uid_t uid = 0;
    gid_t gid = 0;
    wl_client_get_credentials(client, &pid, &uid, &gid);
    std::ifstream comm("/proc/" + std::to_string(pid) + "/comm");
    std::string name;
    if (comm && std::getline(comm, name) && !name.empty())
        return name;
    return "pid-" + std::to_string(pid);
}

uint32_t client_id_for(Server& server, wl_client* client) {
    auto it = server.clients.find(client);
    if (it != server.clients.end())
        return it->second->id;
    auto entry = std::make_unique<ClientEntry>();
    entry->id = server.accounting.add_client(client_default_name(client));
    uint32_t id = entry->id;
    Server* s = &server;
    wl_client_add_destroy_listener(client, entry->destroy.raw([s, client, id](void*) {
        s->accounting.set_client_disconnected(id);
        s->clients.erase(client);
    }));
    server.clients.emplace(client, std::move(entry));
    return id;
}

} // namespace zcd::app
