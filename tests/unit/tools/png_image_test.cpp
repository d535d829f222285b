// tools/lib/png_image: the PNG reader zc-verify runs on every shot and
// reference, which may come from anywhere.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <unistd.h>
#include <vector>
#include <zlib.h>

#include "tools/lib/png_image.hpp"

namespace {

using zcd::tools::decode_png;
using zcd::tools::RgbaImage;

void put32(std::vector<uint8_t>& v, uint32_t x) {
    for (int s = 24; s >= 0; s -= 8)
        v.push_back(uint8_t(x >> s));
}

void chunk(std::vector<uint8_t>& png, const char* type, const std::vector<uint8_t>& data) {
    put32(png, uint32_t(data.size()));
    std::vector<uint8_t> body(type, type + 4);
    body.insert(body.end(), data.begin(), data.end());
    png.insert(png.end(), body.begin(), body.end());
    put32(png, uint32_t(crc32(0, body.data(), uInt(body.size()))));
}

// A valid-looking RGBA PNG whose header claims width x height but whose
// image data is one empty row: what a hostile or truncated file looks like.
std::vector<uint8_t> header_only_png(uint32_t width, uint32_t height) {
    std::vector<uint8_t> png = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    std::vector<uint8_t> ihdr;
    put32(ihdr, width);
    put32(ihdr, height);
    ihdr.insert(ihdr.end(), {8, 6, 0, 0, 0});
    chunk(png, "IHDR", ihdr);
    uint8_t row = 0;
    std::vector<uint8_t> z(64);
    uLongf zlen = z.size();
    compress(z.data(), &zlen, &row, 1);
    z.resize(zlen);
    chunk(png, "IDAT", z);
    chunk(png, "IEND", {});
    return png;
}

TEST(PngImage, RoundTripsThroughAFile) {
    RgbaImage img = zcd::tools::make_image(5, 3, 0x11223344);
    img.px(4, 2)[0] = 0xee;
    std::string path = ::testing::TempDir() + "png_image_test.png", error;
    ASSERT_TRUE(zcd::tools::write_png(path, img, &error)) << error;
    RgbaImage back;
    ASSERT_TRUE(zcd::tools::read_png(path, &back, &error)) << error;
    EXPECT_EQ(back.width, 5u);
    EXPECT_EQ(back.height, 3u);
    EXPECT_EQ(back.rgba, img.rgba);
    unlink(path.c_str());
}

// tests/fuzz/corpus/png/oom-header-20000x20000.png: the header's size was
// trusted, so 70 bytes cost 1.6 GB of zeroed memory before libpng noticed
// the data was missing.  8000x8000 is within the pixel limit (256 MB): only
// the check against the file's size refuses it.
TEST(PngImage, RefusesAHeaderTheFileCannotHold) {
    for (uint32_t side : {8000u, 20000u}) {
        auto png = header_only_png(side, side);
        RgbaImage img;
        std::string error;
        EXPECT_FALSE(decode_png(png.data(), png.size(), "x.png", &img, &error));
        EXPECT_EQ(img.rgba.capacity(), 0u);
        if (side == 8000) {
            EXPECT_NE(error.find("header claims 8000x8000 pixels, more than its"),
                      std::string::npos)
                << error;
        }
    }
}

// 32768x32768 RGBA is 2^32 bytes: libpng's 32-bit PNG_IMAGE_SIZE wraps to 0.
TEST(PngImage, RefusesMoreThanTheMaximumPixels) {
    auto png = header_only_png(32768, 32768);
    RgbaImage img;
    std::string error;
    EXPECT_FALSE(decode_png(png.data(), png.size(), "x.png", &img, &error));
    EXPECT_NE(error.find("unsupported size 32768x32768"), std::string::npos) << error;
}

TEST(PngImage, MissingFileIsOneLine) {
    RgbaImage img;
    std::string error;
    EXPECT_FALSE(zcd::tools::read_png("/nonexistent/shot.png", &img, &error));
    EXPECT_EQ(error, "cannot read PNG /nonexistent/shot.png: No such file or directory");
}

} // namespace
