// Deterministic test patterns: a pure function of (pattern, frame number,
// width, height) to XRGB8888 pixels, with the frame-identity stripe drawn on
// top.  zc-client draws its frames with it and zc-verify computes expected
// images with it, independently of the compositor's renderer.
//
//   smpte          75% colour bars (top 2/3), reverse castellations, a black
//                  and white bottom row; static
//   gradient       red across, green down, blue 0x80; static
//   checker        32-pixel black/white checkerboard, shifts by 2 px per frame
//   motion         dark grey, a 16-px white bar moving 8 px/frame to the right
//                  (wraps) and an 8-px red bar moving 4 px/frame down
//   solid:RRGGBB   one colour
//
// Frame n carries stripe sequence number n (mod 2^32).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/stripe.hpp"

namespace zcd {

enum class PatternKind : uint8_t { Smpte, Gradient, Checker, Motion, Solid };

struct Pattern {
    PatternKind kind = PatternKind::Smpte;
    uint32_t solid_xrgb = 0; // Solid only: 0x00RRGGBB
};

// Parses "smpte", "gradient", "checker", "motion" or "solid:RRGGBB" (hex).
// On failure returns nullopt and sets *error to one line saying why.
std::optional<Pattern> parse_pattern(std::string_view text, std::string* error);
std::string to_string(const Pattern& p);

// Draws frame `frame` of the pattern, stripe included, into `dst`.
void render_pattern(const Pattern& p, uint64_t frame, MutableImageView dst);

// The pattern's pixel at (x, y) without the stripe: the definition
// render_pattern() draws fast; tests hold the two equal.
uint32_t pattern_pixel(const Pattern& p, uint64_t frame, uint32_t x, uint32_t y, uint32_t width,
                       uint32_t height);

// Convenience: a tightly packed width*height image.
std::vector<uint32_t> render_pattern(const Pattern& p, uint64_t frame, uint32_t width,
                                     uint32_t height);

} // namespace zcd
