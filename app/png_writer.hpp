// Writes an 8-bit RGBA image as PNG (libpng).  Pure, so captures are tested
// without a display.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

namespace zcd::app {

// `rgba` holds `height` rows of `stride` bytes; each pixel is R, G, B, A.
// Returns false and sets *error (one line) on failure.
bool write_png_rgba(const std::string& path, uint32_t width, uint32_t height, uint32_t stride,
                    const uint8_t* rgba, std::string* error);
// The same into an open file (the capture writer's temporary file); `what`
// names it in *error.  The caller closes the file.
bool write_png_rgba_file(std::FILE* file, const std::string& what, uint32_t width, uint32_t height,
                         uint32_t stride, const uint8_t* rgba, std::string* error);

} // namespace zcd::app
