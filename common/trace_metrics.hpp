// The one table of metric names zcdisplay exports.  CSV columns, trace-event
// counter names and args, summary/stats-socket JSON keys, zc-stat output and
// the overlay use exactly these strings.  docs/metrics.md defines each of
// them (start event, end event, clock, what it does not measure);
// tests/unit/tools checks that the document and this table agree.
#pragma once

#include <span>
#include <string_view>

namespace zcd {

enum class MetricScope {
    OutputFrame, // one value per composed output frame (CSV row "frame")
    Commit,      // one value per client commit (CSV row "commit")
    Output,      // one value per output over a run or a window (summary)
    Client,      // one value per client over a run or a window (summary)
};

struct MetricInfo {
    std::string_view name; // PresentMon-style, e.g. "MsBetweenPresents"
    std::string_view unit; // "ms", "fps", "ups", "ratio", "count", "MB/s"
    MetricScope scope;
};

// Names as constants so that a typo is a compile error, not a new metric.
namespace metric {
inline constexpr std::string_view kMsBetweenPresents = "MsBetweenPresents";
inline constexpr std::string_view kMsCompositeCpu = "MsCompositeCpu";
inline constexpr std::string_view kMsGpu = "MsGpu";
inline constexpr std::string_view kMsCompositeToPresent = "MsCompositeToPresent";
inline constexpr std::string_view kMsOverlayCpu = "MsOverlayCpu";
inline constexpr std::string_view kMsOverlayGpu = "MsOverlayGpu";
inline constexpr std::string_view kMsBetweenCommits = "MsBetweenCommits";
inline constexpr std::string_view kMsImport = "MsImport";
inline constexpr std::string_view kMsUntilDisplayed = "MsUntilDisplayed";
inline constexpr std::string_view kMsBetweenDisplayed = "MsBetweenDisplayed";
inline constexpr std::string_view kFpsOutput = "FpsOutput";
inline constexpr std::string_view kFpsLow1Pct = "FpsLow1Pct";
inline constexpr std::string_view kCvBetweenPresents = "CvBetweenPresents";
inline constexpr std::string_view kMissedVblanks = "MissedVblanks";
inline constexpr std::string_view kFramesPresented = "FramesPresented";
inline constexpr std::string_view kScanoutShare = "ScanoutShare";
inline constexpr std::string_view kScanoutCopyReasons = "ScanoutCopyReasons";
inline constexpr std::string_view kDirectScanoutMisses = "DirectScanoutMisses";
inline constexpr std::string_view kMBpsScanoutCopied = "MBpsScanoutCopied";
inline constexpr std::string_view kUpsClient = "UpsClient";
inline constexpr std::string_view kCvBetweenDisplayed = "CvBetweenDisplayed";
inline constexpr std::string_view kStalls = "Stalls";
inline constexpr std::string_view kCommits = "Commits";
inline constexpr std::string_view kCommitsDiscarded = "CommitsDiscarded";
inline constexpr std::string_view kPathShare = "PathShare";
inline constexpr std::string_view kFallbacks = "Fallbacks";
inline constexpr std::string_view kMBpsCopied = "MBpsCopied";
inline constexpr std::string_view kMBpsZeroCopy = "MBpsZeroCopy";
} // namespace metric

// Every metric, in the order docs/metrics.md lists them.
std::span<const MetricInfo> all_metrics();

const MetricInfo* find_metric(std::string_view name); // may be null

// The distribution statistics a summary gives for every "ms" metric, as JSON
// keys below the metric's name (see docs/metrics.md "Statistics").
inline constexpr std::string_view kStatKeys[] = {"count", "min", "mean", "p50",
                                                 "p95",   "p99", "max"};

} // namespace zcd
