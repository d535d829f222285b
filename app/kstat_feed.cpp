// The kernel's interconnect counters for the overlay and stats.json:
//   --kstat PATH       the guest's own debugfs file, re-read once a second;
//   --host-kstat PATH  the host agent's snapshots, streamed over virtio-serial
//                      (a character device: read as it becomes readable,
//                      framed by KstatSnapshotFramer) or, for tests, a
//                      regular file re-read once a second.
// Both paths are treated alike: a path that is missing or unreadable at
// startup is one warning line on stderr, its row stays "not available" (and
// null in stats.json), and it is tried again every second -- debugfs may be
// mounted, the module loaded or the virtio-serial port created after the
// compositor starts, and counters are an observation of the run, never a
// reason to refuse it.  Malformed text is logged once.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "app/overlay_feed.hpp"
#include "app/server.hpp"
#include "common/kstat.hpp"

namespace zcd::app {

struct KstatFeed {
    Server* server = nullptr;
    wl_event_source* timer = nullptr;
    bool host_attached = false;             // host path found and, for a stream, opened
    bool host_is_file = false;              // re-read each tick; else a stream
    wl_event_source* host_stream = nullptr; // the stream's source, null once hung up
    int host_fd = -1;
    KstatSnapshotFramer framer;
    bool guest_error_logged = false, host_error_logged = false;
    bool guest_missing_warned = false, host_missing_warned = false;
};

namespace {

constexpr int kPeriodMs = 1000;

void apply(Server& server, bool host, const std::string& text, bool* error_logged) {
    InterconnectStats stats;
    std::string error;
    const std::string& path = host ? server.options.host_kstat : server.options.kstat;
    if (!parse_interconnect_stats(text, &stats, &error)) {
        if (!*error_logged)
            wlr_log(WLR_ERROR, "zc-compositor: %s: %s", path.c_str(), error.c_str());
        *error_logged = true;
        return;
    }
    OverlayInterconnect row = overlay_interconnect(stats, host ? "host agent" : "guest debugfs");
    (host ? server.overlay_model.host : server.overlay_model.guest) = row;
    KernelCounters& k = host ? server.facts.host_kernel : server.facts.guest_kernel;
    k.available = true;
    k.maps = row.interconnect_maps;
    k.fallbacks = row.fallbacks;
    k.rejected_ranges = row.rejected_ranges;
}

bool read_file(const std::string& path, std::string* out) {
    std::ifstream f(path);
    if (!f)
        return false;
    std::ostringstream ss;
    ss << f.rdbuf();
    *out = ss.str();
    return true;
}

// The warning a counter source that is not there (yet) gets, once.
void warn_unavailable_once(const char* flag, const std::string& path, int err, bool* warned) {
    if (*warned)
        return;
    *warned = true;
    std::fprintf(stderr,
                 "zc-compositor: %s: %s: %s; its counters stay \"not available\" until it can be "
                 "read (tried every second)\n",
                 flag, path.c_str(), std::strerror(err ? err : ENOENT));
}

int handle_host_readable(int fd, uint32_t mask, void* data);

// Finds --host-kstat: a regular file is re-read every tick, anything else
// (the virtio-serial port, a FIFO in tests) is opened and read as a stream.
void attach_host(KstatFeed& feed) {
    Server& server = *feed.server;
    const std::string& host = server.options.host_kstat;
    struct stat st {};
    if (stat(host.c_str(), &st) != 0) {
        warn_unavailable_once("--host-kstat", host, errno, &feed.host_missing_warned);
        return;
    }
    feed.host_is_file = S_ISREG(st.st_mode);
    if (!feed.host_is_file) {
        feed.host_fd = open(host.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        if (feed.host_fd < 0) {
            warn_unavailable_once("--host-kstat", host, errno, &feed.host_missing_warned);
            return;
        }
        feed.host_stream = wl_event_loop_add_fd(server.loop, feed.host_fd, WL_EVENT_READABLE,
                                                handle_host_readable, &feed);
    }
    feed.host_attached = true;
    if (feed.host_missing_warned)
        wlr_log(WLR_INFO, "zc-compositor: --host-kstat: %s appeared", host.c_str());
}

int handle_tick(void* data) {
    auto* feed = static_cast<KstatFeed*>(data);
    Server& server = *feed->server;
    std::string text;
    if (!server.options.kstat.empty()) {
        if (read_file(server.options.kstat, &text))
            apply(server, false, text, &feed->guest_error_logged);
        else
            warn_unavailable_once("--kstat", server.options.kstat, errno,
                                  &feed->guest_missing_warned);
    }
    if (!server.options.host_kstat.empty() && !feed->host_attached)
        attach_host(*feed);
    // Only a regular file: a hung-up stream is a character device, which a
    // blocking read would hang the event loop on.
    if (feed->host_attached && feed->host_is_file && read_file(server.options.host_kstat, &text))
        apply(server, true, text, &feed->host_error_logged);
    wl_event_source_timer_update(feed->timer, kPeriodMs);
    return 0;
}

int handle_host_readable(int fd, uint32_t mask, void* data) {
    auto* feed = static_cast<KstatFeed*>(data);
    char buf[4096];
    ssize_t n = read(fd, buf, sizeof buf);
    if (n > 0) {
        std::vector<std::string> snapshots = feed->framer.feed(std::string_view(buf, size_t(n)));
        if (!snapshots.empty())
            apply(*feed->server, true, snapshots.back(), &feed->host_error_logged);
    } else if ((n == 0 || (errno != EAGAIN && errno != EINTR)) && (mask & WL_EVENT_HANGUP)) {
        // The agent side went away; keep the last counters, stop polling a
        // hung-up port (it would wake us forever).
        wl_event_source_remove(feed->host_stream);
        feed->host_stream = nullptr;
        close(feed->host_fd);
        feed->host_fd = -1;
    }
    return 0;
}

} // namespace

bool kstat_feed_start(Server& server) {
    if (server.options.kstat.empty() && server.options.host_kstat.empty())
        return true;
    auto* feed = new KstatFeed{};
    feed->server = &server;
    feed->timer = wl_event_loop_add_timer(server.loop, handle_tick, feed);
    handle_tick(feed); // first reading (or warning) now, then once a second
    server.kstat_feed = feed;
    return true;
}

void kstat_feed_stop(Server& server) {
    KstatFeed* feed = server.kstat_feed;
    if (!feed)
        return;
    if (feed->host_stream)
        wl_event_source_remove(feed->host_stream);
    if (feed->host_fd >= 0)
        close(feed->host_fd);
    wl_event_source_remove(feed->timer);
    delete feed;
    server.kstat_feed = nullptr;
}

} // namespace zcd::app
