#include <gtest/gtest.h>

#include "app/overlay_feed.hpp"

using zcd::CommitRecord;
using zcd::OutputFrameRecord;
using zcd::Timeline;

namespace {
constexpr int64_t kMs = 1000000;

// Ten frames 16 ms apart, one 40 ms gap; client 1 commits each frame.
Timeline sample_window() {
    Timeline t;
    t.producer = "zc-compositor";
    int64_t present = 100 * kMs;
    for (uint64_t seq = 1; seq <= 10; ++seq) {
        present += seq == 6 ? 40 * kMs : 16 * kMs;
        OutputFrameRecord f;
        f.output_seq = seq;
        f.output_name = "HEADLESS-1";
        f.composite_cpu_begin_ns = present - 5 * kMs;
        f.composite_cpu_end_ns = present - 4 * kMs;
        f.presented = true;
        f.present_ns = present;
        f.refresh_ns = 16 * kMs;
        f.commits_shown = 1;
        t.frames.push_back(f);
        CommitRecord c;
        c.commit_id = seq;
        c.client_id = 1;
        c.client_name = "pattern";
        c.commit_ns = present - 8 * kMs;
        c.path = zcd::ImportPath::ShmHostImport;
        c.bytes_zero_copy = 1000000;
        c.presented = true;
        c.output_seq = seq;
        c.present_ns = present;
        t.commits.push_back(c);
    }
    return t;
}
} // namespace

TEST(OverlayFeed, FillsRatesLatencyGraphAndClients) {
    zcd::app::Accounting a;
    uint32_t id = a.add_client("pattern");
    a.add_client("gone");
    a.set_client_disconnected(2);
    zcd::ImportRecord r;
    r.path = zcd::ImportPath::ShmHostImport;
    r.generation = 1;
    uint64_t g = 0;
    a.on_buffer_committed(id, &r, &g);

    zcd::OverlayModel m;
    m.overlay_cpu_ms = 0.5;
    zcd::app::fill_overlay_model(sample_window(), a, "llvmpipe", &m);
    EXPECT_EQ(m.device, "llvmpipe");
    ASSERT_EQ(m.outputs.size(), 1u);
    EXPECT_GT(m.outputs[0].fps, 30.0);
    EXPECT_EQ(m.outputs[0].stalls, 1u); // the 40 ms gap
    ASSERT_EQ(m.frame_time_ms.size(), 9u);
    EXPECT_NEAR(m.frame_time_max_ms, 40.0, 1e-6);
    EXPECT_NEAR(m.frame_time_min_ms, 16.0, 1e-6);
    EXPECT_TRUE(m.commit_to_present.valid);
    EXPECT_NEAR(m.commit_to_present.p50_ms, 8.0, 1e-6);
    ASSERT_EQ(m.clients.size(), 1u); // the disconnected one is not shown
    EXPECT_EQ(m.clients[0].name, "pattern");
    EXPECT_TRUE(m.clients[0].has_buffer);
    EXPECT_EQ(m.clients[0].last_path, zcd::ImportPath::ShmHostImport);
    EXPECT_GT(m.clients[0].ups, 30.0);
    EXPECT_GT(m.mb_per_s_zero_copy, 0.0);
    EXPECT_EQ(m.mb_per_s_copied, 0.0);
    EXPECT_EQ(m.path_counts[static_cast<size_t>(zcd::ImportPath::ShmHostImport)], 1u);
    EXPECT_DOUBLE_EQ(m.overlay_cpu_ms, 0.5); // the caller's, untouched
}

TEST(OverlayFeed, EmptyWindowGivesAnEmptyButValidModel) {
    zcd::OverlayModel m;
    zcd::app::fill_overlay_model(Timeline{}, zcd::app::Accounting{}, "", &m);
    EXPECT_TRUE(m.outputs.empty());
    EXPECT_FALSE(m.commit_to_present.valid);
    EXPECT_EQ(m.frame_time_avg_ms, 0.0);
}
