#include "tools/lib/png_image.hpp"

#include <png.h>

#include <cstring>

#include "common/trace_import.hpp"

namespace zcd::tools {

namespace {
constexpr size_t kMaxDeflateRatio = 1032; // deflate's best case: 258 bytes in 2 bits
} // namespace

RgbaImage make_image(uint32_t width, uint32_t height, uint32_t rgba) {
    RgbaImage img;
    img.width = width;
    img.height = height;
    img.rgba.resize(size_t{width} * height * 4);
    for (size_t i = 0; i < img.rgba.size(); i += 4) {
        img.rgba[i] = static_cast<uint8_t>(rgba >> 24);
        img.rgba[i + 1] = static_cast<uint8_t>(rgba >> 16);
        img.rgba[i + 2] = static_cast<uint8_t>(rgba >> 8);
        img.rgba[i + 3] = static_cast<uint8_t>(rgba);
    }
    return img;
}

bool read_png(const std::string& path, RgbaImage* out, std::string* error) {
    std::string bytes, err;
    if (!read_text_file(path, &bytes, &err)) {
        // err is "cannot read PATH: reason".
        *error = "cannot read PNG " + path + ": " + err.substr(("cannot read " + path + ": ").size());
        return false;
    }
    return decode_png(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), path, out,
                      error);
}

bool decode_png(const uint8_t* data, size_t size, const std::string& name, RgbaImage* out,
                std::string* error) {
    png_image png;
    std::memset(&png, 0, sizeof png);
    png.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_memory(&png, data, size)) {
        *error = "cannot read PNG " + name + ": " + png.message;
        return false;
    }
    png.format = PNG_FORMAT_RGBA;
    // The header is the file's claim; check it before allocating for it.
    // Sizes in size_t: libpng's PNG_IMAGE_SIZE is 32-bit and wraps at
    // 32768x32768 RGBA.
    const size_t w = png.width, h = png.height;
    std::string bad_size;
    if (w == 0 || h == 0 || w > kMaxPngSide || h > kMaxPngSide || w * h > kMaxPngPixels)
        bad_size = "unsupported size " + std::to_string(w) + "x" + std::to_string(h) +
                   " (at most " + std::to_string(kMaxPngSide) + " a side and " +
                   std::to_string(kMaxPngPixels) + " pixels)";
    // Every PNG row is a filter byte and at least one bit per pixel, and
    // deflate cannot expand more than 1032:1, so a file of `size` bytes
    // cannot hold more rows than this: a 70-byte file claiming 20000x20000
    // would otherwise cost 1.6 GB of zeroed memory (found by tests/fuzz/png).
    else if (h * (1 + (w + 7) / 8) > size * kMaxDeflateRatio)
        bad_size = "header claims " + std::to_string(w) + "x" + std::to_string(h) +
                   " pixels, more than its " + std::to_string(size) + " bytes can hold";
    if (!bad_size.empty()) {
        png_image_free(&png);
        *error = "cannot read PNG " + name + ": " + bad_size;
        return false;
    }
    RgbaImage img;
    img.width = png.width;
    img.height = png.height;
    img.rgba.resize(w * h * 4);
    if (!png_image_finish_read(&png, nullptr, img.rgba.data(), 0, nullptr)) {
        *error = "cannot read PNG " + name + ": " + png.message;
        png_image_free(&png);
        return false;
    }
    *out = std::move(img);
    return true;
}

bool write_png(const std::string& path, const RgbaImage& image, std::string* error) {
    png_image png;
    std::memset(&png, 0, sizeof png);
    png.version = PNG_IMAGE_VERSION;
    png.width = image.width;
    png.height = image.height;
    png.format = PNG_FORMAT_RGBA;
    if (!png_image_write_to_file(&png, path.c_str(), 0, image.rgba.data(), 0, nullptr)) {
        *error = "cannot write PNG " + path + ": " + png.message;
        return false;
    }
    return true;
}

RgbaImage from_xrgb(const std::vector<uint32_t>& xrgb, uint32_t width, uint32_t height) {
    RgbaImage img = make_image(width, height);
    for (size_t i = 0; i < size_t{width} * height && i < xrgb.size(); ++i) {
        img.rgba[i * 4] = static_cast<uint8_t>(xrgb[i] >> 16);
        img.rgba[i * 4 + 1] = static_cast<uint8_t>(xrgb[i] >> 8);
        img.rgba[i * 4 + 2] = static_cast<uint8_t>(xrgb[i]);
        img.rgba[i * 4 + 3] = 255;
    }
    return img;
}

std::vector<uint32_t> to_xrgb(const RgbaImage& image) {
    std::vector<uint32_t> out(size_t{image.width} * image.height);
    for (size_t i = 0; i < out.size(); ++i)
        out[i] = uint32_t{image.rgba[i * 4]} << 16 | uint32_t{image.rgba[i * 4 + 1]} << 8 |
                 image.rgba[i * 4 + 2];
    return out;
}

} // namespace zcd::tools
