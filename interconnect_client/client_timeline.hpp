// zc-client's own timeline: one CommitRecord per committed frame, completed
// by wp_presentation feedback ("presented" with time, refresh, sequence and
// flags, or "discarded").  Pure, so it is unit-tested without a compositor.
//
// Client-side meaning of the fields (docs/metrics.md defines them):
//   commit_id   frame number + 1 (the stripe carries the frame number)
//   commit_ns   CLOCK_MONOTONIC just before wl_surface.commit
//   path        inferred from what the client sent and the ZERO_COPY flag:
//               dmabuf + zero-copy -> dmabuf_zero_copy, dmabuf -> dmabuf_copy,
//               shm + zero-copy -> shm_host_import, shm -> shm_copy
#pragma once

#include <cstdint>
#include <string>

#include "common/timeline.hpp"

namespace zcd {

class ClientTimeline {
  public:
    explicit ClientTimeline(std::string client_name);

    // Returns the record's index for the feedback callbacks.
    size_t on_commit(uint64_t frame, int64_t commit_ns, uint32_t width, uint32_t height,
                     uint32_t drm_format, uint64_t modifier, bool dmabuf);
    void on_presented(size_t index, int64_t present_ns, int64_t refresh_ns, uint64_t msc,
                      uint32_t flags);
    void on_discarded(size_t index);

    uint64_t committed() const { return timeline_.commits.size(); }
    uint64_t presented() const { return presented_; }
    uint64_t zero_copy() const { return zero_copy_; }
    uint64_t discarded() const { return discarded_; }
    uint64_t pending() const { return committed() - presented_ - discarded_; }
    const Timeline& timeline() const { return timeline_; }

  private:
    Timeline timeline_;
    std::string name_;
    uint64_t presented_ = 0, zero_copy_ = 0, discarded_ = 0;
};

} // namespace zcd
