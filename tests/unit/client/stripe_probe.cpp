// Test helper: decodes the frame-identity stripe of PNG captures and prints
// one line per file: "<file> <status> <seq> <seq_other> <x> <y>".
// Exit 2 when a file cannot be read.
#include <cstdio>
#include <png.h>
#include <string>
#include <vector>

#include "common/stripe.hpp"

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: client_stripe_probe PNG...\n");
        return 2;
    }
    for (int i = 1; i < argc; ++i) {
        png_image img{};
        img.version = PNG_IMAGE_VERSION;
        if (!png_image_begin_read_from_file(&img, argv[i])) {
            std::fprintf(stderr, "client_stripe_probe: %s: %s\n", argv[i], img.message);
            return 2;
        }
        // BGRA bytes are XRGB8888 words on little-endian machines.
        img.format = PNG_FORMAT_BGRA;
        std::vector<uint32_t> px(size_t(img.width) * img.height);
        if (!png_image_finish_read(&img, nullptr, px.data(), 0, nullptr)) {
            std::fprintf(stderr, "client_stripe_probe: %s: %s\n", argv[i], img.message);
            return 2;
        }
        for (auto& p : px)
            p &= 0x00ffffff;
        auto id = zcd::decode_frame_identity({px.data(), img.width, img.height, img.width});
        std::printf("%s %s %u %u %u %u\n", argv[i], std::string(zcd::to_string(id.status)).c_str(),
                    id.seq, id.seq_other, id.x, id.y);
    }
    return 0;
}
