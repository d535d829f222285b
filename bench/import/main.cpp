// zc-bench-import: the import-cost half of `./zcd bench`.
//
// Measures, in one process so the figures are comparable: memcpy bandwidth
// for each frame size (the physical limit of any copy fallback), and the
// per-commit cost of each import path of zc-compositor's renderer at each
// size.  Prints one JSON object; bench/harness/import_rows.py makes rows.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bench/import/memcpy_bandwidth.hpp"
#include "bench/import/renderer_imports.hpp"

namespace {

using zcd::bench::ImportRequest;

void usage(FILE* to) {
    std::fputs("usage: zc-bench-import [options]\n"
               "\n"
               "Times memcpy and the renderer's import paths per frame size; prints JSON.\n"
               "\n"
               "  --sizes LIST       comma-separated WxH (default 1280x720,1920x1080,3840x2160)\n"
               "  --paths LIST       comma-separated of shm, shm_force_copy, dmabuf_memfd\n"
               "                     (default: all three)\n"
               "  --commits N        timed commits per path and size (default 30)\n"
               "  --memcpy-copies N  timed memcpy copies per size (default 30)\n"
               "  --help             this text\n",
               to);
}

[[noreturn]] void die_usage(const std::string& msg) {
    std::fprintf(stderr, "zc-bench-import: %s (see --help)\n", msg.c_str());
    std::exit(2);
}

std::vector<std::string> split(const std::string& s) {
    std::vector<std::string> out;
    size_t start = 0;
    while (start <= s.size()) {
        size_t comma = s.find(',', start);
        if (comma == std::string::npos)
            comma = s.size();
        out.push_back(s.substr(start, comma - start));
        start = comma + 1;
    }
    return out;
}

int parse_count(const std::string& flag, const std::string& v) {
    char* end = nullptr;
    long n = std::strtol(v.c_str(), &end, 10);
    if (v.empty() || *end != '\0' || n < 1 || n > 100000)
        die_usage("bad " + flag + " '" + v + "', want 1..100000");
    return static_cast<int>(n);
}

std::string json_escape(const std::string& s) {
    std::string out;
    for (char c : s) {
        if (c == '"' || c == '\\')
            out += '\\';
        if (static_cast<unsigned char>(c) < 0x20)
            c = ' ';
        out += c;
    }
    return out;
}

} // namespace

int main(int argc, char** argv) {
    std::vector<std::pair<uint32_t, uint32_t>> sizes = {{1280, 720}, {1920, 1080}, {3840, 2160}};
    std::vector<ImportRequest> requests = {ImportRequest::Shm, ImportRequest::ShmForceCopy,
                                           ImportRequest::DmabufMemfd};
    int commits = 30, copies = 30;
    for (int i = 1; i < argc; ++i) {
        std::string_view a = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc)
                die_usage(std::string(a) + " needs a value");
            return argv[++i];
        };
        if (a == "--help" || a == "-h") {
            usage(stdout);
            return 0;
        } else if (a == "--sizes") {
            sizes.clear();
            for (const std::string& s : split(value())) {
                unsigned w = 0, h = 0;
                char tail = 0;
                if (std::sscanf(s.c_str(), "%ux%u%c", &w, &h, &tail) != 2 || w == 0 || h == 0 ||
                    w > 8192 || h > 8192)
                    die_usage("bad size '" + s + "' in --sizes, want WxH up to 8192x8192");
                sizes.emplace_back(w, h);
            }
        } else if (a == "--paths") {
            requests.clear();
            for (const std::string& p : split(value())) {
                if (p == "shm")
                    requests.push_back(ImportRequest::Shm);
                else if (p == "shm_force_copy")
                    requests.push_back(ImportRequest::ShmForceCopy);
                else if (p == "dmabuf_memfd")
                    requests.push_back(ImportRequest::DmabufMemfd);
                else
                    die_usage("unknown path '" + p + "' in --paths");
            }
        } else if (a == "--commits") {
            commits = parse_count("--commits", value());
        } else if (a == "--memcpy-copies") {
            copies = parse_count("--memcpy-copies", value());
        } else {
            die_usage("unknown argument '" + std::string(a) + "'");
        }
    }

    std::string out = "{\"memcpy\":[";
    for (size_t i = 0; i < sizes.size(); ++i) {
        const auto [w, h] = sizes[i];
        const auto m = zcd::bench::measure_memcpy(size_t{w} * h * 4, copies);
        char buf[256];
        std::snprintf(buf, sizeof buf,
                      "%s{\"width\":%u,\"height\":%u,\"bytes\":%zu,\"copies\":%d,"
                      "\"median_ns\":%lld,\"gbytes_per_s\":%.4f}",
                      i ? "," : "", w, h, m.bytes, m.copies, static_cast<long long>(m.median_ns),
                      m.gbytes_per_s);
        out += buf;
    }
    out += "],";
    const auto run = zcd::bench::measure_renderer_imports(requests, sizes, commits);
    out += "\"renderer_available\":";
    out += run.available ? "true" : "false";
    out += ",\"renderer_missing\":\"" + json_escape(run.why) + "\",\"imports\":[";
    for (size_t i = 0; i < run.results.size(); ++i) {
        const auto& r = run.results[i];
        char buf[768];
        std::snprintf(
            buf, sizeof buf,
            "%s{\"request\":\"%s\",\"width\":%u,\"height\":%u,\"commits\":%d,"
            "\"recorded_path\":\"%s\",\"recorded_reason\":\"%s\","
            "\"paths_consistent\":%s,\"bytes_copied\":%llu,\"bytes_zero_copy\":%llu,"
            "\"wall_median_ns\":%lld,\"record_median_ns\":%lld,"
            "\"cost_median_ns\":%lld,\"frame_without_median_ns\":%lld,"
            "\"memcpy_median_ns\":%lld,\"stale_records\":%d,",
            i ? "," : "", zcd::bench::to_string(r.request), r.width, r.height, r.commits,
            json_escape(r.recorded_path).c_str(), json_escape(r.recorded_reason).c_str(),
            r.paths_consistent ? "true" : "false", static_cast<unsigned long long>(r.bytes_copied),
            static_cast<unsigned long long>(r.bytes_zero_copy),
            static_cast<long long>(r.wall_median_ns), static_cast<long long>(r.record_median_ns),
            static_cast<long long>(r.cost_median_ns),
            static_cast<long long>(r.frame_without_median_ns),
            static_cast<long long>(r.memcpy_median_ns), r.stale_records);
        out += buf;
        out += "\"device\":\"" + json_escape(r.device) + "\",\"error\":\"" + json_escape(r.error) +
               "\"}";
    }
    out += "]}\n";
    std::fputs(out.c_str(), stdout);
    return 0;
}
