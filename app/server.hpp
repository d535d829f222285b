// zc-compositor's state, shared by the files that each handle one concern
// (cage's layout): backend.cpp, output.cpp, xdg_shell.cpp, view.cpp, seat.cpp,
// presentation.cpp, clients.cpp, capture.cpp, spawn.cpp, surfaces.cpp,
// frame_pacing.cpp.  main.cpp wires them.
#pragma once

#include <cstdint>
#include <list>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "app/accounting.hpp"
#include "app/capture_writer.hpp"
#include "app/layout.hpp"
#include "app/listener.hpp"
#include "app/options.hpp"
#include "app/stats_json.hpp"
#include "app/timeline_recorder.hpp"
#include "common/import_path.hpp"
#include "common/overlay_model.hpp"
#include "zcd/wlroots.hpp"

namespace zcd::app {

struct Server;
struct FramePacer; // frame_pacing.cpp
void frame_pacer_destroy(FramePacer* pacer);
struct FramePacerDeleter {
    void operator()(FramePacer* p) const { frame_pacer_destroy(p); }
};

// A mapped-or-not xdg toplevel.
struct View {
    Server* server = nullptr;
    wlr_xdg_surface* xdg = nullptr;
    uint32_t client_id = 0;
    bool mapped = false;
    int32_t x = 0, y = 0;                   // layout position of the window geometry
    int32_t laid_out_w = 0, laid_out_h = 0; // size used by the last arrange
    Listener map, unmap, destroy, commit, set_title, set_app_id;
};

// Every wl_surface whose buffers are counted: a toplevel's main surface, its
// subsurfaces (video players and GTK4 put content there) and popups, with
// their subsurfaces, however deep.  Created with the role, destroyed with the
// wl_surface (surfaces.cpp).
struct TrackedSurface {
    Server* server = nullptr;
    wlr_surface* surface = nullptr;
    uint32_t client_id = 0;
    uint64_t commit_serial = 0;   // bumped for every buffer commit
    uint64_t last_generation = 0; // accounting: last ImportRecord generation counted
    uint64_t timeline_commit = 0; // TimelineRecorder id of the current buffer, 0: none
    // Per output: the commit_serial last shown there, so each buffer is
    // counted once per output when first presented.
    std::unordered_map<const void*, uint64_t> shown_serial;
    Listener commit, destroy, new_subsurface;
};

// One buffer sampled by one output frame, waiting for that frame's present.
struct SampledSurface {
    wlr_presentation_feedback* feedback = nullptr; // may be null: client asked for none
    bool zero_copy = false;                        // its buffer was imported without a copy
    bool first_show = false;                       // this frame is the first to show the buffer
    uint32_t client_id = 0;
    uint64_t timeline_commit = 0; // TimelineRecorder commit id, 0: none
    std::optional<ImportRecord> record;
};

// One surface an output frame shows, bottom to top.
struct FrameSurface {
    wlr_surface* surface = nullptr;
    uint32_t client_id = 0;
    wlr_box box{}; // output pixels
};

struct Output {
    Server* server = nullptr;
    wlr_output* output = nullptr;
    size_t account_index = 0;
    uint64_t frames_rendered = 0;
    std::vector<SampledSurface> in_flight;    // sampled by the last committed frame
    std::vector<SampledSurface> presenting;   // in_flight's swap partner while presenting
    uint64_t timeline_frame = 0;              // TimelineRecorder id of the in-flight frame
    OutputHop hop;                            // output hop of the in-flight frame
    bool frame_in_flight = false;             // a frame of ours was committed, no present yet
    std::vector<FrameSurface> frame_surfaces; // scratch of render_frame, kept for its capacity
    std::vector<Rect> window_rects;           // scratch of place_overlay
    ScanoutFrame scanout_frame;               // scratch of render_frame's direct-scanout rules
    // Headless outputs render on the refresh grid (frame_pacing.cpp); null:
    // the output renders in its frame event (DRM, Wayland, X11).
    std::unique_ptr<FramePacer, FramePacerDeleter> pacer;
    Listener frame, present, destroy;
};

struct Keyboard {
    Server* server = nullptr;
    wlr_input_device* device = nullptr;
    Listener key, modifiers, destroy;
};

// Per connected client: a stable id for accounting and its destroy listener.
struct ClientEntry {
    uint32_t id = 0;
    Listener destroy;
};

struct Server {
    Options options;
    wl_display* display = nullptr;
    wl_event_loop* loop = nullptr;
    wlr_backend* backend = nullptr;
    wlr_renderer* renderer = nullptr;
    bool vulkan = false; // renderer is ours: ImportRecords and GPU timings exist
    wlr_allocator* allocator = nullptr;
    wlr_compositor* compositor = nullptr;
    wlr_xdg_shell* xdg_shell = nullptr;
    wlr_output_layout* output_layout = nullptr;
    wlr_presentation* presentation = nullptr;
    wlr_linux_dmabuf_v1* linux_dmabuf = nullptr; // may be null: renderer has no DRM fd
    wlr_seat* seat = nullptr;
    std::string socket;

