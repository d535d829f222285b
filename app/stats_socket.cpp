// Live stats (docs/stats-socket.md): a Unix stream socket; once a second
// every connected reader gets one JSON line summarising the last second of
// the timeline.  Readers never slow the compositor down: sends never block,
// a reader whose buffer is full misses that line, a closed one is dropped.
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include "app/server.hpp"
#include "common/stats_summary.hpp"
#include "common/trace_export.hpp"

namespace zcd::app {

struct StatsSocket {
    int listen_fd = -1;
    std::string path;
    std::vector<int> readers;
    wl_event_source* accept_source = nullptr;
    wl_event_source* timer = nullptr;
};

namespace {

constexpr int kPeriodMs = 1000;
// Readers served at once (docs/stats-socket.md).  Each costs an fd and a
// send per second; without a cap any local process could exhaust the
// compositor's fds (and with them client connections) by opening readers.
constexpr size_t kMaxReaders = 16;

int handle_accept(int fd, uint32_t, void* data) {
    auto* sock = static_cast<StatsSocket*>(data);
    int reader = accept4(fd, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (reader < 0)
        return 0;
    if (sock->readers.size() >= kMaxReaders) {
        // Accepted and closed at once rather than left in the backlog: the
        // reader sees end-of-file instead of waiting forever.
        close(reader);
        wlr_log(WLR_ERROR, "zc-compositor: --stats-socket: %zu readers connected already, "
                "closed one more", kMaxReaders);
        return 0;
    }
    sock->readers.push_back(reader);
    return 0;
}

int handle_tick(void* data) {
    auto& server = *static_cast<Server*>(data);
    StatsSocket* sock = server.stats_socket;
    if (!sock->readers.empty() && server.timeline) {
        const int64_t now = now_ns();
        const double window_s = kPeriodMs / 1000.0;
        Timeline window = server.timeline->snapshot(now - kPeriodMs * int64_t{1000000});
        std::string line = to_stats_line(summarize(window), now, window_s);
        std::vector<int> kept;
        for (int fd : sock->readers) {
            ssize_t n = send(fd, line.data(), line.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
            if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
                close(fd);
                continue;
            }
            kept.push_back(fd);
        }
        sock->readers.swap(kept);
    }
    wl_event_source_timer_update(sock->timer, kPeriodMs);
    return 0;
}

// Makes PATH free for bind() without destroying anything of the user's: only
// a socket nobody listens on (left by a run that was killed) is removed.
// Anything else at PATH -- a file, a directory, a live socket of another
// run -- is one line on stderr and false, and stays as it was.
bool claim_socket_path(const std::string& path, const sockaddr_un& addr) {
    struct stat st {};
    if (lstat(path.c_str(), &st) != 0) {
        if (errno == ENOENT)
            return true;
        std::fprintf(stderr, "zc-compositor: --stats-socket: cannot check %s: %s\n", path.c_str(),
                     std::strerror(errno));
        return false;
    }
    if (!S_ISSOCK(st.st_mode)) {
        std::fprintf(stderr,
                     "zc-compositor: --stats-socket: %s exists and is not a socket; left as it "
                     "is: remove it or choose another path\n",
                     path.c_str());
        return false;
    }
    int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (probe < 0) {
        std::fprintf(stderr, "zc-compositor: --stats-socket: socket: %s\n", std::strerror(errno));
        return false;
    }
    const int rc = connect(probe, reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
    const int err = errno;
    close(probe);
    if (rc == 0) {
        std::fprintf(stderr,
                     "zc-compositor: --stats-socket: %s is in use by a running process (another "
                     "zc-compositor?); stop it or choose another path\n",
                     path.c_str());
        return false;
    }
    if (err != ECONNREFUSED) {
        std::fprintf(stderr,
                     "zc-compositor: --stats-socket: %s is a socket that cannot be checked (%s); "
                     "left as it is: remove it or choose another path\n",
                     path.c_str(), std::strerror(err));
        return false;
    }
    unlink(path.c_str()); // stale: its listener is gone
    return true;
}

} // namespace

bool stats_socket_start(Server& server) {
    const std::string& path = server.options.stats_socket;
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (path.size() >= sizeof addr.sun_path) {
        std::fprintf(stderr, "zc-compositor: --stats-socket: path too long: %s\n", path.c_str());
        return false;
    }
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    if (!claim_socket_path(path, addr))
        return false;
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        listen(fd, 8) != 0) {
        std::fprintf(stderr, "zc-compositor: --stats-socket: cannot listen on %s: %s\n",
                     path.c_str(), std::strerror(errno));
        if (fd >= 0)
            close(fd);
        return false;
    }
    auto* sock = new StatsSocket{};
    sock->listen_fd = fd;
    sock->path = path;
    sock->accept_source =
        wl_event_loop_add_fd(server.loop, fd, WL_EVENT_READABLE, handle_accept, sock);
    sock->timer = wl_event_loop_add_timer(server.loop, handle_tick, &server);
    wl_event_source_timer_update(sock->timer, kPeriodMs);
    server.stats_socket = sock;
    return true;
}

void stats_socket_stop(Server& server) {
    StatsSocket* sock = server.stats_socket;
    if (!sock)
        return;
    wl_event_source_remove(sock->accept_source);
    wl_event_source_remove(sock->timer);
    for (int fd : sock->readers)
        close(fd);
    close(sock->listen_fd);
    unlink(sock->path.c_str());
    delete sock;
    server.stats_socket = nullptr;
}

} // namespace zcd::app
