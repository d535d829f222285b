// Builds the frame timeline (common/timeline.hpp) as the compositor runs:
// one CommitRecord per new client buffer, one OutputFrameRecord per composed
// output frame, joined when the frame's present event arrives.  Pure (no
// wlroots) so the joins are unit-tested.  Records are addressed by stable
// ids; with a history limit the oldest records are dropped (live stats only
// need the last seconds; --trace/--csv/--summary keep everything).
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "common/timeline.hpp"

namespace zcd::app {

class TimelineRecorder {
  public:
    // keep_ns == 0: keep every record; otherwise drop records older than
    // keep_ns before the newest event (checked on every add).
    explicit TimelineRecorder(int64_t keep_ns = 0) : keep_ns_(keep_ns) {}

    // Returns the commit_id (from 1).  commit_id in `record` is ignored.
    uint64_t add_commit(CommitRecord record);

    // A frame was composed; returns its frame id (from 1).  output_seq and
    // output_name are taken from `record`.
    uint64_t add_frame(OutputFrameRecord record);

    // The output commit returned (composite CPU end).
    void set_frame_cpu_end(uint64_t frame_id, int64_t end_ns);

    // The overlay's own cost in this frame.
    void set_frame_overlay(uint64_t frame_id, int64_t cpu_ns, int64_t gpu_ns);

    // GPU timing arrives after the frame ends.
    void set_frame_gpu(uint64_t frame_id, int64_t begin_ns, int64_t end_ns, bool on_monotonic);

    // Commits first shown by a frame, with the per-surface flags sent to
    // the client (ZERO_COPY differs per buffer).
    struct Shown {
        uint64_t commit_id;
        uint32_t present_flags;
    };
    // The frame's present event.  Commits are marked presented only when
    // `presented` is true.
    void frame_presented(uint64_t frame_id, bool presented, int64_t present_ns, uint32_t flags,
                         int64_t refresh_ns, uint64_t msc, const std::vector<Shown>& shown);

    // A copy of everything kept, or only what happened at or after since_ns.
    Timeline snapshot(int64_t since_ns = 0) const;

    size_t commit_count() const { return commits_.size(); }
    size_t frame_count() const { return frames_.size(); }

  private:
    CommitRecord* commit(uint64_t id);     // may be null (dropped or unknown)
    OutputFrameRecord* frame(uint64_t id); // may be null
    void trim(int64_t newest_ns);

    int64_t keep_ns_;
    std::deque<CommitRecord> commits_;
    std::deque<OutputFrameRecord> frames_;
    uint64_t first_commit_id_ = 1, first_frame_id_ = 1;
};

} // namespace zcd::app
