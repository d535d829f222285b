// The host agent's snapshot stream (vm/host/agent -> virtio-serial ->
// zc-compositor --host-kstat): KstatSnapshotFramer splits it, each snapshot
// is parsed as interconnect_stats and summed into the overlay row, as
// app/kstat_feed.cpp does.  The first byte chooses how the stream is cut into
// reads, so framing across read boundaries is exercised too.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "app/overlay_feed.hpp"
#include "common/kstat.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0)
        return 0;
    const size_t chunk = 1 + data[0] % 64; // bytes per read()
    std::string_view stream(reinterpret_cast<const char*>(data + 1), size - 1);
    zcd::KstatSnapshotFramer framer;
    size_t total_bytes = 0;
    for (size_t pos = 0; pos < stream.size(); pos += chunk) {
        for (const std::string& snapshot : framer.feed(stream.substr(pos, chunk))) {
            if (snapshot.empty() || snapshot.size() > zcd::KstatSnapshotFramer::kMaxSnapshotBytes)
                std::abort(); // the framer promised neither
            total_bytes += snapshot.size();
            zcd::InterconnectStats stats;
            std::string error;
            if (zcd::parse_interconnect_stats(snapshot, &stats, &error))
                (void)zcd::app::overlay_interconnect(stats, "host agent");
        }
    }
    if (total_bytes > stream.size())
        std::abort(); // snapshots are made of the stream's bytes
    return 0;
}
