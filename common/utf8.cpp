#include "common/utf8.hpp"

#include <cstddef>
#include <cstdint>

namespace zcd {

namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD"; // U+FFFD

// Length of the well-formed sequence at s[i], or 0 when it is ill-formed;
// *bad is then the length of its maximal subpart (>= 1) to replace.  The
// ranges of the second byte are Unicode's table 3-7: they exclude overlong
// forms (E0 80..9F, F0 80..8F), surrogates (ED A0..BF) and code points
// above U+10FFFF (F4 90..BF, F5..FF).
size_t sequence_length(std::string_view s, size_t i, size_t* bad) {
    const auto byte = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
    const uint8_t b0 = byte(i);
    *bad = 1;
    if (b0 < 0x80)
        return 1;
    size_t length = 0;
    uint8_t lo = 0x80, hi = 0xBF; // allowed range of the second byte
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        length = 2;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
        length = 3;
        if (b0 == 0xE0)
            lo = 0xA0;
        else if (b0 == 0xED)
            hi = 0x9F;
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        length = 4;
        if (b0 == 0xF0)
            lo = 0x90;
        else if (b0 == 0xF4)
            hi = 0x8F;
    } else {
        return 0; // 80..C1 and F5..FF never start a sequence
    }
    for (size_t k = 1; k < length; ++k) {
        if (i + k >= s.size())
            return 0; // truncated: the bytes so far are the maximal subpart
        const uint8_t b = byte(i + k);
        const uint8_t min = k == 1 ? lo : 0x80, max = k == 1 ? hi : 0xBF;
        if (b < min || b > max)
            return 0;
        *bad = k + 1;
    }
    return length;
}

} // namespace

std::string valid_utf8(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    size_t i = 0;
    while (i < s.size()) {
        size_t bad = 0;
        const size_t n = sequence_length(s, i, &bad);
        if (n > 0) {
            out.append(s.substr(i, n));
            i += n;
        } else {
            out.append(kReplacement);
            i += bad;
        }
    }
    return out;
}

bool is_valid_utf8(std::string_view s) {
    size_t i = 0;
    while (i < s.size()) {
        size_t bad = 0;
        const size_t n = sequence_length(s, i, &bad);
        if (n == 0)
            return false;
        i += n;
    }
    return true;
}

} // namespace zcd
