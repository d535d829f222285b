// CaptureWriter: every frame written, in order, atomically; failures
// reported, never listed; a full queue makes the submitter wait.  No timing:
// the blocked submitter is observed through blocked_submitters().
#include <gtest/gtest.h>
#include <png.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "app/capture_writer.hpp"

namespace fs = std::filesystem;
using zcd::app::CaptureJob;
using zcd::app::CaptureResult;
using zcd::app::CaptureWriter;

namespace {

struct TempDir {
    std::string path;
    TempDir() {
        char tmpl[] = "/tmp/zcd-capture-writer-XXXXXX";
        path = mkdtemp(tmpl) ? tmpl : "";
    }
    ~TempDir() { fs::remove_all(path); }
    std::set<std::string> names() const {
        std::set<std::string> out;
        for (const auto& e : fs::directory_iterator(path))
            out.insert(e.path().filename().string());
        return out;
    }
};

CaptureJob job(const std::string& dir, int index, uint32_t w = 4, uint32_t h = 3) {
    CaptureJob j;
    j.dir = dir;
    char name[64];
    std::snprintf(name, sizeof name, "OUT-%06d.png", index);
    j.name = name;
    j.width = w;
    j.height = h;
    j.rgba.resize(size_t{w} * h * 4);
    for (size_t i = 0; i < j.rgba.size(); ++i)
        j.rgba[i] = static_cast<uint8_t>(i * 7 + index);
    return j;
}

std::vector<uint8_t> read_png(const std::string& path) {
    png_image img;
    std::memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_file(&img, path.c_str()))
        return {};
    img.format = PNG_FORMAT_RGBA;
    std::vector<uint8_t> px(PNG_IMAGE_SIZE(img));
    if (!png_image_finish_read(&img, nullptr, px.data(), 0, nullptr))
        return {};
    return px;
}

// An encoder that waits at a gate before writing: the test decides when
// the worker may finish a job.
struct Gate {
    std::mutex m;
    std::condition_variable cv;
    bool open = false;
    void release() {
        std::lock_guard l(m);
        open = true;
        cv.notify_all();
    }
    CaptureWriter::Encoder encoder() {
        return [this](std::FILE* f, const CaptureJob& j, std::string*) {
            std::unique_lock l(m);
            cv.wait(l, [this] { return open; });
            return std::fwrite(j.name.data(), 1, j.name.size(), f) == j.name.size();
        };
    }
};

} // namespace

TEST(CaptureWriter, WritesEveryFrameInOrderWithNoTemporaryFilesLeft) {
    TempDir dir;
    ASSERT_FALSE(dir.path.empty());
    std::vector<CaptureJob> jobs;
    {
        CaptureWriter writer(2);
        for (int i = 0; i < 12; ++i) {
            jobs.push_back(job(dir.path, i * 60 + 1));
            writer.submit(jobs.back());
        }
        writer.finish();
        std::vector<CaptureResult> results = writer.take_results();
        ASSERT_EQ(results.size(), jobs.size());
        for (size_t i = 0; i < jobs.size(); ++i) {
            EXPECT_EQ(results[i].name, jobs[i].name);
            EXPECT_TRUE(results[i].written) << results[i].error;
        }
    }
    std::set<std::string> expected;
    for (const CaptureJob& j : jobs) {
        expected.insert(j.name);
        EXPECT_EQ(read_png(dir.path + "/" + j.name), j.rgba) << j.name;
    }
    EXPECT_EQ(dir.names(), expected); // nothing else: no .partial left
}

TEST(CaptureWriter, UnwritableDirectoryIsReportedAndNothingIsListed) {
    TempDir dir;
    CaptureWriter writer(4);
    writer.submit(job(dir.path + "/missing", 1));
    writer.submit(job(dir.path, 2));
    writer.finish();
    std::vector<CaptureResult> results = writer.take_results();
    ASSERT_EQ(results.size(), 2u);
    EXPECT_FALSE(results[0].written);
    EXPECT_NE(results[0].error.find("missing"), std::string::npos) << results[0].error;
    EXPECT_EQ(results[0].error.find('\n'), std::string::npos);
    EXPECT_TRUE(results[1].written) << results[1].error;
    EXPECT_EQ(dir.names(), std::set<std::string>{"OUT-000002.png"});
}

