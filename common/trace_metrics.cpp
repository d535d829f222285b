#include "common/trace_metrics.hpp"

namespace zcd {

namespace {
using S = MetricScope;
constexpr MetricInfo kMetrics[] = {
    {metric::kMsBetweenPresents, "ms", S::OutputFrame},
    {metric::kMsCompositeCpu, "ms", S::OutputFrame},
    {metric::kMsGpu, "ms", S::OutputFrame},
    {metric::kMsCompositeToPresent, "ms", S::OutputFrame},
    {metric::kMsOverlayCpu, "ms", S::OutputFrame},
    {metric::kMsOverlayGpu, "ms", S::OutputFrame},
    {metric::kMsBetweenCommits, "ms", S::Commit},
    {metric::kMsImport, "ms", S::Commit},
    {metric::kMsUntilDisplayed, "ms", S::Commit},
    {metric::kMsBetweenDisplayed, "ms", S::Commit},
    {metric::kFpsOutput, "fps", S::Output},
    {metric::kFpsLow1Pct, "fps", S::Output},
    {metric::kCvBetweenPresents, "ratio", S::Output},
    {metric::kMissedVblanks, "count", S::Output},
    {metric::kFramesPresented, "count", S::Output},
    {metric::kScanoutShare, "ratio", S::Output},
    {metric::kScanoutCopyReasons, "count", S::Output},
    {metric::kDirectScanoutMisses, "count", S::Output},
    {metric::kMBpsScanoutCopied, "MB/s", S::Output},
    {metric::kUpsClient, "ups", S::Client},
    {metric::kCvBetweenDisplayed, "ratio", S::Client},
    {metric::kStalls, "count", S::Client},
    {metric::kCommits, "count", S::Client},
    {metric::kCommitsDiscarded, "count", S::Client},
    {metric::kPathShare, "ratio", S::Client},
    {metric::kFallbacks, "count", S::Client},
    {metric::kMBpsCopied, "MB/s", S::Client},
    {metric::kMBpsZeroCopy, "MB/s", S::Client},
};
} // namespace

std::span<const MetricInfo> all_metrics() {
    return kMetrics;
}

const MetricInfo* find_metric(std::string_view name) {
    for (const auto& m : kMetrics)
        if (m.name == name)
            return &m;
    return nullptr;
}

} // namespace zcd
