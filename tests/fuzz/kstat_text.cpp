// The debugfs text reader (common/kstat): interconnect_stats and bufinfo as
// zc-kstat and zc-compositor --kstat read them.  Both parsers see every input
// (the files are told apart by name, not content); what parses must render
// as JSON that our own reader accepts, as zc-kstat --json prints it.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "common/kstat.hpp"
#include "common/trace_json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    std::string error;
    zcd::InterconnectStats stats;
    if (zcd::parse_interconnect_stats(text, &stats, &error)) {
        if (!zcd::json::parse(zcd::to_json(stats)).value)
            std::abort(); // zc-kstat --json would print invalid JSON
    } else if (error.empty() || error.find('\n') != std::string::npos) {
        std::abort(); // the error must be one line
    }
    zcd::Bufinfo info;
    error.clear();
    if (zcd::parse_bufinfo(text, &info, &error)) {
        if (!zcd::json::parse(zcd::to_json(info)).value)
            std::abort();
    } else if (error.empty()) {
        std::abort();
    }
    return 0;
}
