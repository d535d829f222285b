// Writes an 8-bit RGBA image as PNG (libpng).  Pure, so captures are tested
// without a display.
#pragma once

#include <cstdint>
#include <string>

namespace zcd::app {

// `rgba` holds `height` rows of `stride` bytes; each pixel is R, G, B, A.
// Returns false and sets *error (one line) on failure.
bool write_png_rgba(const std::string& path, uint32_t width, uint32_t height, uint32_t stride,
                    const uint8_t* rgba, std::string* error);

} // namespace zcd::app
