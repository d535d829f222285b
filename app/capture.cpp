// Headless capture: the composed frame, read back from the renderer while it
// is still bound, written as <output>-<frame>.png into --capture DIR.
//
// The read-back stays here on the main thread (the output's buffer, or the
// client's scanned-out one, is only valid during this frame); the PNG
// encoding and the file write go to the capture writer's thread
// (capture_writer.hpp), which would otherwise hold the main loop 30-45 ms per
// 1280x720 capture and miss vblanks.  Its results are merged back here, on
// the main thread: a capture is listed in stats.json only once its file is
// in place, and a failed one is counted, not listed.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <vector>

#include "app/capture_writer.hpp"
#include "app/server.hpp"

namespace zcd::app {

namespace {

// Frames a capture may wait for the writer: about 3.7 MB each at 1280x720.
// More would only defer the wait of a run that captures faster than it
// encodes (--capture-every 1); fewer would make a slow disk stall sooner.
// tests/visual/visual.py's CAPTURE_LAG is this plus one.
constexpr size_t kCaptureQueueFrames = 4;

// Hands the frame to the writer thread; waits there only while the queue is
// full.  The name carries the frame index, so the files sort in frame order.
void queue_capture(Output& out, uint32_t w, uint32_t h, std::vector<uint8_t> rgba,
                   bool with_overlay) {
    Server& server = *out.server;
    if (!server.capture_writer)
        server.capture_writer = std::make_unique<CaptureWriter>(kCaptureQueueFrames);
    char name[128];
    std::snprintf(name, sizeof name, "%s-%06llu.png", out.output->name,
                  static_cast<unsigned long long>(out.frames_rendered));
    CaptureJob job;
    job.dir = server.options.capture_dir;
    job.name = name;
    job.width = w;
    job.height = h;
    job.rgba = std::move(rgba);
    if (with_overlay)
        job.overlay = CaptureOverlay{name, server.facts.overlay_x, server.facts.overlay_y,
                                     server.facts.overlay_w, server.facts.overlay_h};
    server.capture_writer->submit(std::move(job));
}

void merge_results(Server& server, std::vector<CaptureResult> results) {
    for (CaptureResult& r : results) {
        if (!r.written) {
            // Not a line per frame: counted, and reported once at exit with
            // the first reason, and the run fails (main.cpp).
            if (server.capture_failures++ == 0)
                server.first_capture_error = r.error;
            continue;
        }
        server.facts.captures.push_back(r.name);
        if (r.overlay)
            server.facts.capture_overlays.push_back(std::move(*r.overlay));
    }
}

// The buffer's pixels, when the CPU can read them in a format a capture can
// write (the B,G,R,A memory order of XRGB8888/ARGB8888, what direct scanout
// takes from wl_shm).  End the access with wlr_buffer_end_data_ptr_access.
bool begin_capture_access(wlr_buffer* buffer, const uint8_t** data, size_t* stride) {
    void* ptr = nullptr;
    uint32_t format = 0;
    if (!buffer || !wlr_buffer_begin_data_ptr_access(buffer, WLR_BUFFER_DATA_PTR_ACCESS_READ, &ptr,
                                                     &format, stride))
        return false;
    if (format != DRM_FORMAT_XRGB8888 && format != DRM_FORMAT_ARGB8888) {
        wlr_buffer_end_data_ptr_access(buffer);
        return false;
    }
    *data = static_cast<const uint8_t*>(ptr);
    return true;
}

} // namespace

bool prepare_capture_dir(const std::string& dir) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec); // mkdir -p; fine if it exists
    if (ec || !std::filesystem::is_directory(dir, ec)) {
        std::fprintf(stderr, "zc-compositor: --capture: cannot create directory '%s': %s\n",
                     dir.c_str(), (ec ? ec : std::make_error_code(std::errc::not_a_directory))
                                      .message()
                                      .c_str());
        return false;
    }
    // Write permission bits say nothing for root or on a read-only mount:
    // create (and remove) a file, as the captures will.
    std::string probe = dir + "/.zc-compositor-probe-XXXXXX";
    int fd = mkstemp(probe.data());
    if (fd < 0) {
        std::fprintf(stderr, "zc-compositor: --capture: cannot write into '%s': %s\n", dir.c_str(),
                     std::strerror(errno));
        return false;
    }
    close(fd);
    unlink(probe.c_str());
    return true;
}

