#include "app/png_writer.hpp"

#include <png.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace zcd::app {

bool write_png_rgba(const std::string& path, uint32_t width, uint32_t height, uint32_t stride,
                    const uint8_t* rgba, std::string* error) {
    // libpng's simplified API: no setjmp/longjmp through our C++ frames.
    png_image image;
    std::memset(&image, 0, sizeof image);
    image.version = PNG_IMAGE_VERSION;
    image.width = width;
    image.height = height;
    image.format = PNG_FORMAT_RGBA;
    if (!png_image_write_to_file(&image, path.c_str(), 0, rgba, static_cast<png_int_32>(stride),
                                 nullptr)) {
        *error = "cannot write " + path + ": " + image.message;
        png_image_free(&image);
        return false;
    }
    return true;
}

bool write_png_rgba_file(std::FILE* file, const std::string& what, uint32_t width, uint32_t height,
                         uint32_t stride, const uint8_t* rgba, std::string* error) {
    png_image image;
    std::memset(&image, 0, sizeof image);
    image.version = PNG_IMAGE_VERSION;
    image.width = width;
    image.height = height;
    image.format = PNG_FORMAT_RGBA;
    if (!png_image_write_to_stdio(&image, file, 0, rgba, static_cast<png_int_32>(stride),
                                  nullptr)) {
        *error = "cannot write " + what + ": " + image.message;
        png_image_free(&image);
        return false;
    }
    return true;
}

} // namespace zcd::app
