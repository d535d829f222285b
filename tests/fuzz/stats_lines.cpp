// The stats socket's lines as zc-stat --live reads them
// (tools/lib/stats_lines): a byte stream cut into reads of a size the first
// byte chooses, each JSON line checked and rendered as the live view's text.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "tools/lib/stats_lines.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0)
        return 0;
    const size_t chunk = 1 + data[0] % 128;
    const size_t max_texts = data[0] >> 7; // 0: no limit, 1: one line per read, like --count
    std::string_view stream(reinterpret_cast<const char*>(data + 1), size - 1);
    zcd::tools::StatsLineReader reader;
    for (size_t pos = 0; pos < stream.size(); pos += chunk) {
        auto got = reader.feed(stream.substr(pos, chunk), max_texts);
        if (max_texts && got.texts.size() > max_texts)
            std::abort();
        if (!got.error.empty())
            break;
    }
    return 0;
}
