#include <gtest/gtest.h>
#include <png.h>

#include <cstdlib>
#include <cstring>
#include <vector>

#include "app/png_writer.hpp"

TEST(PngWriter, RoundTripsExactPixels) {
    const uint32_t w = 5, h = 3;
    std::vector<uint8_t> px(w * h * 4);
    for (size_t i = 0; i < px.size(); ++i)
        px[i] = static_cast<uint8_t>(i * 37 + 11);
    char dir[] = "/tmp/zcd-png-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    std::string path = std::string(dir) + "/t.png";
    std::string err;
    ASSERT_TRUE(zcd::app::write_png_rgba(path, w, h, w * 4, px.data(), &err)) << err;

    png_image img;
    std::memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    ASSERT_TRUE(png_image_begin_read_from_file(&img, path.c_str()));
    img.format = PNG_FORMAT_RGBA;
    std::vector<uint8_t> back(PNG_IMAGE_SIZE(img));
    ASSERT_TRUE(png_image_finish_read(&img, nullptr, back.data(), 0, nullptr));
    EXPECT_EQ(img.width, w);
    EXPECT_EQ(img.height, h);
    EXPECT_EQ(back, px);
    std::remove(path.c_str());
    rmdir(dir);
}

TEST(PngWriter, UnwritablePathFailsWithOneLine) {
    std::vector<uint8_t> px(4, 0);
    std::string err;
    EXPECT_FALSE(zcd::app::write_png_rgba("/nonexistent-dir/x.png", 1, 1, 4, px.data(), &err));
    EXPECT_FALSE(err.empty());
    EXPECT_EQ(err.find('\n'), std::string::npos);
}
