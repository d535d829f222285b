// `zc-compositor -- CMD ARGS`: the client runs with WAYLAND_DISPLAY set to our
// socket.  Children are reaped from the event loop (SIGCHLD via signalfd);
// with --exit-with-client the compositor ends with the client's status.
// A command that cannot be executed at all ends the run at once, with or
// without --exit-with-client: a session whose client never existed is no
// result, and exit 0 would let CI pass it.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include "app/server.hpp"

namespace zcd::app {

namespace {

int handle_sigchld(int, void* data) {
    auto& server = *static_cast<Server*>(data);
    int status = 0;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
        if (pid != server.child)
            continue;
        server.child = -1;
        int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        wlr_log(WLR_INFO, "zc-compositor: client exited with status %d", code);
        if (server.options.exit_with_client)
            stop_server(server, code);
    }
    return 0;
}

} // namespace

bool watch_children(Server& server) {
    wl_event_source* s = wl_event_loop_add_signal(server.loop, SIGCHLD, handle_sigchld, &server);
    if (s)
        server.loop_sources.push_back(s);
    return s != nullptr;
}

bool spawn_client(Server& server, int* failure_code) {
    const std::vector<std::string>& cmd = server.options.command;
    // The child reports a failed exec through this pipe; a successful exec
    // closes it (O_CLOEXEC), so the parent reads 0 bytes.
    int report[2];
    if (pipe2(report, O_CLOEXEC) != 0) {
        std::fprintf(stderr, "zc-compositor: pipe: %s\n", std::strerror(errno));
        *failure_code = 1;
        return false;
    }
    pid_t pid = fork();
    if (pid < 0) {
        std::fprintf(stderr, "zc-compositor: fork: %s\n", std::strerror(errno));
        close(report[0]);
        close(report[1]);
        *failure_code = 1;
        return false;
    }
    if (pid == 0) {
        // The event loop blocked SIGCHLD etc. for its signalfd; a fresh
        // process must not inherit that mask.
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, nullptr);
        close(report[0]);
        setenv("WAYLAND_DISPLAY", server.socket.c_str(), 1);
        std::vector<char*> argv;
        for (const std::string& a : cmd)
            argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        execvp(argv[0], argv.data());
        const int err = errno;
        [[maybe_unused]] ssize_t n = write(report[1], &err, sizeof err);
        _exit(127);
    }
    close(report[1]);
    int err = 0;
    ssize_t n;
    do
        n = read(report[0], &err, sizeof err);
    while (n < 0 && errno == EINTR);
    close(report[0]);
    if (n == static_cast<ssize_t>(sizeof err)) {
        waitpid(pid, nullptr, 0);
        // 127 "not found", 126 "found but not executable": what a shell says.
        *failure_code = err == ENOENT ? 127 : 126;
        std::fprintf(stderr,
                     "zc-compositor: cannot run the client '%s': %s; check the command after "
                     "--\n",
                     cmd[0].c_str(), std::strerror(err));
        return false;
    }
    server.child = pid;
    return true;
}

} // namespace zcd::app
