#include "app/capture_writer.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <exception>

#include "app/png_writer.hpp"

namespace zcd::app {

namespace {

bool encode_png(std::FILE* file, const CaptureJob& job, std::string* error) {
    return write_png_rgba_file(file, job.dir + "/" + job.name, job.width, job.height, job.width * 4,
                               job.rgba.data(), error);
}

// A temporary file next to the capture, created exclusively: a dot-name not
// ending in .png (no `*.png` glob or listing sees it) that no existing file
// of the user's can be.  -1 and *error on failure.
int create_temporary(const CaptureJob& job, std::string* path, std::string* error) {
    for (int n = 0; n < 100; ++n) {
        *path = job.dir + "/." + job.name + "." + std::to_string(n) + ".partial";
        // 0666 and the umask: the same mode the file had when written directly.
        int fd = open(path->c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd >= 0)
            return fd;
        if (errno != EEXIST)
            break;
    }
    *error = "cannot create a temporary file for " + job.dir + "/" + job.name + ": " +
             std::strerror(errno);
    return -1;
}

} // namespace

CaptureWriter::CaptureWriter(size_t capacity, Encoder encoder)
    : capacity_(capacity > 0 ? capacity : 1), encoder_(encoder ? std::move(encoder) : encode_png),
      worker_([this] { run(); }) {}

CaptureWriter::~CaptureWriter() {
    finish();
}

void CaptureWriter::submit(CaptureJob job) {
    std::unique_lock lock(mutex_);
    if (stopping_) {
        // After finish(): no worker any more; write here, still in order.
        lock.unlock();
        CaptureResult r = write(job);
        lock.lock();
        results_.push_back(std::move(r));
        return;
    }
    if (queue_.size() >= capacity_) {
        waits_++;
        blocked_++;
        space_ready_.wait(lock, [this] { return queue_.size() < capacity_; });
        blocked_--;
    }
    queue_.push_back(std::move(job));
    work_ready_.notify_one();
}

std::vector<CaptureResult> CaptureWriter::take_results() {
    std::lock_guard lock(mutex_);
    std::vector<CaptureResult> out;
    out.swap(results_);
    return out;
}

void CaptureWriter::finish() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    work_ready_.notify_one();
    if (worker_.joinable())
        worker_.join();
}

uint64_t CaptureWriter::waits() const {
    std::lock_guard lock(mutex_);
    return waits_;
}

size_t CaptureWriter::blocked_submitters() const {
    std::lock_guard lock(mutex_);
    return blocked_;
}

void CaptureWriter::run() {
    std::unique_lock lock(mutex_);
    for (;;) {
        work_ready_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
        if (queue_.empty())
            return; // stopping, and everything queued is written
        // The job stays in the queue while it is written: it counts against
        // the capacity until its memory is freed.  The reference stays valid
        // while submit() appends (a deque's push_back moves no element).
        const CaptureJob& job = queue_.front();
        lock.unlock();
        CaptureResult r = write(job);
        lock.lock();
        queue_.pop_front();
        results_.push_back(std::move(r));
        space_ready_.notify_one();
    }
}

CaptureResult CaptureWriter::write(const CaptureJob& job) {
    CaptureResult r;
    r.name = job.name;
    r.overlay = job.overlay;
    const std::string final_path = job.dir + "/" + job.name;
    std::string tmp;
    int fd = create_temporary(job, &tmp, &r.error);
    if (fd < 0)
        return r;
    std::FILE* file = fdopen(fd, "wb");
    if (!file) {
        r.error = "cannot open " + tmp + ": " + std::strerror(errno);
        close(fd);
        unlink(tmp.c_str());
        return r;
    }
    bool ok = false;
    try {
        ok = encoder_(file, job, &r.error);
    } catch (const std::exception& e) {
        r.error = "cannot write " + final_path + ": " + e.what();
    }
    if (std::fflush(file) != 0 || std::ferror(file)) {
        if (ok)
            r.error = "cannot write " + final_path + ": " + std::strerror(errno);
        ok = false;
    }
    if (std::fclose(file) != 0 && ok) {
        r.error = "cannot write " + final_path + ": " + std::strerror(errno);
        ok = false;
    }
    if (ok && std::rename(tmp.c_str(), final_path.c_str()) != 0) {
        r.error = "cannot rename into " + final_path + ": " + std::strerror(errno);
        ok = false;
    }
    if (!ok) {
        unlink(tmp.c_str());
        if (r.error.empty())
            r.error = "cannot write " + final_path;
        return r;
    }
    r.written = true;
    return r;
}

} // namespace zcd::app
