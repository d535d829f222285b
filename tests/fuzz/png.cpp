// zc-verify's PNG reader (tools/lib/png_image: libpng's simplified API plus
// our size checks), then what zc-verify does with every shot: convert it to
// XRGB and decode its frame-identity stripe (common/stripe).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "common/stripe.hpp"
#include "tools/lib/png_image.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    zcd::tools::RgbaImage img;
    std::string error;
    if (!zcd::tools::decode_png(data, size, "fuzz.png", &img, &error)) {
        if (error.empty())
            std::abort();
        return 0;
    }
    if (img.rgba.size() != size_t{img.width} * img.height * 4)
        std::abort();
    std::vector<uint32_t> xrgb = zcd::tools::to_xrgb(img);
    zcd::ImageView view{xrgb.data(), img.width, img.height, img.width};
    (void)zcd::decode_frame_identity(view);
    return 0;
}
