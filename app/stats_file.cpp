// --stats-json: the statistics file.  It is rewritten once a second while
// the compositor runs, not only at exit, so a run that dies (a crash, a
// SIGKILL from a CI timeout) still leaves what it had counted until then.
// Every write goes to a temporary file that is renamed over the target: a
// reader, or a crash in the middle of a write, never sees half a document.
#include <cstdio>
#include <fstream>
#include <string>

#include "app/server.hpp"

namespace zcd::app {

struct StatsCheckpoint {
    Server* server = nullptr;
    wl_event_source* timer = nullptr;
    bool warned = false; // a failing checkpoint is reported once, not every second
};

namespace {

constexpr int kCheckpointMs = 1000;

bool write_atomically(const std::string& path, const std::string& text) {
    const std::string tmp = path + ".tmp";
    {
        std::ofstream f(tmp, std::ios::trunc);
        f << text;
        f.flush();
        if (!f)
            return false;
    }
    return std::rename(tmp.c_str(), path.c_str()) == 0;
}

int handle_tick(void* data) {
    auto* cp = static_cast<StatsCheckpoint*>(data);
    if (!write_stats(*cp->server, !cp->warned))
        cp->warned = true;
    wl_event_source_timer_update(cp->timer, kCheckpointMs);
    return 0;
}

} // namespace

bool write_stats(Server& server, bool report_failure) {
    // Captures the writer thread has finished since the last checkpoint.
    captures_collect(server);
    server.facts.duration_s = static_cast<double>(now_ns() - server.start_ns) / 1e9;
    server.facts.validation_errors = renderer_validation_errors(server);
    renderer_import_failures(server, &server.facts);
    if (write_atomically(server.options.stats_json, stats_json(server.accounting, server.facts)))
        return true;
    if (report_failure)
        std::fprintf(stderr, "zc-compositor: cannot write --stats-json file '%s'\n",
                     server.options.stats_json.c_str());
    return false;
}

void stats_checkpoint_start(Server& server) {
    if (server.options.stats_json.empty())
        return;
    auto* cp = new StatsCheckpoint{&server, nullptr, false};
    cp->timer = wl_event_loop_add_timer(server.loop, handle_tick, cp);
    wl_event_source_timer_update(cp->timer, kCheckpointMs);
    server.stats_checkpoint = cp;
}

void stats_checkpoint_stop(Server& server) {
    StatsCheckpoint* cp = server.stats_checkpoint;
    if (!cp)
        return;
    wl_event_source_remove(cp->timer);
    delete cp;
    server.stats_checkpoint = nullptr;
}

} // namespace zcd::app
