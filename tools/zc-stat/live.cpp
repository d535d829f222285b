#include "tools/zc-stat/live.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/trace_json.hpp"
#include "tools/lib/summary_text.hpp"

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
    std::string pending;
    long shown = 0, line_no = 0;
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
        pending.append(buf, static_cast<size_t>(n));
        size_t nl;
        while ((nl = pending.find('\n')) != std::string::npos && (count <= 0 || shown < count)) {
            std::string line = pending.substr(0, nl);
            pending.erase(0, nl + 1);
            ++line_no;
            if (line.empty())
                continue;
            auto parsed = json::parse(line);
            if (!parsed.value) {
                std::fprintf(stderr, "zc-stat: %s: line %ld: invalid JSON at %s\n", path.c_str(),
                             line_no, parsed.error.c_str());
                return 2;
            }
            const json::Value* type = parsed.value->get("type");
            if (!type || !type->is_string() || type->string != "stats")
                continue; // other line types are for other readers
            const json::Value* version = parsed.value->get("version");
            if (!version || !version->integer || *version->integer != 1) {
                std::fprintf(stderr, "zc-stat: %s: line %ld: unsupported stats version\n",
                             path.c_str(), line_no);
                return 2;
            }
            std::string text = format_summary_text(*parsed.value);
            if (tty)
                std::fputs("\x1b[H\x1b[2J", stdout);
            else if (shown > 0)
                std::fputs("---\n", stdout);
            std::fputs(text.c_str(), stdout);
            std::fflush(stdout);
            ++shown;
        }
        if (pending.size() > (1u << 24)) {
            std::fprintf(stderr, "zc-stat: %s: line %ld longer than 16 MiB\n", path.c_str(),
                         line_no + 1);
            return 2;
        }
    }
    return 0;
}

} // namespace zcd::tools
