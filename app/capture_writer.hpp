// Writes captures (PNG) on a thread of its own, so encoding a frame (30-45 ms
// for 1280x720) never holds up the compositor's main loop.  Pure: no
// wlroots, unit-tested in tests/unit/app/capture_writer_test.cpp.
//
// Lifecycle: the main thread reads a frame back (only it can: the buffer is
// valid there), submit()s the pixels and later take_results() what was
// written, in submission order (one worker, first in first out).  A full
// queue makes submit() wait for the worker instead of dropping the frame or
// growing without bound: a user who asked for every frame gets every frame,
// and memory stays at most `capacity` frames plus the one being written.
// finish() (and the destructor) writes everything queued and joins.
//
// Each file is written under a temporary dot-name in the same directory and
// renamed into place when complete, so a reader that lists `*.png` while the
// compositor runs never sees half a PNG.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "app/stats_json.hpp"

namespace zcd::app {

// One frame to write: `height` rows of `width` R, G, B, A pixels.
struct CaptureJob {
    std::string dir;  // existing directory
    std::string name; // file name in dir, e.g. HEADLESS-1-000060.png
    uint32_t width = 0, height = 0;
    std::vector<uint8_t> rgba;
    // Where the overlay was in the frame, when it is shown in the capture;
    // passed through untouched to the result (capture_overlays pairing).
    std::optional<CaptureOverlay> overlay;
};

struct CaptureResult {
    std::string name;
    bool written = false;
    std::string error; // one line, when !written
    std::optional<CaptureOverlay> overlay;
};

class CaptureWriter {
  public:
    // Encodes one job into an open file; false and *error (one line) on
    // failure.  The default writes PNG (png_writer.hpp); tests inject others.
    using Encoder = std::function<bool(std::FILE* file, const CaptureJob& job, std::string* error)>;

    explicit CaptureWriter(size_t capacity, Encoder encoder = {});
    ~CaptureWriter(); // finish()
    CaptureWriter(const CaptureWriter&) = delete;
    CaptureWriter& operator=(const CaptureWriter&) = delete;

    // Queues a job; waits while `capacity` jobs are already queued.
    void submit(CaptureJob job);
    // Results finished since the last call, in submission order.  Does not wait.
    std::vector<CaptureResult> take_results();
    // Waits until every submitted job is written (or failed), then stops and
    // joins the worker.  take_results() then returns the rest.  Idempotent;
    // submit() after finish() writes on the calling thread.
    void finish();

    // Submissions that had to wait for a full queue (for the log).
    uint64_t waits() const;
    // Callers blocked in submit() right now (tests observe backpressure with it).
    size_t blocked_submitters() const;

  private:
    void run();
    CaptureResult write(const CaptureJob& job);

    const size_t capacity_;
    Encoder encoder_;
    mutable std::mutex mutex_;
    std::condition_variable work_ready_;  // worker waits: a job or stop
    std::condition_variable space_ready_; // submit waits: room in the queue
    std::deque<CaptureJob> queue_;
    std::vector<CaptureResult> results_;
    bool stopping_ = false;
    uint64_t waits_ = 0;
    size_t blocked_ = 0;
    std::thread worker_; // last: started once the members above exist
};

} // namespace zcd::app
