#include "common/pattern.hpp"

#include <algorithm>
#include <charconv>

namespace zcd {

namespace {

constexpr uint32_t rgb(uint32_t r, uint32_t g, uint32_t b) {
    return r << 16 | g << 8 | b;
}

// SMPTE EG 1-like bars at 75%: grey, yellow, cyan, green, magenta, red, blue.
constexpr uint32_t kBars[7] = {rgb(191, 191, 191), rgb(191, 191, 0), rgb(0, 191, 191),
                               rgb(0, 191, 0),     rgb(191, 0, 191), rgb(191, 0, 0),
                               rgb(0, 0, 191)};
// The castellation row under the bars: the bars' complements in reverse order.
constexpr uint32_t kCastellations[7] = {rgb(0, 0, 191),    rgb(19, 19, 19),  rgb(191, 0, 191),
                                        rgb(19, 19, 19),   rgb(0, 191, 191), rgb(19, 19, 19),
                                        rgb(191, 191, 191)};
// Bottom row: -I, white, +Q, black, then near-black steps (pluge).
constexpr uint32_t kBottom[7] = {rgb(0, 33, 76),  rgb(255, 255, 255), rgb(50, 0, 106),
                                 rgb(19, 19, 19), rgb(9, 9, 9),       rgb(19, 19, 19),
                                 rgb(29, 29, 29)};

uint32_t smpte_px(uint32_t x, uint32_t y, uint32_t w, uint32_t h) {
    uint32_t col = uint32_t(uint64_t(x) * 7 / w);
    if (uint64_t(y) * 3 < uint64_t(h) * 2)
        return kBars[col];
    if (uint64_t(y) * 4 < uint64_t(h) * 3)
        return kCastellations[col];
    return kBottom[col];
}

uint32_t gradient_px(uint32_t x, uint32_t y, uint32_t w, uint32_t h) {
    uint32_t r = w > 1 ? uint32_t(uint64_t(x) * 255 / (w - 1)) : 0;
    uint32_t g = h > 1 ? uint32_t(uint64_t(y) * 255 / (h - 1)) : 0;
    return rgb(r, g, 0x80);
}

uint32_t checker_px(uint32_t x, uint32_t y, uint64_t frame) {
    uint64_t shift = frame * 2;
    return (((x + shift) / 32 + y / 32) & 1) ? rgb(255, 255, 255) : rgb(0, 0, 0);
}

uint32_t motion_px(uint32_t x, uint32_t y, uint32_t w, uint32_t h, uint64_t frame) {
    uint64_t bar_x = (frame * 8) % w;
    uint64_t bar_y = (frame * 4) % h;
    // The vertical bar wraps around the right edge.
    uint64_t dx = (x + uint64_t(w) - bar_x) % w;
    if (dx < 16)
        return rgb(255, 255, 255);
    uint64_t dy = (y + uint64_t(h) - bar_y) % h;
    if (dy < 8)
        return rgb(220, 30, 30);
    return rgb(48, 48, 48);
}

} // namespace

std::optional<Pattern> parse_pattern(std::string_view text, std::string* error) {
    Pattern p;
    if (text == "smpte") {
        p.kind = PatternKind::Smpte;
    } else if (text == "gradient") {
        p.kind = PatternKind::Gradient;
    } else if (text == "checker") {
        p.kind = PatternKind::Checker;
    } else if (text == "motion") {
        p.kind = PatternKind::Motion;
    } else if (text.starts_with("solid:")) {
        std::string_view hex = text.substr(6);
        uint32_t v = 0;
        auto [end, ec] = std::from_chars(hex.data(), hex.data() + hex.size(), v, 16);
        if (hex.size() != 6 || ec != std::errc() || end != hex.data() + hex.size()) {
            if (error)
                *error = "solid colour must be 6 hex digits RRGGBB, got '" + std::string(hex) + "'";
            return std::nullopt;
        }
        p.kind = PatternKind::Solid;
        p.solid_xrgb = v;
    } else {
        if (error)
            *error = "unknown pattern '" + std::string(text) +
                     "' (smpte|gradient|checker|motion|solid:RRGGBB)";
        return std::nullopt;
    }
    return p;
}

std::string to_string(const Pattern& p) {
    switch (p.kind) {
    case PatternKind::Smpte:
        return "smpte";
    case PatternKind::Gradient:
        return "gradient";
    case PatternKind::Checker:
        return "checker";
    case PatternKind::Motion:
        return "motion";
    case PatternKind::Solid: {
        static constexpr char kHex[] = "0123456789abcdef";
        std::string s = "solid:";
        for (int shift = 20; shift >= 0; shift -= 4)
            s += kHex[(p.solid_xrgb >> shift) & 0xf];
        return s;
    }
    }
    return "unknown";
}

uint32_t pattern_pixel(const Pattern& p, uint64_t frame, uint32_t x, uint32_t y, uint32_t w,
                       uint32_t h) {
    switch (p.kind) {
    case PatternKind::Smpte:
        return smpte_px(x, y, w, h);
    case PatternKind::Gradient:
        return gradient_px(x, y, w, h);
    case PatternKind::Checker:
        return checker_px(x, y, frame);
    case PatternKind::Motion:
        return motion_px(x, y, w, h, frame);
    case PatternKind::Solid:
        return p.solid_xrgb & 0x00ffffff;
    }
    return 0;
}

namespace {

// Row painters: the same pixels as pattern_pixel(), drawn as runs so a
// 1080p frame costs a few milliseconds instead of a per-pixel switch.
void smpte_row(uint32_t* row, uint32_t y, uint32_t w, uint32_t h) {
    const uint32_t* colours = uint64_t(y) * 3 < uint64_t(h) * 2   ? kBars
                              : uint64_t(y) * 4 < uint64_t(h) * 3 ? kCastellations
                                                                  : kBottom;
    // Column i covers the x with floor(7x/w) == i: x in [ceil(i*w/7), ceil((i+1)*w/7)).
    for (uint32_t i = 0; i < 7; ++i) {
        uint32_t a = uint32_t((uint64_t(i) * w + 6) / 7);
        uint32_t b = uint32_t((uint64_t(i + 1) * w + 6) / 7);
        std::fill(row + a, row + std::min(b, w), colours[i]);
    }
}

void checker_row(uint32_t* row, uint32_t y, uint32_t w, uint64_t frame) {
    const uint64_t shift = frame * 2;
    uint32_t x = 0;
    while (x < w) {
        // Run up to the next multiple of 32 of (x + shift).
        uint32_t run = uint32_t(32 - (x + shift) % 32);
        uint32_t end = std::min(w, x + run);
        std::fill(row + x, row + end, checker_px(x, y, frame));
        x = end;
    }
}

void motion_row(uint32_t* row, uint32_t y, uint32_t w, uint32_t h, uint64_t frame) {
    const uint64_t bar_y = (frame * 4) % h;
    const bool in_red = (y + uint64_t(h) - bar_y) % h < 8;
    std::fill(row, row + w, in_red ? rgb(220, 30, 30) : rgb(48, 48, 48));
    // The 16-px white bar starts at bar_x and wraps around the right edge.
    const uint64_t bar_x = (frame * 8) % w;
    for (uint64_t i = 0; i < 16 && i < w; ++i)
        row[(bar_x + i) % w] = rgb(255, 255, 255);
}

} // namespace

void render_pattern(const Pattern& p, uint64_t frame, MutableImageView dst) {
    const uint32_t w = dst.width, h = dst.height;
    if (w == 0 || h == 0)
        return;
    std::vector<uint32_t> ramp; // gradient: red and blue per column
    if (p.kind == PatternKind::Gradient) {
        ramp.resize(w);
        for (uint32_t x = 0; x < w; ++x)
            ramp[x] = gradient_px(x, 0, w, h);
    }
    for (uint32_t y = 0; y < h; ++y) {
        uint32_t* row = dst.pixels + size_t(y) * dst.stride_px;
        switch (p.kind) {
        case PatternKind::Smpte:
            smpte_row(row, y, w, h);
            break;
        case PatternKind::Gradient: {
            const uint32_t g = gradient_px(0, y, w, h) & 0x0000ff00;
            for (uint32_t x = 0; x < w; ++x)
                row[x] = ramp[x] | g;
            break;
        }
        case PatternKind::Checker:
            checker_row(row, y, w, frame);
            break;
        case PatternKind::Motion:
            motion_row(row, y, w, h, frame);
            break;
        case PatternKind::Solid:
            std::fill(row, row + w, p.solid_xrgb & 0x00ffffff);
            break;
        }
    }
    draw_stripe(dst, uint32_t(frame));
}

std::vector<uint32_t> render_pattern(const Pattern& p, uint64_t frame, uint32_t width,
                                     uint32_t height) {
    std::vector<uint32_t> px(size_t(width) * height);
    render_pattern(p, frame, MutableImageView{px.data(), width, height, width});
    return px;
}

} // namespace zcd
