#include <gtest/gtest.h>

#include "app/timeline_recorder.hpp"

using zcd::CommitRecord;
using zcd::OutputFrameRecord;
using zcd::app::TimelineRecorder;

namespace {
CommitRecord commit_at(int64_t ns, uint32_t client) {
    CommitRecord c;
    c.commit_ns = ns;
    c.client_id = client;
    return c;
}
OutputFrameRecord frame_at(int64_t ns, uint64_t seq) {
    OutputFrameRecord f;
    f.output_name = "HEADLESS-1";
    f.output_seq = seq;
    f.composite_cpu_begin_ns = ns;
    f.composite_cpu_end_ns = ns + 100;
    return f;
}
} // namespace

TEST(TimelineRecorder, JoinsCommitsToTheFrameThatPresentedThem) {
    TimelineRecorder r;
    uint64_t c1 = r.add_commit(commit_at(1000, 1));
    uint64_t c2 = r.add_commit(commit_at(1100, 2));
    EXPECT_EQ(c1, 1u);
    EXPECT_EQ(c2, 2u);
    uint64_t f1 = r.add_frame(frame_at(2000, 7));
    r.set_frame_gpu(f1, 2100, 2900, true);
    r.frame_presented(f1, true, 5000, 0x1, 16666667, 42, {{c1, 0x9}, {c2, 0x1}});
    auto t = r.snapshot();
    ASSERT_EQ(t.commits.size(), 2u);
    ASSERT_EQ(t.frames.size(), 1u);
    EXPECT_TRUE(t.commits[0].presented);
    EXPECT_EQ(t.commits[0].output_seq, 7u);
    EXPECT_EQ(t.commits[0].present_ns, 5000);
    EXPECT_EQ(t.commits[0].present_flags, 0x9u);
    EXPECT_EQ(t.commits[1].present_flags, 0x1u);
    EXPECT_EQ(t.commits[1].msc, 42u);
    EXPECT_EQ(t.frames[0].gpu_begin_ns, 2100);
    EXPECT_TRUE(t.frames[0].gpu_on_monotonic);
    EXPECT_EQ(t.frames[0].commits_shown, 2u);
    EXPECT_EQ(t.producer, "zc-compositor");
}

TEST(TimelineRecorder, DiscardedFrameDoesNotPresentItsCommits) {
    TimelineRecorder r;
    uint64_t c = r.add_commit(commit_at(1000, 1));
    uint64_t f = r.add_frame(frame_at(2000, 1));
    r.frame_presented(f, false, 5000, 0, 0, 0, {{c, 0}});
    auto t = r.snapshot();
    EXPECT_FALSE(t.commits[0].presented);
    EXPECT_FALSE(t.frames[0].presented);
    EXPECT_EQ(t.frames[0].present_ns, 0);
    // A later frame that does present it counts, once.
    uint64_t f2 = r.add_frame(frame_at(3000, 2));
    r.frame_presented(f2, true, 6000, 0, 0, 0, {{c, 0}});
    uint64_t f3 = r.add_frame(frame_at(4000, 3));
    r.frame_presented(f3, true, 7000, 0, 0, 0, {{c, 0}});
    t = r.snapshot();
    EXPECT_EQ(t.commits[0].output_seq, 2u);
    EXPECT_EQ(t.frames[2].commits_shown, 0u);
}

TEST(TimelineRecorder, HistoryLimitDropsOldRecordsButKeepsIdsStable) {
    TimelineRecorder r(1000);
    for (int i = 0; i < 10; ++i)
        r.add_commit(commit_at(i * 500, 1));
    EXPECT_EQ(r.commit_count(), 3u); // 3500, 4000, 4500 are within 1000 of 4500
    uint64_t f = r.add_frame(frame_at(4600, 1));
    r.frame_presented(f, true, 4700, 0, 0, 0, {{10, 0}, {1, 0}}); // id 1 was dropped
    auto t = r.snapshot();
    EXPECT_EQ(t.commits.back().commit_id, 10u);
    EXPECT_TRUE(t.commits.back().presented);
    EXPECT_EQ(r.snapshot(4200).commits.size(), 1u);
}