    std::list<std::unique_ptr<View>> views; // in map order
    std::list<std::unique_ptr<Output>> outputs;
    std::list<std::unique_ptr<Keyboard>> keyboards;
    std::unordered_map<wl_client*, std::unique_ptr<ClientEntry>> clients;
    std::unordered_map<wlr_surface*, std::unique_ptr<TrackedSurface>> surfaces;

    Accounting accounting;
    RunFacts facts;
    std::unique_ptr<TimelineRecorder> timeline; // null: no export or live stats asked for
    uint64_t last_gpu_frame_seq = 0;            // renderer frame whose GPU times we took
    OverlayModel overlay_model;                 // refilled every frame while shown
    bool overlay_visible = false;               // --overlay, toggled with F12
    int64_t overlay_refreshed_ns = 0;           // when overlay_model was last refilled
    struct StatsSocket* stats_socket = nullptr; // may be null
    struct StatsCheckpoint* stats_checkpoint = nullptr; // stats_file.cpp; may be null
    struct KstatFeed* kstat_feed = nullptr;     // may be null
    struct HugeCommits* huge_commits = nullptr; // huge_commits.cpp; may be null
    int64_t start_ns = 0;
    uint64_t capture_failures = 0;    // captures that could not be written; > 0 fails the run
    std::string first_capture_error; // why the first of them failed
    // Encodes and writes captures off the main loop; null until the first
    // capture.  Its results reach facts.captures through captures_collect.
    std::unique_ptr<CaptureWriter> capture_writer;
    pid_t child = -1; // client spawned after --, -1 if none or reaped
    int exit_code = 0;
    bool stopping = false;
    // Event sources and the protocol logger the server itself added; run()
    // removes them before wl_display_destroy, which frees the loop but not
    // what is still registered on it (a sanitized run reports each as a
    // leak, docs/sanitizers.md).
    std::vector<wl_event_source*> loop_sources;
    wl_protocol_logger* request_logger = nullptr; // request_hooks.cpp

