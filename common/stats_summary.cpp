#include "common/stats_summary.hpp"

#include <algorithm>
#include <map>

#include "common/stats.hpp"

namespace zcd {

namespace {

std::optional<double> span_ms(int64_t begin_ns, int64_t end_ns) {
    if (begin_ns == 0 || end_ns == 0 || end_ns < begin_ns)
        return std::nullopt;
    return ns_between(begin_ns, end_ns) / 1e6;
}

std::optional<double> duration_ms(int64_t ns) {
    if (ns <= 0)
        return std::nullopt;
    return static_cast<double>(ns) / 1e6;
}

// Indices of `records` grouped by key and ordered by `order` within a group.
template <typename Rec, typename Key, typename Order>
std::map<Key, std::vector<size_t>> group(const std::vector<Rec>& records, Key (*key)(const Rec&),
                                         Order order) {
    std::map<Key, std::vector<size_t>> groups;
    for (size_t i = 0; i < records.size(); ++i)
        groups[key(records[i])].push_back(i);
    for (auto& [k, idx] : groups)
        std::stable_sort(idx.begin(), idx.end(),
                         [&](size_t a, size_t b) { return order(records[a]) < order(records[b]); });
    return groups;
}

std::string output_key(const OutputFrameRecord& f) {
    return f.output_name;
}
uint32_t client_key(const CommitRecord& c) {
    return c.client_id;
}

// The refresh period most records report (a mode switch should not average).
double common_refresh_ms(const std::vector<int64_t>& periods) {
    std::map<int64_t, size_t> counts;
    for (int64_t p : periods)
        if (p > 0)
            ++counts[p];
    int64_t best = 0;
    size_t best_n = 0;
    for (auto [p, n] : counts)
        if (n > best_n)
            best = p, best_n = n;
    return static_cast<double>(best) / 1e6;
}

template <typename T, typename F> std::vector<double> collect(const std::vector<T>& v, F field) {
    std::vector<double> out;
    for (const auto& m : v)
        if (auto x = field(m))
            out.push_back(*x);
    return out;
}

} // namespace

std::vector<FrameMetrics> derive_frame_metrics(const Timeline& t) {
    std::vector<FrameMetrics> out(t.frames.size());
    auto groups =
        group(t.frames, output_key, [](const OutputFrameRecord& f) { return f.output_seq; });
    for (const auto& [name, idx] : groups) {
        int64_t prev_present = 0;
        for (size_t i : idx) {
            const auto& f = t.frames[i];
            auto& m = out[i];
            m.ms_composite_cpu = span_ms(f.composite_cpu_begin_ns, f.composite_cpu_end_ns);
            m.ms_gpu = span_ms(f.gpu_begin_ns, f.gpu_end_ns);
            m.ms_overlay_cpu = duration_ms(f.overlay_cpu_ns);
            m.ms_overlay_gpu = duration_ms(f.overlay_gpu_ns);
            if (f.presented && f.present_ns != 0) {
                m.ms_composite_to_present = span_ms(f.composite_cpu_begin_ns, f.present_ns);
                if (prev_present != 0)
                    m.ms_between_presents = span_ms(prev_present, f.present_ns);
                prev_present = f.present_ns;
            }
        }
    }
    return out;
}

std::vector<CommitMetrics> derive_commit_metrics(const Timeline& t) {
    std::vector<CommitMetrics> out(t.commits.size());
    auto groups = group(t.commits, client_key, [](const CommitRecord& c) { return c.commit_id; });
    for (const auto& [client, idx] : groups) {
        int64_t prev_commit = 0;
        for (size_t i : idx) {
            const auto& c = t.commits[i];
            auto& m = out[i];
            if (prev_commit != 0)
                m.ms_between_commits = span_ms(prev_commit, c.commit_ns);
            if (c.commit_ns != 0)
                prev_commit = c.commit_ns;
            m.ms_import = span_ms(c.import_begin_ns, c.import_end_ns);
            if (c.presented)
                m.ms_until_displayed = span_ms(c.commit_ns, c.present_ns);
        }
        // Displayed commits in the order they reached the screen.
        std::vector<size_t> shown;
        for (size_t i : idx)
            if (t.commits[i].presented && t.commits[i].present_ns != 0)
                shown.push_back(i);
        std::stable_sort(shown.begin(), shown.end(), [&](size_t a, size_t b) {
            return t.commits[a].present_ns < t.commits[b].present_ns;
        });
        for (size_t k = 1; k < shown.size(); ++k)
            out[shown[k]].ms_between_displayed =
                span_ms(t.commits[shown[k - 1]].present_ns, t.commits[shown[k]].present_ns);
    }
    return out;
}

Summary summarize(const Timeline& t) {
    Summary s;
    s.producer = t.producer;
    auto note_time = [&](int64_t ns) {
        if (ns == 0)
            return;
        if (s.begin_ns == 0 || ns < s.begin_ns)
            s.begin_ns = ns;
        s.end_ns = std::max(s.end_ns, ns);
    };
    for (const auto& f : t.frames) {
        note_time(f.composite_cpu_begin_ns);
        note_time(f.present_ns);
    }
    for (const auto& c : t.commits) {
        note_time(c.commit_ns);
        note_time(c.present_ns);
    }

    auto fm = derive_frame_metrics(t);
    auto frame_groups =
        group(t.frames, output_key, [](const OutputFrameRecord& f) { return f.output_seq; });
    for (const auto& [name, idx] : frame_groups) {
        OutputSummary o;
        o.name = name;
        std::vector<FrameMetrics> m;
        std::vector<int64_t> presents, periods, composed;
        uint64_t scanout_copied = 0;
        for (size_t i : idx) {
            m.push_back(fm[i]);
            const auto& f = t.frames[i];
            o.scanout_share[static_cast<size_t>(f.scanout_path)] += 1;
            if (f.scanout_path == ScanoutPath::ComposedCopy)
                ++o.scanout_copy_reasons[static_cast<size_t>(f.scanout_reason)];
            if (f.scanout_path != ScanoutPath::DirectScanout)
                ++o.direct_scanout_misses[static_cast<size_t>(f.direct_scanout_miss)];
            scanout_copied += f.scanout_bytes_copied;
            if (f.composite_cpu_begin_ns != 0)
                composed.push_back(f.composite_cpu_begin_ns);
            periods.push_back(f.refresh_ns);
            if (f.presented && f.present_ns != 0)
                presents.push_back(f.present_ns);
        }
        for (auto& share : o.scanout_share)
            share /= static_cast<double>(idx.size());
        std::sort(composed.begin(), composed.end());
        if (composed.size() >= 2 && composed.back() > composed.front())
            o.mbps_scanout_copied = static_cast<double>(scanout_copied) / 1e6 /
                                    (ns_between(composed.front(), composed.back()) / 1e9);
        std::sort(presents.begin(), presents.end());
        o.refresh_ms = common_refresh_ms(periods);
        o.frames_presented = presents.size();
        o.fps_output = rate_per_second(presents);
        auto between = collect(m, [](const FrameMetrics& x) { return x.ms_between_presents; });
        o.between_presents = describe(between);
        o.fps_low_1pct = low_1pct_fps(between);
        o.cv_between_presents = coefficient_of_variation(between);
        o.missed_vblanks = missed_vblanks(between, o.refresh_ms);
        o.composite_cpu =
            describe(collect(m, [](const FrameMetrics& x) { return x.ms_composite_cpu; }));
        o.gpu = describe(collect(m, [](const FrameMetrics& x) { return x.ms_gpu; }));
        o.composite_to_present =
            describe(collect(m, [](const FrameMetrics& x) { return x.ms_composite_to_present; }));
        o.overlay_cpu =
            describe(collect(m, [](const FrameMetrics& x) { return x.ms_overlay_cpu; }));
        o.overlay_gpu =
            describe(collect(m, [](const FrameMetrics& x) { return x.ms_overlay_gpu; }));
        s.outputs.push_back(std::move(o));
    }

    auto cm = derive_commit_metrics(t);
    auto commit_groups =
        group(t.commits, client_key, [](const CommitRecord& c) { return c.commit_id; });
    for (const auto& [id, idx] : commit_groups) {
        ClientSummary c;
        c.id = id;
        std::vector<CommitMetrics> m;
        std::vector<int64_t> shown, commit_times, periods;
        uint64_t copied = 0, zero_copy = 0;
        for (size_t i : idx) {
            const auto& r = t.commits[i];
            if (c.name.empty())
                c.name = r.client_name;
            m.push_back(cm[i]);
            ++c.commits;
            if (r.presented && r.present_ns != 0)
                shown.push_back(r.present_ns);
            else
                ++c.commits_discarded;
            if (r.commit_ns != 0)
                commit_times.push_back(r.commit_ns);
            periods.push_back(r.refresh_ns);
            c.path_share[static_cast<size_t>(r.path)] += 1;
            if (r.reason != FallbackReason::None)
                ++c.fallbacks[static_cast<size_t>(r.reason)];
            copied += r.bytes_copied;
            zero_copy += r.bytes_zero_copy;
        }
        for (auto& share : c.path_share)
            share /= static_cast<double>(c.commits);
        std::sort(shown.begin(), shown.end());
        std::sort(commit_times.begin(), commit_times.end());
        c.refresh_ms = common_refresh_ms(periods);
        c.ups_client = rate_per_second(shown);
        // Bytes over the span the client was committing; one commit has no span.
        if (commit_times.size() >= 2 && commit_times.back() > commit_times.front()) {
            double secs = ns_between(commit_times.front(), commit_times.back()) / 1e9;
            c.mbps_copied = static_cast<double>(copied) / 1e6 / secs;
            c.mbps_zero_copy = static_cast<double>(zero_copy) / 1e6 / secs;
        }
        auto between = collect(m, [](const CommitMetrics& x) { return x.ms_between_displayed; });
        c.between_displayed = describe(between);
        c.cv_between_displayed = coefficient_of_variation(between);
        c.stalls = count_stalls(between, c.refresh_ms);
        c.between_commits =
            describe(collect(m, [](const CommitMetrics& x) { return x.ms_between_commits; }));
        c.import = describe(collect(m, [](const CommitMetrics& x) { return x.ms_import; }));
        c.until_displayed =
            describe(collect(m, [](const CommitMetrics& x) { return x.ms_until_displayed; }));
        s.clients.push_back(std::move(c));
    }
    return s;
}

} // namespace zcd
