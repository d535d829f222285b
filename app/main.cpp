// zc-compositor: wiring.  Parse options, build the wlroots objects in the
// order their dependencies require (display, backend, renderer, allocator,
// protocols, outputs), run the event loop until a limit, a signal or the
// client ends the run, then write the statistics.  tinywl is the map.
#include <pthread.h>
#include <signal.h>
#include <time.h>

#include <cmath>
#include <cstdio>

#include "app/server.hpp"
#include "renderer/renderer.hpp"
#include "common/trace_export.hpp"

namespace zcd::app {

int64_t now_ns() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
}

void stop_server(Server& server, int exit_code) {
    if (server.stopping)
        return;
    server.stopping = true;
    server.exit_code = exit_code;
    wl_display_terminate(server.display);
}

namespace {

int handle_stop_signal(int signal, void* data) {
    auto& server = *static_cast<Server*>(data);
    wlr_log(WLR_INFO, "zc-compositor: signal %d, stopping", signal);
    stop_server(server, 0);
    return 0;
}

int handle_duration(void* data) {
    auto& server = *static_cast<Server*>(data);
    stop_server(server, server.exit_code);
    return 0;
}

// --trace / --csv / --summary through the shared exporters
// (common/trace_export.hpp, formats in docs/trace-format.md).
bool write_timeline_exports(Server& server) {
    if (!server.timeline)
        return true;
    Timeline t = server.timeline->snapshot();
    bool ok = true;
    std::string error;
    if (!server.options.trace.empty() && !export_chrome_trace(t, server.options.trace, &error)) {
        std::fprintf(stderr, "zc-compositor: --trace: %s\n", error.c_str());
        ok = false;
    }
    if (!server.options.csv.empty() && !export_csv(t, server.options.csv, &error)) {
        std::fprintf(stderr, "zc-compositor: --csv: %s\n", error.c_str());
        ok = false;
    }
    if (!server.options.summary.empty() && !export_summary(t, server.options.summary, &error)) {
        std::fprintf(stderr, "zc-compositor: --summary: %s\n", error.c_str());
        ok = false;
    }
    return ok;
}

// Everything between the display and the event loop; false after printing
// one line on stderr.
bool build_server(Server& server) {
    server.display = wl_display_create();
    server.loop = wl_display_get_event_loop(server.display);
    if (!create_backend(server) || !create_renderer(server))
        return false;
    if (!wlr_renderer_init_wl_shm(server.renderer, server.display)) {
        std::fprintf(stderr, "zc-compositor: cannot initialise wl_shm\n");
        return false;
    }
    // Lets the renderer host-import only pools sealed against shrinking.
    zcd::render::watch_shm_pools(server.renderer, server.display);
    // Huge shm copies (1 GiB) run off the main loop: no output stalls.
    huge_commits_init(server);
    // linux-dmabuf v4 with the default feedback wlroots derives from the
    // renderer's DRM fd and its dmabuf texture formats -- so clients are
    // offered exactly what our renderer can import.
    if (wlr_renderer_get_dmabuf_texture_formats(server.renderer) &&
        wlr_renderer_get_drm_fd(server.renderer) >= 0) {
        server.linux_dmabuf = wlr_linux_dmabuf_v1_create(server.display, server.renderer);
    }
    if (!server.linux_dmabuf)
        wlr_log(WLR_INFO, "zc-compositor: linux-dmabuf not offered (renderer has no DRM fd)");
    // Guest dma-bufs the display imports on virtio-gpu KMS, else wlroots'.
    if (!create_output_allocator(server))
        return false;
    server.compositor = wlr_compositor_create(server.display, server.renderer);
    wlr_data_device_manager_create(server.display);
    server.output_layout = wlr_output_layout_create();
    wlr_xdg_output_manager_v1_create(server.display, server.output_layout);
    server.presentation = wlr_presentation_create(server.display, server.backend);
    seat_init(server);
    xdg_shell_init(server);
    request_hooks_init(server);
    outputs_init(server);

    const char* socket = nullptr;
    if (!server.options.socket.empty()) {
        if (wl_display_add_socket(server.display, server.options.socket.c_str()) == 0)
            socket = server.options.socket.c_str();
    } else {
        socket = wl_display_add_socket_auto(server.display);
    }
    if (!socket) {
        std::fprintf(stderr,
                     "zc-compositor: cannot create Wayland socket%s%s (XDG_RUNTIME_DIR set? "
                     "name in use?)\n",
                     server.options.socket.empty() ? "" : " ", server.options.socket.c_str());
        return false;
    }
    server.socket = socket;

    for (int sig : {SIGINT, SIGTERM})
        server.loop_sources.push_back(
            wl_event_loop_add_signal(server.loop, sig, handle_stop_signal, &server));
    if (!watch_children(server)) {
        std::fprintf(stderr, "zc-compositor: cannot watch SIGCHLD\n");
        return false;
    }
    if (!wlr_backend_start(server.backend)) {
        std::fprintf(stderr, "zc-compositor: cannot start the %s backend\n",
                     server.facts.backend.c_str());
        return false;
    }
    return true;
}

int run(int argc, char** argv) {
    ParseResult parsed = parse_options(std::vector<std::string>(argv + 1, argv + argc));
    if (parsed.help) {
        std::fputs(usage_text(), stdout);
        return 0;
    }
    if (!parsed.error.empty()) {
        std::fprintf(stderr, "zc-compositor: %s\n", parsed.error.c_str());
        return 2;
    }
    // The event loop receives these through signalfd, which only works when
    // every thread blocks them.  The Vulkan driver (lavapipe) starts threads
    // of its own, so block them here, before anything can create a thread;
    // new threads inherit the mask.  spawn.cpp unblocks them for the client.
    sigset_t loop_signals;
    sigemptyset(&loop_signals);
    sigaddset(&loop_signals, SIGCHLD);
    sigaddset(&loop_signals, SIGINT);
    sigaddset(&loop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &loop_signals, nullptr);

    Server server;
    server.options = parsed.options;
    wlr_log_init(server.options.verbose ? WLR_DEBUG : WLR_ERROR, nullptr);
    // Checked before anything starts: a run whose captures cannot be
    // written would otherwise look like a passing run with no captures.
    if (!server.options.capture_dir.empty() && !prepare_capture_dir(server.options.capture_dir))
        return 1;

    // Exports need the whole run; live stats only the last seconds.
    if (!server.options.trace.empty() || !server.options.csv.empty() ||
        !server.options.summary.empty())
        server.timeline = std::make_unique<TimelineRecorder>();
    else if (!server.options.stats_socket.empty() || server.options.overlay)
        server.timeline = std::make_unique<TimelineRecorder>(int64_t{5} * 1000000000);

    if (!build_server(server))
        return 1;
    if (!server.options.stats_socket.empty() && !stats_socket_start(server))
        return 1;
    if (!kstat_feed_start(server))
        return 1;
    if (server.options.overlay && !renderer_set_overlay(server, true)) {
        std::fprintf(stderr, "zc-compositor: --overlay needs the Vulkan renderer\n");
        return 1;
    }
    server.start_ns = now_ns();
    stats_checkpoint_start(server);
    setenv("WAYLAND_DISPLAY", server.socket.c_str(), 1);
    // The readiness line harnesses wait for: the socket accepts clients now.
    std::printf("zc-compositor: ready on WAYLAND_DISPLAY=%s (backend %s, renderer %s)\n",
                server.socket.c_str(), server.facts.backend.c_str(), server.facts.renderer.c_str());
    std::fflush(stdout);

    if (server.options.duration_s > 0) {
        wl_event_source* timer = wl_event_loop_add_timer(server.loop, handle_duration, &server);
        server.loop_sources.push_back(timer);
        wl_event_source_timer_update(
            timer, static_cast<int>(std::ceil(server.options.duration_s * 1000.0)));
    }
    int spawn_failure = 0;
    if (!server.options.command.empty() && !spawn_client(server, &spawn_failure))
        return spawn_failure;
    wl_display_run(server.display);

    if (server.child > 0)
        kill(server.child, SIGTERM);
    // Every capture the run took is on disk (or counted as failed) before
    // the final stats.json lists them and the exit code depends on them;
    // a SIGTERM/SIGINT stop comes this way too.
    captures_finish(server);
    int code = server.exit_code;
    if (!server.options.stats_json.empty() && !write_stats(server) && code == 0)
        code = 1;
    if (!write_timeline_exports(server) && code == 0)
        code = 1;
    if (server.capture_failures > 0) {
        std::fprintf(stderr,
                     "zc-compositor: --capture: %llu of %llu capture(s) could not be written "
                     "(first: %s)\n",
                     static_cast<unsigned long long>(server.capture_failures),
                     static_cast<unsigned long long>(server.capture_failures +
                                                     server.facts.captures.size()),
                     server.first_capture_error.c_str());
        if (code == 0)
            code = 1;
    }
    stats_socket_stop(server);
    stats_checkpoint_stop(server);
    kstat_feed_stop(server);
    // Our listeners on the backend and xdg-shell signals go first: those
    // objects die below, and a Listener disconnecting later would write into
    // their freed signal lists.
    server.new_output.disconnect();
    server.new_input.disconnect();
    server.new_xdg_surface.disconnect();
    wl_display_destroy_clients(server.display);
    huge_commits_stop(server);
    server.views.clear();
    server.keyboards.clear();
    wlr_backend_destroy(server.backend);
    server.outputs.clear();
    server.clients.clear();
    wlr_output_layout_destroy(server.output_layout);
    wlr_allocator_destroy(server.allocator);
    wlr_renderer_destroy(server.renderer);
    for (wl_event_source* s : server.loop_sources)
        if (s)
            wl_event_source_remove(s);
    if (server.request_logger)
        wl_protocol_logger_destroy(server.request_logger);
    wl_display_destroy(server.display);
    return code;
}

} // namespace

} // namespace zcd::app

int main(int argc, char** argv) {
    return zcd::app::run(argc, argv);
}
