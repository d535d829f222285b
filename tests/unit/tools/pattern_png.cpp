// Writes a capture-like PNG of a zc-client pattern frame for the zc-verify
// tests, computed with common/pattern and optionally damaged on purpose.
//   pattern_png OUT.png PATTERN FRAME WxH [--scale N] [--canvas WxH] [--at X,Y]
//               [--perturb X,Y,DELTA] [--tear-with FRAME]
// --canvas/--at/--scale place the (scaled) buffer on a black output like a
// compositor would; --perturb adds DELTA to the red channel of one pixel;
// --tear-with draws the lower half of the canvas from another frame.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "common/pattern.hpp"
#include "tools/lib/png_image.hpp"

namespace {

bool pair_of(const char* s, char sep, uint32_t* a, uint32_t* b) {
    char* end = nullptr;
    *a = static_cast<uint32_t>(std::strtoul(s, &end, 10));
    if (*end != sep)
        return false;
    *b = static_cast<uint32_t>(std::strtoul(end + 1, &end, 10));
    return *end == 0;
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 5) {
        std::fprintf(stderr, "usage: pattern_png OUT.png PATTERN FRAME WxH [options]\n");
        return 2;
    }
    std::string err;
    auto pattern = zcd::parse_pattern(argv[2], &err);
    uint64_t frame = std::strtoull(argv[3], nullptr, 10), tear_frame = 0;
    uint32_t w = 0, h = 0, cw = 0, ch = 0, ax = 0, ay = 0, scale = 1, px = 0, py = 0;
    int delta = 0;
    bool perturb = false, tear = false;
    if (!pattern || !pair_of(argv[4], 'x', &w, &h)) {
        std::fprintf(stderr, "pattern_png: bad pattern or size %s\n", err.c_str());
        return 2;
    }
    cw = w, ch = h;
    for (int i = 5; i + 1 < argc; i += 2) {
        std::string a = argv[i];
        const char* v = argv[i + 1];
        bool ok = true;
        if (a == "--scale")
            scale = static_cast<uint32_t>(std::atoi(v));
        else if (a == "--canvas")
            ok = pair_of(v, 'x', &cw, &ch);
        else if (a == "--at")
            ok = pair_of(v, ',', &ax, &ay);
        else if (a == "--perturb") {
            ok = std::sscanf(v, "%u,%u,%d", &px, &py, &delta) == 3;
            perturb = true;
        } else if (a == "--tear-with") {
            tear_frame = std::strtoull(v, nullptr, 10);
            tear = true;
        } else
            ok = false;
        if (!ok) {
            std::fprintf(stderr, "pattern_png: bad argument %s %s\n", a.c_str(), v);
            return 2;
        }
    }
    auto top = zcd::render_pattern(*pattern, frame, w, h);
    auto bottom = tear ? zcd::render_pattern(*pattern, tear_frame, w, h) : top;
    zcd::tools::RgbaImage img = zcd::tools::make_image(cw, ch, 0x000000ff);
    for (uint32_t y = ay; y < ch && y < ay + h * scale; ++y)
        for (uint32_t x = ax; x < cw && x < ax + w * scale; ++x) {
            const auto& src = y < ch / 2 ? top : bottom;
            uint32_t v = src[size_t{(y - ay) / scale} * w + (x - ax) / scale];
            uint8_t* d = img.px(x, y);
            d[0] = static_cast<uint8_t>(v >> 16), d[1] = static_cast<uint8_t>(v >> 8),
            d[2] = static_cast<uint8_t>(v);
        }
    if (perturb) {
        uint8_t* d = img.px(px, py);
        d[0] = static_cast<uint8_t>(std::clamp(int{d[0]} + delta, 0, 255));
    }
    if (!zcd::tools::write_png(argv[1], img, &err)) {
        std::fprintf(stderr, "pattern_png: %s\n", err.c_str());
        return 1;
    }
    return 0;
}