bool buffer_capturable(wlr_buffer* buffer) {
    const uint8_t* data = nullptr;
    size_t stride = 0;
    if (!begin_capture_access(buffer, &data, &stride))
        return false;
    wlr_buffer_end_data_ptr_access(buffer);
    return true;
}

// A directly scanned-out frame is the client's buffer: its pixels are the
// frame, written with alpha forced opaque, as the display shows them.
void capture_buffer(Output& out, wlr_buffer* buffer) {
    const uint8_t* data = nullptr;
    size_t stride = 0;
    if (!begin_capture_access(buffer, &data, &stride)) {
        wlr_log(WLR_ERROR, "zc-compositor: capture: the scanned-out buffer cannot be read");
        return;
    }
    const uint32_t w = static_cast<uint32_t>(buffer->width),
                   h = static_cast<uint32_t>(buffer->height);
    std::vector<uint8_t> pixels(size_t{w} * h * 4);
    for (uint32_t y = 0; y < h; ++y) {
        const uint8_t* src = data + size_t{y} * stride;
        uint8_t* dst = pixels.data() + size_t{y} * w * 4;
        for (uint32_t x = 0; x < w; ++x) {
            dst[4 * x + 0] = src[4 * x + 2];
            dst[4 * x + 1] = src[4 * x + 1];
            dst[4 * x + 2] = src[4 * x + 0];
            dst[4 * x + 3] = 0xff;
        }
    }
    wlr_buffer_end_data_ptr_access(buffer);
    queue_capture(out, w, h, std::move(pixels), false);
}

void capture_frame(Output& out) {
    Server& server = *out.server;
    wlr_output* o = out.output;
    const uint32_t w = static_cast<uint32_t>(o->width), h = static_cast<uint32_t>(o->height);
    std::vector<uint8_t> pixels(size_t{w} * h * 4);
    // ABGR8888 is R, G, B, A in memory: what PNG wants.  Renderers that only
    // read back ARGB8888 (B, G, R, A in memory) get their bytes swapped.
    bool swap_rb = false;
    if (!wlr_renderer_read_pixels(server.renderer, DRM_FORMAT_ABGR8888, nullptr, w * 4, w, h, 0, 0,
                                  0, 0, pixels.data())) {
        if (!wlr_renderer_read_pixels(server.renderer, DRM_FORMAT_ARGB8888, nullptr, w * 4, w, h, 0,
                                      0, 0, 0, pixels.data())) {
            wlr_log(WLR_ERROR, "zc-compositor: capture: read_pixels failed on %s", o->name);
            return;
        }
        swap_rb = true;
    }
    if (swap_rb)
        for (size_t i = 0; i < pixels.size(); i += 4)
            std::swap(pixels[i], pixels[i + 2]);
    queue_capture(out, w, h, std::move(pixels),
                  server.overlay_visible && server.options.overlay_in_capture);
}

void captures_collect(Server& server) {
    if (server.capture_writer)
        merge_results(server, server.capture_writer->take_results());
}

void captures_finish(Server& server) {
    if (!server.capture_writer)
        return;
    server.capture_writer->finish();
    merge_results(server, server.capture_writer->take_results());
    if (uint64_t waits = server.capture_writer->waits())
        wlr_log(WLR_INFO, "zc-compositor: capture: %llu frame(s) waited for the writer thread",
                static_cast<unsigned long long>(waits));
}

} // namespace zcd::app
