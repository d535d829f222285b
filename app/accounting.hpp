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
#include "common/scanout_path.hpp"

namespace zcd::app {

struct PathTally {
    std::array<uint64_t, kImportPathCount> paths{};
    std::array<uint64_t, kFallbackReasonCount> reasons{}; // [None] counts non-fallbacks
    uint64_t bytes_copied = 0;
    uint64_t bytes_zero_copy = 0;
    uint64_t unclassified = 0; // buffers whose renderer keeps no ImportRecord (pixman)

    void add(const ImportRecord& record);
    // A commit of a buffer whose import is already counted: its path again,
    // no new bytes (nothing was imported or copied for it).
    void add_reattached(const ImportRecord& record);
    uint64_t buffers() const; // classified + unclassified
};

// The output hop of presented frames (common/scanout_path.hpp).
struct ScanoutTally {
    std::array<uint64_t, kScanoutPathCount> paths{};
    std::array<uint64_t, kScanoutCopyReasonCount> copy_reasons{}; // composed_copy frames
    std::array<uint64_t, kDirectScanoutMissCount> misses{};       // composed frames
    uint64_t bytes_copied = 0;

    void add(const OutputHop& hop);
    uint64_t frames() const;
};

struct ClientAccount {
    uint32_t id = 0; // from 1, in connection order
    std::string name;
    // Commits of any of its surfaces (toplevel, subsurfaces, popups) that
    // attached a buffer; always == tally.buffers().
    uint64_t buffers_committed = 0;
    uint64_t frames = 0;             // presented output frames that showed a new buffer of it
    uint64_t reattached_buffers = 0; // commits of a buffer whose import was already counted
    PathTally tally;                 // per committed buffer
    bool connected = true;
};

struct OutputAccount {
    std::string name;
    int32_t width = 0, height = 0, refresh_mhz = 0;
    uint64_t frames_presented = 0;
    uint64_t frames_discarded = 0;
    uint64_t buffers_shown = 0; // client buffers first shown by a presented frame
    PathTally tally;            // per shown buffer
    ScanoutTally scanout;       // per presented frame
};

// What a commit's ImportRecord says about that commit.
enum class CommitClass : uint8_t {
    Fresh,        // new import (or in-place update): counted under its path, with its bytes
    Reattached,   // same generation as the last one counted for this surface: the
                  // client attached an already-imported buffer again (no new bytes)
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

    // An output frame was presented (or discarded), with its output hop
    // (counted for presented frames; may be null: not known) ...
    void on_output_present(size_t output, bool presented, const OutputHop* hop = nullptr);
    // ... and it was the first to show this client buffer.  `record` may be null.
    void on_buffer_presented(uint32_t client, size_t output, const ImportRecord* record);

    const std::vector<ClientAccount>& clients() const { return clients_; }
    const std::vector<OutputAccount>& outputs() const { return outputs_; }
    PathTally total() const;            // over all committed buffers
    uint64_t buffers_committed() const; // sum of the clients' buffers_committed
    uint64_t reattached_buffers() const;
    ScanoutTally scanout_total() const; // over all outputs
    uint64_t frames_presented() const;  // over all outputs
    uint64_t frames_discarded() const;

  private:
    ClientAccount* client(uint32_t id); // may be null
    std::vector<ClientAccount> clients_;
    std::vector<OutputAccount> outputs_;
};

} // namespace zcd::app
