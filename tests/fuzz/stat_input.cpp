// zc-stat's input reader (tools/lib/stat_input): a zcdisplay trace (Chrome
// trace JSON, common/trace_import) or a summary JSON, then everything zc-stat
// does with what it read: the text summary, --plot's SVG, --json and a diff
// against itself (which must move nothing).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "common/trace_export.hpp"
#include "tools/lib/stat_input.hpp"
#include "tools/lib/summary_diff.hpp"
#include "tools/lib/summary_text.hpp"
#include "tools/lib/svg_plot.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string text(reinterpret_cast<const char*>(data), size);
    std::string error;
    auto in = zcd::tools::load_stat_input(text, &error);
    if (!in) {
        if (error.empty())
            std::abort(); // bad input must say why
        return 0;
    }
    (void)zcd::tools::format_summary_text(in->summary);
    for (const auto& change : zcd::tools::diff_summaries(in->summary, in->summary, 5))
        if (change.moved && change.in_a && change.in_b && change.a == change.a)
            std::abort(); // a run compared with itself moved (NaN never equals itself)
    if (in->timeline) {
        (void)zcd::tools::plot_svg(*in->timeline, "fuzz");
        (void)zcd::to_summary_json(*in->timeline);
        (void)zcd::to_csv(*in->timeline);
    }
    return 0;
}
