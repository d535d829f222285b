// `zc-compositor -- CMD ARGS`: the client runs with WAYLAND_DISPLAY set to our
// socket.  Children are reaped from the event loop (SIGCHLD via signalfd);
// with --exit-with-client the compositor ends with the client's status.
#include <signal.h>
#include <sys/wait.h>

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
    return wl_event_loop_add_signal(server.loop, SIGCHLD, handle_sigchld, &server) != nullptr;
}

bool spawn_client(Server& server) {
    const std::vector<std::string>& cmd = server.options.command;
    pid_t pid = fork();
    if (pid < 0) {
        std::fprintf(stderr, "zc-compositor: fork: %s\n", std::strerror(errno));
        return false;
    }
    if (pid == 0) {
        // The event loop blocked SIGCHLD etc. for its signalfd; a fresh
        // process must not inherit that mask.
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, nullptr);
        setenv("WAYLAND_DISPLAY", server.socket.c_str(), 1);
        std::vector<char*> argv;
        for (const std::string& a : cmd)
            argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        execvp(argv[0], argv.data());
        std::fprintf(stderr, "zc-compositor: cannot run '%s': %s\n", argv[0], std::strerror(errno));
        _exit(127);
    }
    server.child = pid;
    return true;
}

} // namespace zcd::app
