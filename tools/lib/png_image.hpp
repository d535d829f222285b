// RGBA8 images and PNG files (libpng's simplified API).  Every PNG colour
// type is read as 8-bit RGBA, so captures in RGB, RGBA, grey or palette form
// compare alike.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace zcd::tools {

struct RgbaImage {
    uint32_t width = 0, height = 0;
    std::vector<uint8_t> rgba; // width * height * 4, rows top to bottom

    const uint8_t* px(uint32_t x, uint32_t y) const { return &rgba[(size_t{y} * width + x) * 4]; }
    uint8_t* px(uint32_t x, uint32_t y) { return &rgba[(size_t{y} * width + x) * 4]; }
};

// Larger PNGs are refused before any pixel is allocated: 8192x8192 RGBA is
// 256 MiB, and no output zcdisplay captures is larger.
inline constexpr uint32_t kMaxPngSide = 32768;
inline constexpr size_t kMaxPngPixels = size_t{1} << 26;

RgbaImage make_image(uint32_t width, uint32_t height, uint32_t rgba = 0x000000ff);

// On failure: false, *error = one line naming the path and the reason.
// read_png reads the file and decodes it with decode_png, which is what
// tests/fuzz/png.cpp fuzzes: a capture or reference is outside input.
bool read_png(const std::string& path, RgbaImage* out, std::string* error);
// `name` only goes into the error line ("cannot read PNG NAME: reason").
bool decode_png(const uint8_t* data, size_t size, const std::string& name, RgbaImage* out,
                std::string* error);
bool write_png(const std::string& path, const RgbaImage& image, std::string* error);

// Conversions to/from the XRGB8888 words of common/pattern and common/stripe
// (0x00RRGGBB; alpha becomes 255).
RgbaImage from_xrgb(const std::vector<uint32_t>& xrgb, uint32_t width, uint32_t height);
std::vector<uint32_t> to_xrgb(const RgbaImage& image);

} // namespace zcd::tools
