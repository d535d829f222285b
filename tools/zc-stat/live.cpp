#include "tools/zc-stat/live.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "tools/lib/stats_lines.hpp"

namespace zcd::tools {

namespace {

struct Fd {
    int fd = -1;
    ~Fd() {
        if (fd >= 0)
            close(fd);
    }
};

} // namespace

int run_live(const std::string& path, long count) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (path.size() >= sizeof addr.sun_path) {
        std::fprintf(stderr, "zc-stat: %s: socket path too long\n", path.c_str());
        return 2;
    }
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    Fd sock{socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)};
    if (sock.fd < 0 || connect(sock.fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        std::fprintf(
            stderr,
            "zc-stat: cannot connect to %s: %s (is zc-compositor running with --stats-socket?)\n",
            path.c_str(), std::strerror(errno));
        return 2;
    }
    const bool tty = isatty(STDOUT_FILENO);
    StatsLineReader reader;
    long shown = 0;
    char buf[65536];
    while (count <= 0 || shown < count) {
        ssize_t n = read(sock.fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            std::fprintf(stderr, "zc-stat: %s: read failed: %s\n", path.c_str(),
                         std::strerror(errno));
            return 2;
        }
        if (n == 0) {
            std::fprintf(stderr,
                         "zc-stat: %s: the compositor closed the connection after %ld lines\n",
                         path.c_str(), shown);
            return count > 0 ? 1 : 0;
        }
        auto got = reader.feed(std::string_view(buf, static_cast<size_t>(n)),
                               count > 0 ? static_cast<size_t>(count - shown) : 0);
        for (const std::string& text : got.texts) {
            if (tty)
                std::fputs("\x1b[H\x1b[2J", stdout);
            else if (shown > 0)
                std::fputs("---\n", stdout);
            std::fputs(text.c_str(), stdout);
            std::fflush(stdout);
            ++shown;
        }
        if (!got.error.empty()) {
            std::fprintf(stderr, "zc-stat: %s: %s\n", path.c_str(), got.error.c_str());
            return 2;
        }
    }
    return 0;
}

} // namespace zcd::tools
