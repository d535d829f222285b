// zc-stat: timing summaries, plots and diffs from zcdisplay traces, and a
// live view of the compositor's stats socket.  Metric definitions:
// docs/metrics.md; file formats: docs/trace-format.md.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "common/trace_export.hpp"
#include "common/trace_import.hpp"
#include "tools/lib/stat_input.hpp"
#include "tools/lib/summary_diff.hpp"
#include "tools/lib/summary_text.hpp"
#include "tools/lib/svg_plot.hpp"
#include "tools/zc-stat/live.hpp"

namespace {

void usage(FILE* to) {
    std::fputs("usage: zc-stat [--json] [--plot FILE.svg] INPUT\n"
               "       zc-stat diff [--threshold PCT] [--all] [--json] A B\n"
               "       zc-stat --live SOCKET [--count N]\n"
               "\n"
               "INPUT, A and B are traces or summary JSON files written by zc-compositor,\n"
               "zc-client or zc-stat.  Metrics are defined in docs/metrics.md.\n"
               "\n"
               "  --json            print the summary JSON instead of text\n"
               "  --plot FILE.svg   also write frame time over time and a histogram (traces only)\n"
               "  --threshold PCT   diff: a metric moved when it changed by more than PCT %\n"
               "                    of its value in A (default 5)\n"
               "  --all             diff: list unchanged metrics too\n"
               "  --live SOCKET     show the compositor's live stats socket like top\n"
               "  --count N         live: stop after N lines (default: until the socket closes)\n"
               "  --help            this text\n"
               "\n"
               "Exit: 0 ok (diff: nothing moved), 1 diff: metrics moved, 2 bad input.\n",
               to);
}

[[noreturn]] void bad(const std::string& msg) {
    std::fprintf(stderr, "zc-stat: %s\n", msg.c_str());
    std::exit(2);
}

zcd::tools::StatInput load(const std::string& path) {
    std::string text, err;
    if (!zcd::read_text_file(path, &text, &err))
        bad(err);
    auto in = zcd::tools::load_stat_input(text, &err);
    if (!in)
        bad(path + ": " + err);
    return std::move(*in);
}

double parse_number(const std::string& flag, const char* s) {
    char* end = nullptr;
    double v = std::strtod(s, &end);
    if (!*s || *end || v < 0)
        bad(flag + " needs a non-negative number, got '" + s + "'");
    return v;
}

} // namespace

int main(int argc, char** argv) {
    std::vector<std::string> positional;
    bool json_out = false, all = false, diff = false;
    std::string plot, live;
    double threshold = 5;
    long count = 0;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto value = [&]() -> const char* {
            if (i + 1 >= argc)
                bad(a + " needs a value (see --help)");
            return argv[++i];
        };
        if (a == "--help" || a == "-h") {
            usage(stdout);
            return 0;
        } else if (a == "--json") {
            json_out = true;
        } else if (a == "--all") {
            all = true;
        } else if (a == "--plot") {
            plot = value();
        } else if (a == "--threshold") {
            threshold = parse_number(a, value());
        } else if (a == "--live") {
            live = value();
        } else if (a == "--count") {
            count = static_cast<long>(parse_number(a, value()));
        } else if (a.size() > 1 && a[0] == '-') {
            bad("unknown option '" + a + "' (see --help)");
        } else if (a == "diff" && positional.empty() && !diff) {
            diff = true;
        } else {
            positional.push_back(a);
        }
    }

    if (!live.empty()) {
        if (!positional.empty() || diff)
            bad("--live takes no other input (see --help)");
        return zcd::tools::run_live(live, count);
    }
    if (diff) {
        if (positional.size() != 2)
            bad("diff needs two inputs, A and B (see --help)");
        auto a = load(positional[0]);
        auto b = load(positional[1]);
        auto changes = zcd::tools::diff_summaries(a.summary, b.summary, threshold);
        std::string out = json_out ? zcd::tools::format_diff_json(changes, threshold)
                                   : zcd::tools::format_diff_text(changes, threshold, all);
        std::fputs(out.c_str(), stdout);
        for (const auto& c : changes)
            if (c.moved)
                return 1;
        return 0;
    }
    if (positional.size() != 1)
        bad(positional.empty() ? "no input given (see --help)"
                               : "more than one input given (see --help)");
    auto in = load(positional[0]);
    if (!plot.empty()) {
        if (!in.timeline)
            bad(positional[0] + ": --plot needs a trace, not a summary");
        std::string err;
        if (!zcd::write_text_file(plot, zcd::tools::plot_svg(*in.timeline, positional[0]), &err))
            bad(err);
    }
    if (json_out) {
        std::string text = in.timeline ? zcd::to_summary_json(*in.timeline) : std::string();
        if (text.empty()) { // a summary given: print it back as read
            std::string raw, err;
            zcd::read_text_file(positional[0], &raw, &err);
            text = raw;
        }
        std::fputs(text.c_str(), stdout);
    } else {
        std::fputs(zcd::tools::format_summary_text(in.summary).c_str(), stdout);
    }
    return 0;
}
