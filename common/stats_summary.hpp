// From a Timeline to the metrics of docs/metrics.md: per-record values (the
// CSV's metric columns, the trace's counters) and per-output / per-client
// summaries (summary JSON, stats socket, zc-stat, overlay).  Pure.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/stats.hpp"
#include "common/timeline.hpp"

namespace zcd {

// Metric values of one OutputFrameRecord; nullopt when an event is missing
// (e.g. no GPU timestamps, frame not presented, first frame of an output).
struct FrameMetrics {
    std::optional<double> ms_between_presents;
    std::optional<double> ms_composite_cpu;
    std::optional<double> ms_gpu;
    std::optional<double> ms_composite_to_present;
    std::optional<double> ms_overlay_cpu;
    std::optional<double> ms_overlay_gpu;
};

// Metric values of one CommitRecord.
struct CommitMetrics {
    std::optional<double> ms_between_commits;
    std::optional<double> ms_import;
    std::optional<double> ms_until_displayed;
    std::optional<double> ms_between_displayed;
};

// Index-aligned with timeline.frames / timeline.commits.
std::vector<FrameMetrics> derive_frame_metrics(const Timeline& timeline);
std::vector<CommitMetrics> derive_commit_metrics(const Timeline& timeline);

struct OutputSummary {
    std::string name;
    double refresh_ms = 0; // most common refresh period of its frames, 0 unknown
    uint64_t frames_presented = 0;
    double fps_output = 0;
    double fps_low_1pct = 0;
    double cv_between_presents = 0;
    uint64_t missed_vblanks = 0;
    std::array<double, kScanoutPathCount> scanout_share{};                 // by ScanoutPath
    std::array<uint64_t, kScanoutCopyReasonCount> scanout_copy_reasons{};  // by ScanoutCopyReason
    std::array<uint64_t, kDirectScanoutMissCount> direct_scanout_misses{}; // by DirectScanoutMiss
    double mbps_scanout_copied = 0;
    Distribution between_presents, composite_cpu, gpu, composite_to_present, overlay_cpu,
        overlay_gpu;
};

struct ClientSummary {
    uint32_t id = 0;
    std::string name;
    double refresh_ms = 0;
    uint64_t commits = 0;
    uint64_t commits_discarded = 0;
    double ups_client = 0;
    double cv_between_displayed = 0;
    uint64_t stalls = 0;
    std::array<double, kImportPathCount> path_share{};      // by ImportPath
    std::array<uint64_t, kFallbackReasonCount> fallbacks{}; // by FallbackReason
    double mbps_copied = 0;
    double mbps_zero_copy = 0;
    Distribution between_commits, import, until_displayed, between_displayed;
};

struct Summary {
    std::string producer;
    int64_t begin_ns = 0, end_ns = 0;   // first and last event in the timeline
    std::vector<OutputSummary> outputs; // sorted by name
    std::vector<ClientSummary> clients; // sorted by id
};

Summary summarize(const Timeline& timeline);

} // namespace zcd
