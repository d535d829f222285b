// Frame-identity stripe: round trips over sizes, integer scalings, noise,
// damaged check bits, tearing, and "no stripe".
#include <gtest/gtest.h>

#include <random>

#include "common/pattern.hpp"
#include "common/stripe.hpp"

namespace {

using zcd::FrameIdentity;
using zcd::ImageView;
using zcd::StripeStatus;

struct Image {
    std::vector<uint32_t> px;
    uint32_t w = 0, h = 0;
    ImageView view() const { return {px.data(), w, h, w}; }
    zcd::MutableImageView mut() { return {px.data(), w, h, w}; }
};

Image frame(const char* pattern, uint64_t n, uint32_t w, uint32_t h) {
    auto p = zcd::parse_pattern(pattern, nullptr);
    EXPECT_TRUE(p.has_value());
    return {zcd::render_pattern(*p, n, w, h), w, h};
}

// Nearest-neighbour integer upscale, as a compositor scaling a buffer does.
Image upscale(const Image& in, uint32_t s) {
    Image out{std::vector<uint32_t>(size_t(in.w) * s * in.h * s), in.w * s, in.h * s};
    for (uint32_t y = 0; y < out.h; ++y)
        for (uint32_t x = 0; x < out.w; ++x)
            out.px[size_t(y) * out.w + x] = in.px[size_t(y / s) * in.w + x / s];
    return out;
}

// Places the frame at (ox, oy) in a larger capture filled with `bg`.
Image embed(const Image& in, uint32_t ox, uint32_t oy, uint32_t W, uint32_t H, uint32_t bg) {
    Image out{std::vector<uint32_t>(size_t(W) * H, bg), W, H};
    for (uint32_t y = 0; y < in.h; ++y)
        for (uint32_t x = 0; x < in.w; ++x)
            out.px[size_t(y + oy) * W + x + ox] = in.px[size_t(y) * in.w + x];
    return out;
}

TEST(Stripe, Crc8KnownValue) {
    // CRC-8 poly 0x07 init 0xFF over "123456789" is 0xFB (CRC-8/ROHC check).
    const uint8_t msg[] = {'1', '2', '3', '4', '5', '6', '7', '8', '9'};
    EXPECT_EQ(zcd::stripe_crc8(msg, sizeof msg), 0xfb);
}

TEST(Stripe, CellSizeFollowsWidth) {
    EXPECT_EQ(zcd::stripe_cell_px(64 * 8), 8u);
    EXPECT_EQ(zcd::stripe_cell_px(64 * 8 - 1), 7u);
    EXPECT_EQ(zcd::stripe_cell_px(64), 1u);
    EXPECT_EQ(zcd::stripe_cell_px(63), 0u);
}

struct Size {
    uint32_t w, h;
};

TEST(Stripe, RoundTripOverSizesPatternsAndScales) {
    const Size sizes[] = {{64, 16}, {100, 40}, {257, 99}, {640, 480}, {1280, 200}};
    const char* patterns[] = {"smpte",  "gradient",     "checker",
                              "motion", "solid:ffffff", "solid:000000"};
    const uint32_t seqs[] = {0, 1, 0x7fffffffu, 0xdeadbeefu, 0xffffffffu};
    int checked = 0;
    for (Size s : sizes)
        for (const char* pat : patterns)
            for (uint32_t seq : seqs)
                for (uint32_t scale = 1; scale <= 4; ++scale) {
                    if (s.w * scale > 1000 && scale > 1) // keep the test fast
                        continue;
                    Image img = upscale(frame(pat, seq, s.w, s.h), scale);
                    FrameIdentity id = zcd::decode_frame_identity(img.view());
                    ASSERT_EQ(id.status, StripeStatus::Valid)
                        << pat << " " << s.w << "x" << s.h << " seq " << seq << " x" << scale;
                    EXPECT_EQ(id.seq, seq);
                    EXPECT_EQ(id.x, 0u);
                    EXPECT_EQ(id.y, 0u);
                    EXPECT_DOUBLE_EQ(id.cell_px, double(zcd::stripe_cell_px(s.w) * scale));
                    EXPECT_EQ(id.has_bottom_copy, s.h >= 5 * zcd::stripe_cell_px(s.w));
                    ++checked;
                }
    EXPECT_EQ(checked, 390); // every combination above ran
}

TEST(Stripe, FoundInsideALargerCaptureOnAnyBackground) {
    Image f = frame("smpte", 4242, 320, 200);
    for (uint32_t bg : {0x000000u, 0xffffffu, 0x808080u}) {
        Image cap = embed(upscale(f, 2), 37, 51, 900, 500, bg);
        FrameIdentity id = zcd::decode_frame_identity(cap.view());
        ASSERT_EQ(id.status, StripeStatus::Valid) << std::hex << bg;
        EXPECT_EQ(id.seq, 4242u);
        EXPECT_EQ(id.x, 37u);
        EXPECT_EQ(id.y, 51u);
        EXPECT_TRUE(id.has_bottom_copy);
    }
}

TEST(Stripe, SurvivesSmallColourError) {
    std::mt19937 rng(7);
    std::uniform_int_distribution<int> noise(-60, 60);
    for (uint32_t seq : {3u, 0xa5a5a5a5u, 123456789u}) {
        Image img = upscale(frame("gradient", seq, 400, 120), 2);
        for (uint32_t& p : img.px) {
            uint32_t out = 0;
            for (int sh = 0; sh <= 16; sh += 8) {
                int c = int((p >> sh) & 0xff) + noise(rng);
                out |= uint32_t(std::clamp(c, 0, 255)) << sh;
            }
            p = out;
        }
        FrameIdentity id = zcd::decode_frame_identity(img.view());
        ASSERT_EQ(id.status, StripeStatus::Valid);
        EXPECT_EQ(id.seq, seq);
    }
}

TEST(Stripe, NoStripeInAPlainPattern) {
    for (const char* pat : {"smpte", "gradient", "checker", "motion"}) {
        Image img = frame(pat, 5, 640, 480);
        // Paint over both bands with the pattern's own neighbouring rows.
        for (uint32_t y = 0; y < 16; ++y)
            for (uint32_t x = 0; x < img.w; ++x) {
                img.px[size_t(y) * img.w + x] = img.px[size_t(100 + y) * img.w + x];
                img.px[size_t(img.h - 1 - y) * img.w + x] = img.px[size_t(200 + y) * img.w + x];
            }
        EXPECT_EQ(zcd::decode_frame_identity(img.view()).status, StripeStatus::NoStripe) << pat;
    }
}

TEST(Stripe, DamagedCheckBitsAreDetected) {
    const uint32_t cell = zcd::stripe_cell_px(640);
    // Flip each data cell (sequence, flags and CRC) of both bands in turn.
    for (uint32_t bit = 0; bit < zcd::kStripeDataCells; ++bit) {
        Image img = frame("checker", 99, 640, 480);
        uint32_t x0 = (zcd::kStripeSyncCells + bit) * cell;
        for (uint32_t y = 0; y < img.h; ++y)
            for (uint32_t x = x0; x < x0 + cell; ++x)
                if (y < 2 * cell || y >= img.h - 2 * cell)
                    img.px[size_t(y) * img.w + x] ^= 0x00ffffff;
        FrameIdentity id = zcd::decode_frame_identity(img.view());
        EXPECT_EQ(id.status, StripeStatus::Corrupt) << "data cell " << bit;
    }
}

TEST(Stripe, TopAndBottomCopiesOfDifferentFramesAreTorn) {
    Image a = frame("motion", 10, 320, 240);
    Image b = frame("motion", 11, 320, 240);
    // Scanout switched buffers at row 120: the top half is frame 10.
    for (uint32_t y = 120; y < a.h; ++y)
        for (uint32_t x = 0; x < a.w; ++x)
            a.px[size_t(y) * a.w + x] = b.px[size_t(y) * b.w + x];
    FrameIdentity id = zcd::decode_frame_identity(a.view());
    EXPECT_EQ(id.status, StripeStatus::Torn);
    EXPECT_EQ(id.seq, 10u);
    EXPECT_EQ(id.seq_other, 11u);
}

TEST(Stripe, TearThroughTheBandIsTorn) {
    Image a = upscale(frame("smpte", 500, 320, 240), 3);
    Image b = upscale(frame("smpte", 501, 320, 240), 3);
    const uint32_t band_rows = 2 * zcd::stripe_cell_px(320) * 3;
    for (uint32_t y = band_rows / 2; y < a.h; ++y)
        for (uint32_t x = 0; x < a.w; ++x)
            a.px[size_t(y) * a.w + x] = b.px[size_t(y) * b.w + x];
    FrameIdentity id = zcd::decode_frame_identity(a.view());
    EXPECT_EQ(id.status, StripeStatus::Torn);
    EXPECT_EQ(id.seq, 500u);
    EXPECT_EQ(id.seq_other, 501u);
}

TEST(Stripe, TwoFramesSideBySideGiveTwoBandsEach) {
    Image cap{std::vector<uint32_t>(1000 * 300, 0), 1000, 300};
    Image l = frame("gradient", 1, 400, 200), r = frame("checker", 2, 400, 200);
    for (uint32_t y = 0; y < 200; ++y)
        for (uint32_t x = 0; x < 400; ++x) {
            cap.px[size_t(y + 10) * 1000 + x + 20] = l.px[size_t(y) * 400 + x];
            cap.px[size_t(y + 50) * 1000 + x + 500] = r.px[size_t(y) * 400 + x];
        }
    auto bands = zcd::find_stripe_bands(cap.view());
    ASSERT_EQ(bands.size(), 4u);
    EXPECT_EQ(bands[0].seq, 1u);
    EXPECT_FALSE(bands[0].bottom_copy);
    EXPECT_EQ(bands[1].seq, 2u);
    EXPECT_EQ(bands[1].x, 500u);
    EXPECT_TRUE(bands[2].bottom_copy);
    EXPECT_TRUE(bands[3].bottom_copy);
    for (const auto& b : bands)
        EXPECT_TRUE(b.valid && !b.torn);
}

TEST(Stripe, TooSmallFramesCarryNoStripe) {
    std::vector<uint32_t> px(40 * 40, 0x123456);
    EXPECT_FALSE(zcd::draw_stripe({px.data(), 40, 40, 40}, 1));
    for (uint32_t p : px)
        ASSERT_EQ(p, 0x123456u);
}

} // namespace
