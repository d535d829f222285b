// Synthetic capture sequences with drops, repeats, reordering and tearing:
// frames are drawn with common/stripe, decoded back, then analysed.
#include <gtest/gtest.h>

#include <vector>

#include "common/stripe.hpp"
#include "tools/lib/identity_analysis.hpp"

namespace {

using namespace zcd::tools;

constexpr uint32_t kW = 320, kH = 120;

// A grey frame carrying frame `seq` (top and bottom stripe copies); with
// `torn_with`, the lower half comes from another frame, as a capture that
// caught a buffer flip half way would.
FrameObservation capture(uint32_t seq, std::optional<uint32_t> torn_with = std::nullopt) {
    std::vector<uint32_t> top(kW * kH, 0x00404040), bottom(kW * kH, 0x00404040);
    EXPECT_TRUE(zcd::draw_stripe({top.data(), kW, kH, kW}, seq));
    EXPECT_TRUE(zcd::draw_stripe({bottom.data(), kW, kH, kW}, torn_with.value_or(seq)));
    std::vector<uint32_t> frame(top);
    for (uint32_t y = kH / 2; y < kH; ++y)
        for (uint32_t x = 0; x < kW; ++x)
            frame[y * kW + x] = bottom[y * kW + x];
    auto id = zcd::decode_frame_identity({frame.data(), kW, kH, kW});
    return {"f" + std::to_string(seq), id.status, id.seq, id.seq_other};
}

FrameObservation blank() {
    std::vector<uint32_t> frame(kW * kH, 0x00404040);
    auto id = zcd::decode_frame_identity({frame.data(), kW, kH, kW});
    return {"blank", id.status, id.seq, id.seq_other};
}

std::vector<FrameObservation> captures(std::initializer_list<uint32_t> seqs) {
    std::vector<FrameObservation> v;
    for (uint32_t s : seqs)
        v.push_back(capture(s));
    return v;
}

TEST(Identity, CleanSequence) {
    auto r = analyse_identity(captures({5, 6, 7, 8}));
    EXPECT_EQ(r.valid, 4u);
    EXPECT_EQ(r.dropped + r.repeated + r.out_of_order + r.torn, 0u);
    EXPECT_EQ(r.first_seq, 5u);
    EXPECT_EQ(r.last_seq, 8u);
    for (const auto& f : r.frames)
        EXPECT_EQ(f.verdict, FrameVerdict::Ok);
}

TEST(Identity, Drops) {
    auto r = analyse_identity(captures({1, 2, 5, 6, 8}));
    EXPECT_EQ(r.dropped, 3u); // 3, 4 and 7
    EXPECT_EQ(r.frames[2].verdict, FrameVerdict::AfterDrop);
    EXPECT_EQ(r.frames[2].dropped_before, 2u);
    EXPECT_EQ(r.frames[4].dropped_before, 1u);
}

TEST(Identity, Repeats) {
    auto r = analyse_identity(captures({1, 2, 2, 2, 3}));
    EXPECT_EQ(r.repeated, 2u);
    EXPECT_EQ(r.dropped, 0u);
    EXPECT_EQ(r.frames[2].verdict, FrameVerdict::Repeated);
}

TEST(Identity, Reordering) {
    auto r = analyse_identity(captures({1, 2, 4, 3, 5}));
    EXPECT_EQ(r.out_of_order, 1u);
    EXPECT_EQ(r.frames[3].verdict, FrameVerdict::OutOfOrder);
    // 4 after 2 counted 3 as dropped; it later came, out of order.
    EXPECT_EQ(r.dropped, 1u);
    EXPECT_EQ(r.frames[4].verdict, FrameVerdict::Ok);
}

TEST(Identity, Tearing) {
    auto seq = captures({10, 11});
    seq.push_back(capture(12, 13));
    seq.push_back(capture(13));
    auto r = analyse_identity(seq);
    EXPECT_EQ(r.torn, 1u);
    EXPECT_EQ(r.frames[2].verdict, FrameVerdict::Torn);
    EXPECT_EQ(r.frames[2].observation.seq, 12u);
    EXPECT_EQ(r.frames[2].observation.seq_other, 13u);
    EXPECT_EQ(r.frames[3].verdict, FrameVerdict::AfterDrop); // 12 never seen whole
}

TEST(Identity, MissingStripe) {
    auto seq = captures({1});
    seq.push_back(blank());
    seq.push_back(capture(2));
    auto r = analyse_identity(seq);
    EXPECT_EQ(r.no_stripe, 1u);
    EXPECT_EQ(r.frames[1].verdict, FrameVerdict::NoStripe);
    EXPECT_EQ(r.frames[2].verdict, FrameVerdict::Ok);
}

// The compositor captures from its first frame, before a client maps, and
// goes on after a client has gone: stripeless captures at either end are no
// identity problem and are counted apart; only those in between are.
TEST(Identity, StripelessCapturesAtTheEndsAreSkipped) {
    std::vector<FrameObservation> seq{blank(), blank()};
    for (auto& c : captures({1, 2}))
        seq.push_back(c);
    seq.push_back(blank());
    seq.push_back(capture(3));
    seq.push_back(blank());
    auto r = analyse_identity(seq);
    EXPECT_EQ(r.before_first_frame, 2u);
    EXPECT_EQ(r.after_last_frame, 1u);
    EXPECT_EQ(r.no_stripe, 1u);
    EXPECT_EQ(r.frames[0].verdict, FrameVerdict::BeforeFirstFrame);
    EXPECT_EQ(r.frames[4].verdict, FrameVerdict::NoStripe);
    EXPECT_EQ(r.frames[6].verdict, FrameVerdict::AfterLastFrame);
    EXPECT_EQ(r.valid, 3u);
}

TEST(Identity, NoStripeAnywhereIsAllBeforeTheFirstFrame) {
    auto r = analyse_identity({blank(), blank()});
    EXPECT_EQ(r.before_first_frame, 2u);
    EXPECT_EQ(r.no_stripe, 0u);
    EXPECT_EQ(r.valid, 0u);
}

TEST(Identity, StepAndWrapAround) {
    // Capturing every 30th frame: a step of 30 is not a drop, 60 drops 30.
    auto r = analyse_identity(captures({30, 60, 90, 150}), 30);
    EXPECT_EQ(r.dropped, 30u);
    EXPECT_EQ(r.frames[1].verdict, FrameVerdict::Ok);
    // Sequence numbers wrap modulo 2^32 without looking reordered.
    auto w = analyse_identity(captures({0xfffffffeu, 0xffffffffu, 0u, 1u}));
    EXPECT_EQ(w.out_of_order, 0u);
    EXPECT_EQ(w.dropped, 0u);
}

} // namespace
