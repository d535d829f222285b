#include "app/overlay_feed.hpp"

#include <algorithm>

#include "common/stats.hpp"
#include "common/stats_summary.hpp"

namespace zcd::app {

void fill_overlay_model(const Timeline& window, const Accounting& accounting,
                        const std::string& device, OverlayModel* model) {
    const Summary summary = summarize(window);
    const std::vector<FrameMetrics> frame_metrics = derive_frame_metrics(window);
    const std::vector<CommitMetrics> commit_metrics = derive_commit_metrics(window);
    model->device = device;

    model->outputs.clear();
    for (const OutputSummary& o : summary.outputs) {
        OverlayOutput out;
        out.name = o.name;
        out.fps = o.fps_output;
        out.missed_vblanks = o.missed_vblanks;
        // A stall: a present interval longer than one refresh period.
        for (size_t i = 0; i < window.frames.size(); ++i)
            if (window.frames[i].output_name == o.name && o.refresh_ms > 0 &&
                frame_metrics[i].ms_between_presents &&
                *frame_metrics[i].ms_between_presents > o.refresh_ms * 1.5)
                out.stalls++;
        model->outputs.push_back(std::move(out));
    }

    // Frame-time graph of the first output (outputs are sorted by name).
    model->frame_time_ms.clear();
    if (!summary.outputs.empty()) {
        const std::string& first = summary.outputs.front().name;
        for (size_t i = 0; i < window.frames.size(); ++i)
            if (window.frames[i].output_name == first && frame_metrics[i].ms_between_presents)
                model->frame_time_ms.push_back(
                    static_cast<float>(*frame_metrics[i].ms_between_presents));
    }
    if (model->frame_time_ms.empty()) {
        model->frame_time_min_ms = model->frame_time_avg_ms = model->frame_time_max_ms = 0;
    } else {
        auto [mn, mx] =
            std::minmax_element(model->frame_time_ms.begin(), model->frame_time_ms.end());
        double sum = 0;
        for (float v : model->frame_time_ms)
            sum += v;
        model->frame_time_min_ms = *mn;
        model->frame_time_max_ms = *mx;
        model->frame_time_avg_ms = sum / static_cast<double>(model->frame_time_ms.size());
    }

    // Commit-to-present over every client's presented commits.
    std::vector<double> latencies;
    for (const CommitMetrics& m : commit_metrics)
        if (m.ms_until_displayed)
            latencies.push_back(*m.ms_until_displayed);
    model->commit_to_present = OverlayLatency{};
    if (!latencies.empty()) {
        Distribution d = describe(latencies);
        model->commit_to_present = {true, d.p50, d.p95, d.p99, d.max};
    }

    // Clients still connected, with their UPS and the path of their latest
    // buffer in the window.
    model->clients.clear();
    model->mb_per_s_copied = model->mb_per_s_zero_copy = 0;
    for (const ClientSummary& c : summary.clients) {
        model->mb_per_s_copied += c.mbps_copied;
        model->mb_per_s_zero_copy += c.mbps_zero_copy;
    }
    for (const ClientAccount& a : accounting.clients()) {
        if (!a.connected)
            continue;
        OverlayClient oc;
        oc.name = a.name;
        for (const ClientSummary& c : summary.clients)
            if (c.id == a.id)
                oc.ups = c.ups_client;
        for (auto it = window.commits.rbegin(); it != window.commits.rend(); ++it) {
            if (it->client_id == a.id) {
                oc.has_buffer = true;
                oc.last_path = it->path;
                oc.last_reason = it->reason;
                break;
            }
        }
        model->clients.push_back(std::move(oc));
    }

    model->scanout_counts = accounting.scanout_total().paths;
    model->mb_per_s_scanout_copied = 0;
    for (const OutputSummary& o : summary.outputs)
        model->mb_per_s_scanout_copied += o.mbps_scanout_copied;
    const PathTally total = accounting.total();
    model->path_counts = total.paths;
    model->fallback_counts = total.reasons;
}

OverlayInterconnect overlay_interconnect(const InterconnectStats& stats,
                                         const std::string& source) {
    OverlayInterconnect row;
    row.available = true;
    row.source = source;
    for (const InterconnectCounters& c : stats.interconnects) {
        row.interconnect_maps += c.maps;
        row.fallbacks += c.fallbacks;
        row.rejected_ranges += c.rejected_ranges;
    }
    return row;
}

} // namespace zcd::app
