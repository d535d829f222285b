#include "tools/lib/identity_analysis.hpp"

#include <algorithm>

namespace zcd::tools {

std::string_view to_string(FrameVerdict v) {
    switch (v) {
    case FrameVerdict::Ok:
        return "ok";
    case FrameVerdict::AfterDrop:
        return "after_drop";
    case FrameVerdict::Repeated:
        return "repeated";
    case FrameVerdict::OutOfOrder:
        return "out_of_order";
    case FrameVerdict::Torn:
        return "torn";
    case FrameVerdict::NoStripe:
        return "no_stripe";
    case FrameVerdict::Corrupt:
        return "corrupt";
    case FrameVerdict::BeforeFirstFrame:
        return "before_first_frame";
    case FrameVerdict::AfterLastFrame:
        return "after_last_frame";
    }
    return "unknown";
}

IdentityReport analyse_identity(const std::vector<FrameObservation>& sequence, uint32_t step) {
    if (step == 0)
        step = 1;
    IdentityReport r;
    bool have_prev = false;
    uint32_t newest = 0; // highest sequence seen so far (modulo 2^32)
    uint32_t prev = 0;   // sequence of the previous valid capture
    // The captures that show some client frame (any stripe at all) span
    // [first_shown, last_shown]; stripeless ones outside that span are from
    // before the client mapped or after it went.
    size_t first_shown = sequence.size(), last_shown = 0;
    for (size_t i = 0; i < sequence.size(); ++i)
        if (sequence[i].status != StripeStatus::NoStripe) {
            first_shown = std::min(first_shown, i);
            last_shown = i;
        }
    for (size_t i = 0; i < sequence.size(); ++i) {
        const FrameObservation& obs = sequence[i];
        FrameAnalysis a;
        a.observation = obs;
        switch (obs.status) {
        case StripeStatus::NoStripe:
            if (i < first_shown) {
                a.verdict = FrameVerdict::BeforeFirstFrame;
                ++r.before_first_frame;
            } else if (i > last_shown) {
                a.verdict = FrameVerdict::AfterLastFrame;
                ++r.after_last_frame;
            } else {
                a.verdict = FrameVerdict::NoStripe;
                ++r.no_stripe;
            }
            break;
        case StripeStatus::Corrupt:
            a.verdict = FrameVerdict::Corrupt;
            ++r.corrupt;
            break;
        case StripeStatus::Torn:
            a.verdict = FrameVerdict::Torn;
            ++r.torn;
            break;
        case StripeStatus::Valid: {
            ++r.valid;
            if (!have_prev) {
                r.first_seq = obs.seq;
                newest = prev = obs.seq;
                have_prev = true;
                break;
            }
            // Signed distances modulo 2^32, so a wrap-around is not a reorder.
            auto from_prev = static_cast<int32_t>(obs.seq - prev);
            auto from_newest = static_cast<int32_t>(obs.seq - newest);
            if (from_prev == 0) {
                a.verdict = FrameVerdict::Repeated;
                ++r.repeated;
            } else if (from_newest < 0) {
                a.verdict = FrameVerdict::OutOfOrder;
                ++r.out_of_order;
            } else if (from_newest > static_cast<int32_t>(step)) {
                a.verdict = FrameVerdict::AfterDrop;
                a.dropped_before = static_cast<uint32_t>(from_newest) - step;
                r.dropped += a.dropped_before;
            }
            if (from_newest > 0)
                newest = obs.seq;
            prev = obs.seq;
            break;
        }
        }
        r.frames.push_back(std::move(a));
    }
    r.last_seq = newest;
    return r;
}

} // namespace zcd::tools
