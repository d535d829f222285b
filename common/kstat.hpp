// Reader for the interconnect series' debugfs text (docs/kernel-debugfs.md):
// the counters in /sys/kernel/debug/dma_buf/interconnect_stats and the
// per-attachment interconnect in /sys/kernel/debug/dma_buf/bufinfo.
// Pure: takes text, never touches the file system.  Malformed text gives an
// error naming the line; unknown keys and interconnect names are kept aside
// (newer kernels may add them), never an error.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace zcd {

inline constexpr uint32_t kKstatVersion = 1;

struct InterconnectCounters {
    std::string name; // "iov", ...
    uint64_t matches = 0;
    uint64_t match_failures = 0;
    uint64_t maps = 0;
    uint64_t unmaps = 0;
    uint64_t map_failures = 0;
    uint64_t fallbacks = 0;
    uint64_t rejected_ranges = 0;
    std::map<std::string, uint64_t> unknown; // keys this reader does not know
};

struct InterconnectStats {
    uint32_t version = 0;
    std::vector<InterconnectCounters> interconnects;
    const InterconnectCounters* find(std::string_view name) const; // may be null
};

// One dma-buf of bufinfo and the devices attached to it.
struct BufinfoAttachment {
    std::string device;       // e.g. "0000:00:04.0"
    std::string interconnect; // "iov", "none"
};
struct BufinfoBuffer {
    uint64_t size = 0;
    std::string exporter; // exp_name column
    uint64_t inode = 0;
    std::string name; // name column, "<none>" when unnamed
    std::vector<BufinfoAttachment> attachments;
};
struct Bufinfo {
    std::vector<BufinfoBuffer> buffers;
};

// Both return false and set *error to one line ("line N: ...") on malformed
// input.
bool parse_interconnect_stats(std::string_view text, InterconnectStats* out, std::string* error);
bool parse_bufinfo(std::string_view text, Bufinfo* out, std::string* error);

// The host agent forwards interconnect_stats snapshots over virtio-serial,
// each followed by one empty line (vm/ forwards them; zc-compositor reads
// them with --host-kstat).  This splits such a byte stream into snapshot
// texts; partial input is kept until its empty line arrives.  A snapshot
// longer than kMaxSnapshotBytes without an empty line is dropped (counted in
// dropped()), so a stream that lost its framing recovers at the next one.
class KstatSnapshotFramer {
  public:
    static constexpr size_t kMaxSnapshotBytes = 64 * 1024;
    std::vector<std::string> feed(std::string_view bytes);
    uint64_t dropped() const { return dropped_; }

  private:
    std::string pending_;
    bool skipping_ = false; // inside an oversized snapshot, until its end
    uint64_t dropped_ = 0;
};

// JSON renderings for zc-kstat --json (and anyone forwarding the counters).
std::string to_json(const InterconnectStats& s);
std::string to_json(const Bufinfo& b);

} // namespace zcd
