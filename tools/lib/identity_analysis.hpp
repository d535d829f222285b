// Frame-identity analysis over a capture sequence: the zc-client stripe
// (common/stripe) decoded from each capture tells which client frame it
// shows; across the sequence that reveals dropped, repeated, out-of-order and
// torn frames (and captures with no or a corrupt stripe).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/stripe.hpp"

namespace zcd::tools {

// What one capture showed.
struct FrameObservation {
    std::string name; // capture file name, for the report
    StripeStatus status = StripeStatus::NoStripe;
    uint32_t seq = 0, seq_other = 0;
};

enum class FrameVerdict : uint8_t {
    Ok,         // the expected next frame
    AfterDrop,  // newer than expected: frames in between were never captured
    Repeated,   // the same frame as the previous capture
    OutOfOrder, // older than a frame already seen
    Torn,       // two identities in one capture
    NoStripe,   // no identity found, between captures that have one
    Corrupt,    // stripe found, check bits wrong
    // No stripe, before the first capture with one (the compositor captures
    // from its first frame; a client maps later) or after the last (the
    // client has gone).  Not a frame-identity problem: counted, skipped.
    BeforeFirstFrame,
    AfterLastFrame,
};
std::string_view to_string(FrameVerdict v);

struct FrameAnalysis {
    FrameObservation observation;
    FrameVerdict verdict = FrameVerdict::Ok;
    uint32_t dropped_before = 0; // AfterDrop: how many frames are missing before it
};

struct IdentityReport {
    std::vector<FrameAnalysis> frames;
    uint64_t valid = 0, dropped = 0, repeated = 0, out_of_order = 0, torn = 0, no_stripe = 0,
             corrupt = 0;
    uint64_t before_first_frame = 0, after_last_frame = 0; // skipped, see FrameVerdict
    uint32_t first_seq = 0, last_seq = 0; // of valid frames
};

// `step` is the sequence increase expected between consecutive captures (1
// when every client frame is captured; N when the compositor captures every
// Nth frame of a client drawing one frame per output frame).  A capture whose
// frame is newer than the newest seen so far by d > step counts d - step
// dropped frames.  Sequence numbers compare modulo 2^32.
IdentityReport analyse_identity(const std::vector<FrameObservation>& sequence, uint32_t step = 1);

} // namespace zcd::tools
