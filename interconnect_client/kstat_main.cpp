// zc-kstat: the interconnect series' kernel counters and per-attachment
// interconnects, read from debugfs (docs/kernel-debugfs.md) or a file.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include "common/kstat.hpp"

namespace {

constexpr const char* kStatsPath = "/sys/kernel/debug/dma_buf/interconnect_stats";
constexpr const char* kBufinfoPath = "/sys/kernel/debug/dma_buf/bufinfo";

void usage(FILE* to) {
    std::fprintf(to,
                 "usage: zc-kstat [--file PATH] [--bufinfo] [--bufinfo-file PATH] [--json]\n"
                 "\n"
                 "Prints the dma-buf interconnect counters of the zcdisplay kernel series.\n"
                 "\n"
                 "  --file PATH          counters text (default %s)\n"
                 "  --bufinfo            also list every dma-buf attachment's interconnect\n"
                 "  --bufinfo-file PATH  bufinfo text (default %s; implies --bufinfo)\n"
                 "  --json               one JSON object instead of text\n"
                 "  --help               this text\n"
                 "\n"
                 "Exit: 0 done, 1 unreadable or malformed input, 2 bad arguments.\n",
                 kStatsPath, kBufinfoPath);
}

bool read_file(const std::string& path, std::string* text, std::string* error) {
    std::ifstream f(path, std::ios::binary);
    if (!f) {
        int e = errno;
        *error = "cannot read " + path + ": " + std::strerror(e);
        if (path.rfind("/sys/kernel/debug/", 0) == 0)
            *error += e == ENOENT ? " (debugfs not mounted, or kernel without the interconnect "
                                    "series)"
                                  : " (debugfs needs root)";
        return false;
    }
    std::stringstream ss;
    ss << f.rdbuf();
    *text = ss.str();
    return true;
}

int fail(const std::string& what) {
    std::fprintf(stderr, "zc-kstat: %s\n", what.c_str());
    return 1;
}

} // namespace

int main(int argc, char** argv) {
    std::string stats_path = kStatsPath, bufinfo_path = kBufinfoPath;
    bool json = false, bufinfo = false;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "--help" || a == "-h") {
            usage(stdout);
            return 0;
        } else if (a == "--json") {
            json = true;
        } else if (a == "--bufinfo") {
            bufinfo = true;
        } else if ((a == "--file" || a == "--bufinfo-file") && i + 1 < argc) {
            (a == "--file" ? stats_path : bufinfo_path) = argv[++i];
            bufinfo = bufinfo || a == "--bufinfo-file";
        } else {
            std::fprintf(stderr, "zc-kstat: bad argument '%s' (see --help)\n", a.c_str());
            return 2;
        }
    }
    std::string text, err;
    if (!read_file(stats_path, &text, &err))
        return fail(err);
    zcd::InterconnectStats stats;
    if (!zcd::parse_interconnect_stats(text, &stats, &err))
        return fail(stats_path + ": " + err);
    zcd::Bufinfo info;
    if (bufinfo) {
        if (!read_file(bufinfo_path, &text, &err))
            return fail(err);
        if (!zcd::parse_bufinfo(text, &info, &err))
            return fail(bufinfo_path + ": " + err);
    }
    if (json) {
        std::printf("{\"stats\":%s", zcd::to_json(stats).c_str());
        if (bufinfo)
            std::printf(",\"bufinfo\":%s", zcd::to_json(info).c_str());
        std::printf("}\n");
        return 0;
    }
    std::printf("%-14s %9s %9s %9s %9s %9s %9s %9s\n", "interconnect", "matches", "match_fail",
                "maps", "unmaps", "map_fail", "fallbacks", "rejected");
    for (const auto& c : stats.interconnects) {
        std::printf("%-14s %9llu %9llu %9llu %9llu %9llu %9llu %9llu\n", c.name.c_str(),
                    (unsigned long long)c.matches, (unsigned long long)c.match_failures,
                    (unsigned long long)c.maps, (unsigned long long)c.unmaps,
                    (unsigned long long)c.map_failures, (unsigned long long)c.fallbacks,
                    (unsigned long long)c.rejected_ranges);
        for (const auto& [k, v] : c.unknown)
            std::printf("  %s: %llu (unknown to this reader)\n", k.c_str(), (unsigned long long)v);
    }
    if (bufinfo) {
        std::printf("\n%-10s %-12s %-10s %-14s %s\n", "inode", "exporter", "size", "device",
                    "interconnect");
        for (const auto& b : info.buffers)
            for (const auto& a : b.attachments)
                std::printf("%-10llu %-12s %-10llu %-14s %s\n", (unsigned long long)b.inode,
                            b.exporter.c_str(), (unsigned long long)b.size, a.device.c_str(),
                            a.interconnect.c_str());
    }
    return 0;
}
