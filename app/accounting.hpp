// Path accounting: which import path every committed client buffer took, why
// it fell back when it did, and how many bytes were copied or shown without a
// copy -- per client, per output and in total.  Pure counting (no wlroots): the
// compositor feeds it the renderer's ImportRecords, and it is unit-tested.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "common/import_path.hpp"

namespace zcd::app {

struct PathTally {
    std::array<uint64_t, kImportPathCount> paths{};
    std::array<uint64_t, kFallbackReasonCount> reasons{}; // [None] counts non-fallbacks
    uint64_t bytes_copied = 0;
    uint64_t bytes_zero_copy = 0;
    uint64_t unclassified = 0; // buffers whose renderer keeps no ImportRecord (pixman)

    void add(const ImportRecord& record);
    uint64_t buffers() const; // classified + unclassified
};

struct ClientAccount {
    uint32_t id = 0; // from 1, in connection order
    std::string name;
    uint64_t buffers_committed = 0; // commits that attached a new buffer
    uint64_t frames = 0;            // presented output frames that showed a new buffer of it
    uint64_t stale_records = 0;     // commits whose ImportRecord was not fresh
    PathTally tally;                // per committed buffer
    bool connected = true;
};

struct OutputAccount {
    std::string name;
    int32_t width = 0, height = 0, refresh_mhz = 0;
    uint64_t frames_presented = 0;
    uint64_t frames_discarded = 0;
    uint64_t buffers_shown = 0; // client buffers first shown by a presented frame
    PathTally tally;            // per shown buffer
};

// What a commit's ImportRecord says about that commit.
enum class CommitClass : uint8_t {
    Fresh,        // new import (or in-place update): counted under its path
    Stale,        // same generation as the last one counted for this surface
    Unclassified, // the renderer has no record (not our Vulkan renderer)
};

class Accounting {
  public:
    uint32_t add_client(std::string name);
    void set_client_name(uint32_t id, std::string name);
    void set_client_disconnected(uint32_t id);
    size_t add_output(std::string name, int32_t width, int32_t height, int32_t refresh_mhz);

    // A surface committed a new buffer.  `record` may be null.  `last_generation`
    // is the surface's memory of the last generation counted (start at 0); it
    // keeps one import from being counted twice.
    CommitClass on_buffer_committed(uint32_t client, const ImportRecord* record,
                                    uint64_t* last_generation);

    // An output frame was presented (or discarded) ...
    void on_output_present(size_t output, bool presented);
    // ... and it was the first to show this client buffer.  `record` may be null.
    void on_buffer_presented(uint32_t client, size_t output, const ImportRecord* record);

    const std::vector<ClientAccount>& clients() const { return clients_; }
    const std::vector<OutputAccount>& outputs() const { return outputs_; }
    PathTally total() const;           // over all committed buffers
    uint64_t frames_presented() const; // over all outputs
    uint64_t frames_discarded() const;

  private:
    ClientAccount* client(uint32_t id); // may be null
    std::vector<ClientAccount> clients_;
    std::vector<OutputAccount> outputs_;
};

} // namespace zcd::app
