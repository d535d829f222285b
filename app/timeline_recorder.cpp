#include "app/timeline_recorder.hpp"

#include <iterator>

namespace zcd::app {

uint64_t TimelineRecorder::add_commit(CommitRecord record) {
    record.commit_id = first_commit_id_ + commits_.size();
    int64_t t = record.commit_ns;
    commits_.push_back(std::move(record));
    uint64_t id = commits_.back().commit_id;
    trim(t);
    return id;
}

uint64_t TimelineRecorder::add_frame(OutputFrameRecord record) {
    int64_t t = record.composite_cpu_begin_ns;
    frames_.push_back(std::move(record));
    uint64_t id = first_frame_id_ + frames_.size() - 1;
    trim(t);
    return id;
}

CommitRecord* TimelineRecorder::commit(uint64_t id) {
    if (id < first_commit_id_ || id >= first_commit_id_ + commits_.size())
        return nullptr;
    return &commits_[id - first_commit_id_];
}

OutputFrameRecord* TimelineRecorder::frame(uint64_t id) {
    if (id < first_frame_id_ || id >= first_frame_id_ + frames_.size())
        return nullptr;
    return &frames_[id - first_frame_id_];
}

void TimelineRecorder::set_frame_cpu_end(uint64_t frame_id, int64_t end_ns) {
    if (OutputFrameRecord* f = frame(frame_id))
        f->composite_cpu_end_ns = end_ns;
}

void TimelineRecorder::set_frame_overlay(uint64_t frame_id, int64_t cpu_ns, int64_t gpu_ns) {
    if (OutputFrameRecord* f = frame(frame_id)) {
        f->overlay_cpu_ns = cpu_ns;
        f->overlay_gpu_ns = gpu_ns;
    }
}

void TimelineRecorder::set_frame_gpu(uint64_t frame_id, int64_t begin_ns, int64_t end_ns,
                                     bool on_monotonic) {
    if (OutputFrameRecord* f = frame(frame_id)) {
        f->gpu_begin_ns = begin_ns;
        f->gpu_end_ns = end_ns;
        f->gpu_on_monotonic = on_monotonic;
    }
}

void TimelineRecorder::frame_presented(uint64_t frame_id, bool presented, int64_t present_ns,
                                       uint32_t flags, int64_t refresh_ns, uint64_t msc,
                                       const std::vector<Shown>& shown) {
    OutputFrameRecord* f = frame(frame_id);
    if (!f)
        return;
    f->presented = presented;
    f->present_ns = presented ? present_ns : 0;
    f->present_flags = presented ? flags : 0;
    f->refresh_ns = refresh_ns;
    f->msc = msc;
    if (!presented)
        return;
    f->commits_shown = 0;
    for (const Shown& s : shown) {
        CommitRecord* c = commit(s.commit_id);
        if (!c || c->presented)
            continue;
        c->presented = true;
        c->output_seq = f->output_seq;
        c->present_ns = present_ns;
        c->present_flags = s.present_flags;
        c->refresh_ns = refresh_ns;
        c->msc = msc;
        f->commits_shown++;
    }
}

void TimelineRecorder::trim(int64_t newest_ns) {
    if (keep_ns_ <= 0)
        return;
    const int64_t cutoff = newest_ns - keep_ns_;
    while (!commits_.empty() && commits_.front().commit_ns < cutoff) {
        commits_.pop_front();
        first_commit_id_++;
    }
    while (!frames_.empty() && frames_.front().composite_cpu_begin_ns < cutoff) {
        frames_.pop_front();
        first_frame_id_++;
    }
}

namespace {

// Appends the records at or after since_ns.  Records are appended in time
// order (commit times of different clients may interleave by a little), so
// the window starts near the end: scan back to one second before since_ns
// instead of over the whole run.
template <typename Record, typename TimeOf>
void copy_window(const std::deque<Record>& records, int64_t since_ns, TimeOf time_of,
                 std::vector<Record>* out) {
    const int64_t slack = 1000000000;
    auto first = records.end();
    while (first != records.begin() && time_of(*std::prev(first)) >= since_ns - slack)
        --first;
    for (auto it = first; it != records.end(); ++it)
        if (time_of(*it) >= since_ns)
            out->push_back(*it);
}

} // namespace

Timeline TimelineRecorder::snapshot(int64_t since_ns) const {
    Timeline t;
    t.producer = "zc-compositor";
    copy_window(commits_, since_ns, [](const CommitRecord& c) { return c.commit_ns; },
                &t.commits);
    copy_window(frames_, since_ns,
                [](const OutputFrameRecord& f) { return f.composite_cpu_begin_ns; }, &t.frames);
    return t;
}

} // namespace zcd::app
