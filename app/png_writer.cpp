#include "app/png_writer.hpp"

#include <png.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace zcd::app {

namespace {

// libpng's simplified API: no setjmp/longjmp through our C++ frames.
png_image rgba_image(uint32_t width, uint32_t height) {
    png_image image;
    std::memset(&image, 0, sizeof image);
    image.version = PNG_IMAGE_VERSION;
    image.width = width;
    image.height = height;
    image.format = PNG_FORMAT_RGBA;
    return image;
}

bool failed(png_image* image, const std::string& what, std::string* error) {
    *error = "cannot write " + what + ": " + image->message;
    png_image_free(image);
    return false;
}

} // namespace

bool write_png_rgba(const std::string& path, uint32_t width, uint32_t height, uint32_t stride,
                    const uint8_t* rgba, std::string* error) {
    png_image image = rgba_image(width, height);
    if (!png_image_write_to_file(&image, path.c_str(), 0, rgba, static_cast<png_int_32>(stride),
                                 nullptr))
        return failed(&image, path, error);
    return true;
}

bool write_png_rgba_file(std::FILE* file, const std::string& what, uint32_t width, uint32_t height,
                         uint32_t stride, const uint8_t* rgba, std::string* error) {
    png_image image = rgba_image(width, height);
    if (!png_image_write_to_stdio(&image, file, 0, rgba, static_cast<png_int_32>(stride), nullptr))
        return failed(&image, what, error);
    return true;
}

} // namespace zcd::app
