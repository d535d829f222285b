#include "bench/client/frame_log.hpp"

#include <cstdio>

namespace zcd::bench {

namespace {

// The only free text is the compositor hint; keep it valid JSON whatever it holds.
std::string json_string(const std::string& s) {
    std::string out = "\"";
    for (unsigned char c : s) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", c);
            out += buf;
        } else {
            out += static_cast<char>(c);
        }
    }
    return out + "\"";
}

} // namespace

std::string to_json(const FrameLog& log) {
    std::string out;
    out.reserve(128 + log.frames.size() * 64);
    out += "{\"clock_id\":" + std::to_string(log.clock_id);
    out += ",\"width\":" + std::to_string(log.width);
    out += ",\"height\":" + std::to_string(log.height);
    out += ",\"monotonic_minus_clock_ns\":" + std::to_string(log.monotonic_minus_clock_ns);
    out += ",\"compositor_hint\":" + json_string(log.compositor_hint);
    // Columns instead of objects: a 60 s run at 60 Hz stays small and the
    // reader does not repeat key names 3600 times.
    out += ",\"columns\":[\"frame\",\"commit_ns\",\"state\",\"present_ns\",\"refresh_ns\","
           "\"msc\",\"flags\",\"done_ns\"],\"frames\":[";
    bool first = true;
    for (const FrameRecord& f : log.frames) {
        if (!first)
            out += ',';
        first = false;
        const char* state = f.presented   ? "\"presented\""
                            : f.discarded ? "\"discarded\""
                                          : "\"pending\"";
        out += '[' + std::to_string(f.frame) + ',' + std::to_string(f.commit_ns) + ',' + state +
               ',' + std::to_string(f.present_ns) + ',' + std::to_string(f.refresh_ns) + ',' +
               std::to_string(f.msc) + ',' + std::to_string(f.flags) + ',' +
               std::to_string(f.done_ns) + ']';
    }
    out += "]}\n";
    return out;
}

} // namespace zcd::bench
