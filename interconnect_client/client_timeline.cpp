#include "interconnect_client/client_timeline.hpp"

namespace zcd {

ClientTimeline::ClientTimeline(std::string client_name) : name_(std::move(client_name)) {
    timeline_.producer = "zc-client";
}

size_t ClientTimeline::on_commit(uint64_t frame, int64_t commit_ns, uint32_t width, uint32_t height,
                                 uint32_t drm_format, uint64_t modifier, bool dmabuf) {
    CommitRecord r;
    r.commit_id = frame + 1;
    r.client_id = 1;
    r.client_name = name_;
    r.commit_ns = commit_ns;
    r.width = width;
    r.height = height;
    r.drm_format = drm_format;
    r.modifier = modifier;
    // Until feedback says otherwise, assume the compositor copied.
    r.path = dmabuf ? ImportPath::DmabufCopy : ImportPath::ShmCopy;
    timeline_.commits.push_back(r);
    return timeline_.commits.size() - 1;
}

void ClientTimeline::on_presented(size_t index, int64_t present_ns, int64_t refresh_ns,
                                  uint64_t msc, uint32_t flags) {
    if (index >= timeline_.commits.size())
        return;
    CommitRecord& r = timeline_.commits[index];
    if (r.presented)
        return;
    r.presented = true;
    r.present_ns = present_ns;
    r.refresh_ns = refresh_ns;
    r.msc = msc;
    r.present_flags = flags;
    const bool dmabuf = r.path == ImportPath::DmabufCopy;
    if (flags & kPresentZeroCopy) {
        r.path = dmabuf ? ImportPath::DmabufZeroCopy : ImportPath::ShmHostImport;
        ++zero_copy_;
    }
    ++presented_;
}

void ClientTimeline::on_discarded(size_t index) {
    if (index >= timeline_.commits.size())
        return;
    CommitRecord& r = timeline_.commits[index];
    if (r.presented || r.discarded)
        return;
    r.discarded = true;
    ++discarded_;
}

} // namespace zcd