    Listener new_output, new_xdg_surface, new_input;
};

int64_t now_ns(); // CLOCK_MONOTONIC

// backend.cpp
bool create_backend(Server& server);
// renderer_choice.cpp
bool create_renderer(Server& server);
uint64_t renderer_validation_errors(Server& server);
void renderer_import_failures(Server& server, RunFacts* facts);
// GPU times of the frame that just ended, into its timeline record.
void record_gpu_timing(Server& server, uint64_t frame_id);
// overlay: show/hide (needs the Vulkan renderer), and its cost per frame
bool renderer_set_overlay(Server& server, bool visible);
void record_overlay_cost(Server& server, uint64_t frame_id);
const ImportRecord* renderer_import_record(Server& server, wlr_texture* texture); // may be null
// How the last composed frame reached the output's buffer (Unknown: pixman).
void renderer_frame_target(Server& server, RenderTargetKind* kind, uint64_t* frame_bytes,
                           uint32_t* copies);
// The next composed frame will be captured (keeps it without the overlay).
void renderer_request_capture(Server& server);
// Buffers of `impl` are read by the display device in place (a dma-buf it
// imported): frames rendered into them are composed_zero_copy.
void renderer_display_imports(Server& server, const wlr_buffer_impl* impl);
// output_allocator.cpp: server.allocator -- guest dma-bufs on virtio-gpu
// KMS, else wlroots' own; records which (and why) in server.facts.
bool create_output_allocator(Server& server);
// output.cpp
void outputs_init(Server& server);
// Composes (or scans out) and commits one frame of `output`.
void output_render_frame(Output& output);
// frame_pacing.cpp: null when `output` is not headless (it then renders in
// its frame event) or no timer could be made.
FramePacer* frame_pacer_create(Output& output);
// The headless frame event: schedules a render on the refresh grid.
void frame_pacer_frame_event(FramePacer& pacer);
// xdg_shell.cpp
void xdg_shell_init(Server& server);
// request_hooks.cpp: the one look at client requests before they are
// dispatched; it calls the rules below.  Call after xdg_shell_init and
// huge_commits_init.
void request_hooks_init(Server& server);
// role_rules.cpp: end clients that break the xdg-shell role rules wlroots
// 0.15.1 would crash on (wl_surface.destroy, xdg_surface.get_popup).
void role_rules_surface_destroy(wl_resource* surface_resource);
void role_rules_get_popup(const wl_protocol_logger_message* m);
// surfaces.cpp: count the buffers of `surface` and of every subsurface it gets.
void track_surface(Server& server, wlr_surface* surface, uint32_t client_id);
TrackedSurface* tracked_surface(Server& server, wlr_surface* surface); // may be null
// capture.cpp, for direct-scanout frames: the client buffer's own pixels.
void capture_buffer(Output& output, wlr_buffer* buffer /* may be null */);
bool buffer_capturable(wlr_buffer* buffer /* may be null */); // capture_buffer can write it
// view.cpp
void arrange_views(Server& server);
// Puts the overlay (its last known height) where no window of `out` is;
// false when there is no such place (it then covers a window).
bool place_overlay(Server& server, Output& out, int32_t height);
void focus_view(Server& server, View* view); // view may be null
// seat.cpp
void seat_init(Server& server);
// clients.cpp
uint32_t client_id_for(Server& server, wl_client* client);
std::string client_default_name(wl_client* client);
// presentation.cpp
void present_in_flight(Output& output, const wlr_output_event_present& event);
void discard_in_flight(Output& output);
// capture.cpp
void capture_frame(Output& output); // call after wlr_renderer_end, before the commit
// Moves the captures the writer thread has finished into facts.captures and
// capture_failures; does not wait.
void captures_collect(Server& server);
// Writes every queued capture, joins the writer, then collects: before the
// final stats.json and the exit code.
void captures_finish(Server& server);
// Creates --capture DIR with its parents and proves a file can be written
// there; false after one line on stderr.
bool prepare_capture_dir(const std::string& dir);
// huge_commits.cpp: commits whose buffer import is a huge copy wait for it
// off the main loop (after watch_shm_pools); stop after the clients are gone.
void huge_commits_init(Server& server);
void huge_commits_stop(Server& server);
void huge_commits_surface_commit(Server& server, wl_resource* surface_resource);
// kstat_feed.cpp: --kstat / --host-kstat
bool kstat_feed_start(Server& server);
void kstat_feed_stop(Server& server);
// stats_socket.cpp
bool stats_socket_start(Server& server);
void stats_socket_stop(Server& server);
// stats_file.cpp: --stats-json, written atomically once a second and at exit
bool write_stats(Server& server, bool report_failure = true);
void stats_checkpoint_start(Server& server);
void stats_checkpoint_stop(Server& server);
// spawn.cpp
// false after one line on stderr when the command cannot be executed;
// *failure_code is then the exit status to end with (126/127, as a shell).
bool spawn_client(Server& server, int* failure_code);
bool watch_children(Server& server);
// main.cpp
void stop_server(Server& server, int exit_code);

} // namespace zcd::app