TEST(CaptureWriter, FailedEncodeLeavesNeitherTheFileNorItsTemporary) {
    TempDir dir;
    CaptureWriter writer(1, [](std::FILE* f, const CaptureJob&, std::string* error) {
        std::fputs("half a PNG", f);
        *error = "encoder gave up";
        return false;
    });
    writer.submit(job(dir.path, 1));
    writer.finish();
    std::vector<CaptureResult> results = writer.take_results();
    ASSERT_EQ(results.size(), 1u);
    EXPECT_FALSE(results[0].written);
    EXPECT_EQ(results[0].error, "encoder gave up");
    EXPECT_TRUE(dir.names().empty());
}

TEST(CaptureWriter, ExistingFileWithTheTemporaryNameIsNotOverwritten) {
    TempDir dir;
    const std::string users = dir.path + "/.OUT-000001.png.0.partial";
    std::ofstream(users) << "the user's";
    {
        CaptureWriter writer(1);
        writer.submit(job(dir.path, 1));
    } // the destructor writes what is queued
    std::ifstream in(users);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(text, "the user's");
    EXPECT_EQ(read_png(dir.path + "/OUT-000001.png"), job(dir.path, 1).rgba);
    EXPECT_EQ(dir.names(), (std::set<std::string>{".OUT-000001.png.0.partial", "OUT-000001.png"}));
}

TEST(CaptureWriter, FullQueueMakesTheSubmitterWaitInsteadOfDropping) {
    TempDir dir;
    Gate gate;
    CaptureWriter writer(2, gate.encoder());
    writer.submit(job(dir.path, 1)); // being written (held at the gate)
    writer.submit(job(dir.path, 2)); // queued: the queue is full
    std::atomic<bool> returned{false};
    std::thread third([&] {
        writer.submit(job(dir.path, 3));
        returned = true;
    });
    // A writer that dropped the job or let the queue grow returns instead.
    while (writer.blocked_submitters() == 0 && !returned)
        std::this_thread::yield();
    EXPECT_FALSE(returned.load());
    EXPECT_TRUE(writer.take_results().empty()); // nothing written, nothing dropped
    EXPECT_EQ(writer.waits(), 1u);
    gate.release();
    third.join();
    EXPECT_TRUE(returned.load());
    writer.finish();
    std::vector<CaptureResult> results = writer.take_results();
    ASSERT_EQ(results.size(), 3u);
    for (int i = 0; i < 3; ++i) {
        EXPECT_TRUE(results[i].written);
        EXPECT_EQ(results[i].name, job(dir.path, i + 1).name);
    }
    EXPECT_EQ(dir.names(),
              (std::set<std::string>{"OUT-000001.png", "OUT-000002.png", "OUT-000003.png"}));
}

TEST(CaptureWriter, OverlayRectanglePassesThroughToTheResult) {
    TempDir dir;
    CaptureWriter writer(2);
    CaptureJob a = job(dir.path, 1);
    a.overlay = zcd::app::CaptureOverlay{a.name, 1, 2, 3, 4};
    writer.submit(a);
    writer.finish();
    std::vector<CaptureResult> results = writer.take_results();
    ASSERT_EQ(results.size(), 1u);
    ASSERT_TRUE(results[0].overlay.has_value());
    EXPECT_EQ(results[0].overlay->capture, a.name);
    EXPECT_EQ(results[0].overlay->height, 4);
}

TEST(CaptureWriter, SubmitAfterFinishStillWrites) {
    TempDir dir;
    CaptureWriter writer(1);
    writer.finish();
    writer.submit(job(dir.path, 9));
    std::vector<CaptureResult> results = writer.take_results();
    ASSERT_EQ(results.size(), 1u);
    EXPECT_TRUE(results[0].written);
}
