#include "tools/lib/image_compare.hpp"

#include <algorithm>
#include <charconv>
#include <vector>

namespace zcd::tools {

namespace {

bool parse_int(std::string_view s, int* out) {
    if (!s.empty() && s[0] == '+')
        s.remove_prefix(1);
    auto r = std::from_chars(s.data(), s.data() + s.size(), *out);
    return r.ec == std::errc() && r.ptr == s.data() + s.size() && !s.empty();
}

// "N" -> -N..N, "LO:HI" -> LO..HI.
bool parse_range(std::string_view s, ChannelFuzz* out) {
    auto colon = s.find(':');
    if (colon == std::string_view::npos) {
        int n = 0;
        if (!parse_int(s, &n) || n < 0 || n > 255)
            return false;
        *out = {-n, n};
        return true;
    }
    ChannelFuzz f;
    if (!parse_int(s.substr(0, colon), &f.lo) || !parse_int(s.substr(colon + 1), &f.hi))
        return false;
    if (f.lo > f.hi || f.lo < -255 || f.hi > 255)
        return false;
    *out = f;
    return true;
}

} // namespace

std::optional<Fuzz> parse_fuzz(const std::string& spec, std::string* error) {
    Fuzz fuzz{};
    auto bad = [&] {
        *error = "bad --fuzz '" + spec +
                 "': expected N, LO:HI or r=LO:HI,g=..,b=..,a=.. (-255..255, LO <= HI)";
        return std::nullopt;
    };
    if (spec.find('=') == std::string::npos) {
        ChannelFuzz f;
        if (!parse_range(spec, &f))
            return bad();
        fuzz.fill(f);
        return fuzz;
    }
    if (spec.back() == ',')
        return bad();
    std::string_view rest = spec;
    while (!rest.empty()) {
        auto comma = rest.find(',');
        std::string_view item = rest.substr(0, comma);
        rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
        if (item.size() < 3 || item[1] != '=')
            return bad();
        static constexpr std::string_view kChannels = "rgba";
        auto ch = kChannels.find(item[0]);
        if (ch == std::string_view::npos || !parse_range(item.substr(2), &fuzz[ch]))
            return bad();
        if (comma == std::string_view::npos)
            break;
    }
    return fuzz;
}

std::string to_string(const Fuzz& fuzz) {
    std::string s;
    const char* names = "rgba";
    for (int i = 0; i < 4; ++i)
        s += std::string(i ? "," : "") + names[i] + "=" + std::to_string(fuzz[i].lo) + ":" +
             std::to_string(fuzz[i].hi);
    return s;
}

std::optional<Rect> parse_rect(const std::string& spec, std::string* error) {
    std::vector<int> v;
    std::string_view rest = spec;
    while (true) {
        auto comma = rest.find(',');
        int n = 0;
        if (!parse_int(rest.substr(0, comma), &n) || n < 0)
            break;
        v.push_back(n);
        if (comma == std::string_view::npos)
            break;
        rest = rest.substr(comma + 1);
    }
    if (v.size() != 4 || v[2] == 0 || v[3] == 0) {
        *error = "bad rectangle '" + spec + "': expected x,y,w,h with w,h > 0";
        return std::nullopt;
    }
    return Rect{static_cast<uint32_t>(v[0]), static_cast<uint32_t>(v[1]),
                static_cast<uint32_t>(v[2]), static_cast<uint32_t>(v[3])};
}

bool clip_inside(const Rect& clip, uint32_t width, uint32_t height) {
    return clip.x < width && clip.y < height;
}

CompareResult compare_images(const RgbaImage& shot, const RgbaImage& ref, const CompareOptions& o) {
    CompareResult r;
    if (shot.width != ref.width || shot.height != ref.height) {
        r.size_mismatch = true;
        return r;
    }
    Rect clip = o.clip.value_or(Rect{0, 0, shot.width, shot.height});
    uint32_t x1 = std::min<uint64_t>(shot.width, uint64_t{clip.x} + clip.width);
    uint32_t y1 = std::min<uint64_t>(shot.height, uint64_t{clip.y} + clip.height);
    r.diff = make_image(shot.width, shot.height, 0x000000ff);
    r.min_delta.fill(0);
    r.max_delta.fill(0);
    uint32_t bx0 = UINT32_MAX, by0 = UINT32_MAX, bx1 = 0, by1 = 0;
    for (uint32_t y = clip.y; y < y1; ++y) {
        for (uint32_t x = clip.x; x < x1; ++x) {
            const uint8_t* s = shot.px(x, y);
            const uint8_t* e = ref.px(x, y);
            bool match = true;
            for (int c = 0; c < 4; ++c) {
                int d = int{s[c]} - int{e[c]};
                r.min_delta[c] = std::min(r.min_delta[c], d);
                r.max_delta[c] = std::max(r.max_delta[c], d);
                match &= d >= o.fuzz[c].lo && d <= o.fuzz[c].hi;
            }
            ++r.compared_pixels;
            uint8_t* p = r.diff.px(x, y);
            if (match) {
                p[1] = 255;
            } else {
                p[0] = 255;
                ++r.diff_pixels;
                bx0 = std::min(bx0, x), by0 = std::min(by0, y);
                bx1 = std::max(bx1, x), by1 = std::max(by1, y);
            }
        }
    }
    if (r.diff_pixels)
        r.diff_bounds = {bx0, by0, bx1 - bx0 + 1, by1 - by0 + 1};
    r.pass = r.diff_pixels <= o.max_diff_pixels;
    return r;
}

} // namespace zcd::tools
