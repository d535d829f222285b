// Comparing a capture with a reference (weston's test-suite model): a signed
// per-channel fuzz, an optional clip rectangle and a count of differing
// pixels that is still a pass.  The diff image shows green where a pixel
// matched, red where it did not and black outside the clip.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "tools/lib/png_image.hpp"

namespace zcd::tools {

// A pixel matches when, for every channel, lo <= shot - reference <= hi.
struct ChannelFuzz {
    int lo = 0, hi = 0;
};
using Fuzz = std::array<ChannelFuzz, 4>; // R, G, B, A

// "N" (-N..N on R,G,B,A), "LO:HI" (all channels), or per channel
// "r=LO:HI,g=N,b=LO:HI,a=N" (unnamed channels stay 0:0).
std::optional<Fuzz> parse_fuzz(const std::string& spec, std::string* error);
std::string to_string(const Fuzz& fuzz);

struct Rect {
    uint32_t x = 0, y = 0, width = 0, height = 0;
};
// "x,y,w,h" with w, h > 0.
std::optional<Rect> parse_rect(const std::string& spec, std::string* error);

struct CompareOptions {
    Fuzz fuzz{};
    std::optional<Rect> clip; // compare only inside; nullopt: whole image
    uint64_t max_diff_pixels = 0;
};

struct CompareResult {
    bool size_mismatch = false; // then nothing else is set
    uint64_t compared_pixels = 0;
    uint64_t diff_pixels = 0;
    std::array<int, 4> min_delta{}, max_delta{}; // shot - reference over compared pixels
    Rect diff_bounds;                            // bounding box of differing pixels (0 size: none)
    bool pass = false;
    RgbaImage diff; // green match, red mismatch, black outside the clip
};

// The clip is intersected with the image; a clip wholly outside it compares
// nothing (and passes only if max_diff_pixels allows 0 differences -- i.e.
// always; the caller should refuse such a clip as bad input).
CompareResult compare_images(const RgbaImage& shot, const RgbaImage& reference,
                             const CompareOptions& options);

bool clip_inside(const Rect& clip, uint32_t width, uint32_t height);

} // namespace zcd::tools
