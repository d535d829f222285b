// zc-verify's results and their two renderings: result.json (for CI and
// scripts) and report.html (thumbnails, diffs, frame-identity analysis and
// the run's stats, for people).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/trace_json.hpp"
#include "tools/lib/identity_analysis.hpp"
#include "tools/lib/image_compare.hpp"

namespace zcd::tools {

enum class ShotOutcome { Pass, Mismatch, MissingReference, Updated };
std::string_view to_string(ShotOutcome o);

struct ShotResult {
    std::string name;     // file name of the shot
    std::string shot;     // path of the shot (relative to the report dir when possible)
    std::string expected; // reference or computed expectation image (report-relative), may be ""
    std::string expected_kind; // "reference" or "pattern NAME frame N"
    std::string diff;          // diff PNG (report-relative), "" when not written
    ShotOutcome outcome = ShotOutcome::Pass;
    uint32_t width = 0, height = 0;
    uint64_t compared_pixels = 0, diff_pixels = 0;
    std::array<int, 4> min_delta{}, max_delta{};
    Rect diff_bounds;
    std::string message; // one line for the log
};

struct VerifyRun {
    CompareOptions options;
    std::vector<ShotResult> shots;
    std::optional<IdentityReport> identity;
    std::vector<std::string> identity_failures; // why the identity check failed, if it did
    std::string stats_path;                     // --stats FILE, "" none
    std::optional<json::Value> stats;
    bool pass = true;
};

std::string verify_json(const VerifyRun& run);
std::string verify_html(const VerifyRun& run);

} // namespace zcd::tools
