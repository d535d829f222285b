#include "common/trace_export.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <optional>
#include <vector>

#include "common/trace_fields.hpp"
#include "common/trace_json.hpp"
#include "common/trace_metrics.hpp"

namespace zcd {

namespace {

// Track ids (Chrome "tid") inside the one process the trace describes.
constexpr int kPid = 1;
constexpr int kOutputCpuTid = 1;   // + output index
constexpr int kOutputGpuTid = 100; // + output index
constexpr int kClientTid = 1000;   // + client id

std::string us(int64_t ns) {
    // Chrome trace timestamps are microseconds; keep the nanoseconds exactly.
    char buf[40];
    std::snprintf(buf, sizeof buf, "%lld.%03lld", static_cast<long long>(ns / 1000),
                  static_cast<long long>((ns < 0 ? -ns : ns) % 1000));
    return buf;
}

template <typename Rec> std::string field_json(const Rec& r, const RecordField<Rec>& f) {
    return std::visit(
        [&](auto member) -> std::string {
            const auto& v = r.*member;
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, std::string>)
                return json::quote(v);
            else if constexpr (std::is_same_v<T, bool>)
                return v ? "true" : "false";
            else if constexpr (std::is_enum_v<T>)
                return json::quote(to_string(v));
            else if constexpr (std::is_signed_v<T>)
                return json::number(static_cast<int64_t>(v));
            else
                return json::number(static_cast<uint64_t>(v));
        },
        f.member);
}

template <typename Rec> std::string field_csv(const Rec& r, const RecordField<Rec>& f) {
    return std::visit(
        [&](auto member) -> std::string {
            const auto& v = r.*member;
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, std::string>) {
                if (v.find_first_of(",\"\n\r") == std::string::npos)
                    return v;
                std::string q = "\"";
                for (char c : v)
                    q += c == '"' ? std::string("\"\"") : std::string(1, c);
                return q + "\"";
            } else if constexpr (std::is_same_v<T, bool>) {
                return v ? "1" : "0";
            } else if constexpr (std::is_enum_v<T>) {
                return std::string(to_string(v));
            } else if constexpr (std::is_signed_v<T>) {
                return std::to_string(static_cast<int64_t>(v));
            } else {
                return std::to_string(static_cast<uint64_t>(v));
            }
        },
        f.member);
}

std::string opt_json(const std::optional<double>& v) {
    return v ? json::number(*v) : "null";
}

void frame_metric_args(json::Builder& b, const FrameMetrics& m) {
    b.key(metric::kMsBetweenPresents).raw(opt_json(m.ms_between_presents));
    b.key(metric::kMsCompositeCpu).raw(opt_json(m.ms_composite_cpu));
    b.key(metric::kMsGpu).raw(opt_json(m.ms_gpu));
    b.key(metric::kMsCompositeToPresent).raw(opt_json(m.ms_composite_to_present));
    b.key(metric::kMsOverlayCpu).raw(opt_json(m.ms_overlay_cpu));
    b.key(metric::kMsOverlayGpu).raw(opt_json(m.ms_overlay_gpu));
}

void commit_metric_args(json::Builder& b, const CommitMetrics& m) {
    b.key(metric::kMsBetweenCommits).raw(opt_json(m.ms_between_commits));
    b.key(metric::kMsImport).raw(opt_json(m.ms_import));
    b.key(metric::kMsUntilDisplayed).raw(opt_json(m.ms_until_displayed));
    b.key(metric::kMsBetweenDisplayed).raw(opt_json(m.ms_between_displayed));
}

void thread_name(json::Builder& b, int tid, const std::string& name, int sort_index) {
    b.begin_object()
        .key("ph")
        .value("M")
        .key("name")
        .value("thread_name")
        .key("pid")
        .value(kPid)
        .key("tid")
        .value(tid)
        .key("args")
        .begin_object()
        .key("name")
        .value(name)
        .end_object()
        .end_object();
    b.begin_object()
        .key("ph")
        .value("M")
        .key("name")
        .value("thread_sort_index")
        .key("pid")
        .value(kPid)
        .key("tid")
        .value(tid)
        .key("args")
        .begin_object()
        .key("sort_index")
        .value(sort_index)
        .end_object()
        .end_object();
}

void counter(json::Builder& b, std::string_view name, int64_t ts_ns, const std::string& series,
             double value) {
    b.begin_object()
        .key("ph")
        .value("C")
        .key("name")
        .value(name)
        .key("pid")
        .value(kPid)
        .key("ts")
        .raw(us(ts_ns))
        .key("args")
        .begin_object()
        .key(series)
        .value(value)
        .end_object()
        .end_object();
}

std::string client_label(const CommitRecord& c) {
    std::string s = "client " + std::to_string(c.client_id);
    if (!c.client_name.empty())
        s += " (" + c.client_name + ")";
    return s;
}

void distribution(json::Builder& b, std::string_view name, const Distribution& d) {
    b.key(name).begin_object();
    b.key("count").value(static_cast<uint64_t>(d.count));
    b.key("min").value(d.min);
    b.key("mean").value(d.mean);
    b.key("p50").value(d.p50);
    b.key("p95").value(d.p95);
    b.key("p99").value(d.p99);
    b.key("max").value(d.max);
    b.end_object();
}

void summary_body(json::Builder& b, const Summary& s) {
    b.key("producer").value(s.producer);
    b.key("clock").value("CLOCK_MONOTONIC");
    b.key("begin_ns").value(s.begin_ns);
    b.key("end_ns").value(s.end_ns);
    b.key("outputs").begin_array();
    for (const auto& o : s.outputs) {
        b.begin_object();
        b.key("name").value(o.name);
        b.key("refresh_ms").value(o.refresh_ms);
        b.key(metric::kFramesPresented).value(o.frames_presented);
        b.key(metric::kFpsOutput).value(o.fps_output);
        b.key(metric::kFpsLow1Pct).value(o.fps_low_1pct);
        b.key(metric::kCvBetweenPresents).value(o.cv_between_presents);
        b.key(metric::kMissedVblanks).value(o.missed_vblanks);
        b.key(metric::kScanoutShare).begin_object();
        for (int i = 0; i < kScanoutPathCount; ++i)
            b.key(to_string(static_cast<ScanoutPath>(i))).value(o.scanout_share[i]);
        b.end_object();
        b.key(metric::kScanoutCopyReasons).begin_object();
        for (int i = 1; i < kScanoutCopyReasonCount; ++i)
            b.key(to_string(static_cast<ScanoutCopyReason>(i))).value(o.scanout_copy_reasons[i]);
        b.end_object();
        b.key(metric::kDirectScanoutMisses).begin_object();
        for (int i = 1; i < kDirectScanoutMissCount; ++i)
            b.key(to_string(static_cast<DirectScanoutMiss>(i))).value(o.direct_scanout_misses[i]);
        b.end_object();
        b.key(metric::kMBpsScanoutCopied).value(o.mbps_scanout_copied);
        distribution(b, metric::kMsBetweenPresents, o.between_presents);
        distribution(b, metric::kMsCompositeCpu, o.composite_cpu);
        distribution(b, metric::kMsGpu, o.gpu);
        distribution(b, metric::kMsCompositeToPresent, o.composite_to_present);
        distribution(b, metric::kMsOverlayCpu, o.overlay_cpu);
        distribution(b, metric::kMsOverlayGpu, o.overlay_gpu);
        b.end_object();
    }
    b.end_array();
    b.key("clients").begin_array();
    for (const auto& c : s.clients) {
        b.begin_object();
        b.key("id").value(c.id);
        b.key("name").value(c.name);
        b.key("refresh_ms").value(c.refresh_ms);
        b.key(metric::kCommits).value(c.commits);
        b.key(metric::kCommitsDiscarded).value(c.commits_discarded);
        b.key(metric::kUpsClient).value(c.ups_client);
        b.key(metric::kCvBetweenDisplayed).value(c.cv_between_displayed);
        b.key(metric::kStalls).value(c.stalls);
        b.key(metric::kPathShare).begin_object();
        for (int i = 0; i < kImportPathCount; ++i)
            b.key(to_string(static_cast<ImportPath>(i))).value(c.path_share[i]);
        b.end_object();
        b.key(metric::kFallbacks).begin_object();
        for (int i = 1; i < kFallbackReasonCount; ++i)
            b.key(to_string(static_cast<FallbackReason>(i))).value(c.fallbacks[i]);
        b.end_object();
        b.key(metric::kMBpsCopied).value(c.mbps_copied);
        b.key(metric::kMBpsZeroCopy).value(c.mbps_zero_copy);
        distribution(b, metric::kMsBetweenCommits, c.between_commits);
        distribution(b, metric::kMsImport, c.import);
        distribution(b, metric::kMsUntilDisplayed, c.until_displayed);
        distribution(b, metric::kMsBetweenDisplayed, c.between_displayed);
        b.end_object();
    }
    b.end_array();
}

// CSV header: "Record", the record fields of both kinds (shared names once),
// then the per-record metric columns.
std::vector<std::string_view> build_csv_columns() {
    std::vector<std::string_view> cols{"Record"};
    auto add = [&](std::string_view n) {
        for (auto c : cols)
            if (c == n)
                return;
        cols.push_back(n);
    };
    for (const auto& f : frame_fields())
        add(f.csv_name);
    for (const auto& f : commit_fields())
        add(f.csv_name);
    for (const auto& m : all_metrics())
        if (m.scope == MetricScope::OutputFrame || m.scope == MetricScope::Commit)
            add(m.name);
    return cols;
}

} // namespace

std::string to_chrome_trace_json(const Timeline& t) {
    json::Builder b;
    b.begin_object();
    b.key("displayTimeUnit").value("ms");
    b.key("metadata").begin_object();
    b.key("format").value(kTraceFormat);
    b.key("version").value(kTraceFormatVersion);
    b.key("producer").value(t.producer);
    b.key("clock").value("CLOCK_MONOTONIC");
    b.key("clock_unit_of_ts").value("us");
    b.end_object();
    b.key("traceEvents").begin_array();

    b.begin_object()
        .key("ph")
        .value("M")
        .key("name")
        .value("process_name")
        .key("pid")
        .value(kPid)
        .key("tid")
        .value(0)
        .key("args")
        .begin_object()
        .key("name")
        .value(t.producer.empty() ? std::string("zcdisplay") : t.producer)
        .end_object()
        .end_object();

    // Tracks: one CPU and one GPU track per output, one track per client.
    std::map<std::string, int> output_index;
    for (const auto& f : t.frames)
        output_index.emplace(f.output_name, 0);
    int n = 0;
    for (auto& [name, idx] : output_index) {
        idx = n++;
        thread_name(b, kOutputCpuTid + idx, "output " + name + " composite", 2 * idx);
        thread_name(b, kOutputGpuTid + idx, "output " + name + " gpu", 2 * idx + 1);
    }
    std::map<uint32_t, const CommitRecord*> clients;
    for (const auto& c : t.commits)
        clients.emplace(c.client_id, &c);
    for (const auto& [id, c] : clients)
        thread_name(b, kClientTid + static_cast<int>(id), client_label(*c),
                    1000 + static_cast<int>(id));

    auto fm = derive_frame_metrics(t);
    for (size_t i = 0; i < t.frames.size(); ++i) {
        const auto& f = t.frames[i];
        int idx = output_index[f.output_name];
        int64_t begin = f.composite_cpu_begin_ns ? f.composite_cpu_begin_ns : f.present_ns;
        int64_t dur = f.composite_cpu_end_ns > begin ? f.composite_cpu_end_ns - begin : 0;
        // The canonical event: carries the whole record (trace_import reads it back).
        b.begin_object();
        b.key("ph").value("X").key("cat").value("zcd.frame").key("name").value("composite");
        b.key("pid").value(kPid).key("tid").value(kOutputCpuTid + idx);
        b.key("ts").raw(us(begin)).key("dur").raw(us(dur));
        b.key("args").begin_object();
        for (const auto& field : frame_fields())
            b.key(field.arg_name).raw(field_json(f, field));
        frame_metric_args(b, fm[i]);
        b.end_object();
        b.end_object();
        // GPU work, only where its timestamps share the CPU's clock.
        if (f.gpu_on_monotonic && f.gpu_begin_ns && f.gpu_end_ns >= f.gpu_begin_ns) {
            b.begin_object();
            b.key("ph").value("X").key("cat").value("zcd.detail").key("name").value("gpu");
            b.key("pid").value(kPid).key("tid").value(kOutputGpuTid + idx);
            b.key("ts").raw(us(f.gpu_begin_ns)).key("dur").raw(us(f.gpu_end_ns - f.gpu_begin_ns));
            b.key("args").begin_object().key("output_seq").value(f.output_seq).end_object();
            b.end_object();
        }
        if (f.presented && f.present_ns) {
            b.begin_object();
            b.key("ph").value("i").key("s").value("t").key("cat").value("zcd.detail");
            b.key("name").value("present");
            b.key("pid").value(kPid).key("tid").value(kOutputCpuTid + idx);
            b.key("ts").raw(us(f.present_ns));
            b.key("args")
                .begin_object()
                .key("output_seq")
                .value(f.output_seq)
                .key("msc")
                .value(f.msc)
                .key("present_flags")
                .value(f.present_flags)
                .end_object();
            b.end_object();
            if (fm[i].ms_between_presents)
                counter(b, metric::kMsBetweenPresents, f.present_ns, f.output_name,
                        *fm[i].ms_between_presents);
        }
    }

    auto cm = derive_commit_metrics(t);
    for (size_t i = 0; i < t.commits.size(); ++i) {
        const auto& c = t.commits[i];
        int tid = kClientTid + static_cast<int>(c.client_id);
        bool imported = c.import_begin_ns && c.import_end_ns >= c.import_begin_ns;
        int64_t begin = imported ? c.import_begin_ns : c.commit_ns;
        int64_t dur = imported ? c.import_end_ns - c.import_begin_ns : 0;
        b.begin_object();
        b.key("ph")
            .value("X")
            .key("cat")
            .value("zcd.commit")
            .key("name")
            .value(imported ? "import" : "commit");
        b.key("pid").value(kPid).key("tid").value(tid);
        b.key("ts").raw(us(begin)).key("dur").raw(us(dur));
        b.key("args").begin_object();
        for (const auto& field : commit_fields())
            b.key(field.arg_name).raw(field_json(c, field));
        commit_metric_args(b, cm[i]);
        b.end_object();
        b.end_object();
        // Commit-to-present spans overlap between commits: async events.
        if (c.presented && c.commit_ns && c.present_ns >= c.commit_ns) {
            for (const char* ph : {"b", "e"}) {
                b.begin_object();
                b.key("ph")
                    .value(ph)
                    .key("cat")
                    .value("zcd.detail")
                    .key("name")
                    .value(metric::kMsUntilDisplayed);
                b.key("id").value(c.commit_id);
                b.key("pid").value(kPid).key("tid").value(tid);
                b.key("ts").raw(us(ph[0] == 'b' ? c.commit_ns : c.present_ns));
                b.end_object();
            }
            counter(b, metric::kMsUntilDisplayed, c.present_ns, client_label(c),
                    *cm[i].ms_until_displayed);
        }
    }
    b.end_array();
    b.end_object();
    return b.take() + "\n";
}

std::span<const std::string_view> csv_columns() {
    static const std::vector<std::string_view> cols = build_csv_columns();
    return cols;
}

std::string to_csv(const Timeline& t) {
    auto cols = csv_columns();
    std::map<std::string_view, size_t> col_index;
    for (size_t i = 0; i < cols.size(); ++i)
        col_index[cols[i]] = i;
    std::string out;
    for (size_t i = 0; i < cols.size(); ++i)
        out += (i ? "," : "") + std::string(cols[i]);
    out += "\n";
    auto emit = [&](const std::vector<std::string>& row) {
        for (size_t i = 0; i < row.size(); ++i)
            out += (i ? "," : "") + row[i];
        out += "\n";
    };
    auto num = [](const std::optional<double>& v) { return v ? json::number(*v) : std::string(); };

    auto fm = derive_frame_metrics(t);
    for (size_t i = 0; i < t.frames.size(); ++i) {
        std::vector<std::string> row(cols.size());
        row[0] = "frame";
        for (const auto& f : frame_fields())
            row[col_index[f.csv_name]] = field_csv(t.frames[i], f);
        row[col_index[metric::kMsBetweenPresents]] = num(fm[i].ms_between_presents);
        row[col_index[metric::kMsCompositeCpu]] = num(fm[i].ms_composite_cpu);
        row[col_index[metric::kMsGpu]] = num(fm[i].ms_gpu);
        row[col_index[metric::kMsCompositeToPresent]] = num(fm[i].ms_composite_to_present);
        row[col_index[metric::kMsOverlayCpu]] = num(fm[i].ms_overlay_cpu);
        row[col_index[metric::kMsOverlayGpu]] = num(fm[i].ms_overlay_gpu);
        emit(row);
    }
    auto cm = derive_commit_metrics(t);
    for (size_t i = 0; i < t.commits.size(); ++i) {
        std::vector<std::string> row(cols.size());
        row[0] = "commit";
        for (const auto& f : commit_fields())
            row[col_index[f.csv_name]] = field_csv(t.commits[i], f);
        row[col_index[metric::kMsBetweenCommits]] = num(cm[i].ms_between_commits);
        row[col_index[metric::kMsImport]] = num(cm[i].ms_import);
        row[col_index[metric::kMsUntilDisplayed]] = num(cm[i].ms_until_displayed);
        row[col_index[metric::kMsBetweenDisplayed]] = num(cm[i].ms_between_displayed);
        emit(row);
    }
    return out;
}

std::string to_summary_json(const Summary& s) {
    json::Builder b;
    b.begin_object();
    b.key("format").value(kSummaryFormat);
    b.key("version").value(kTraceFormatVersion);
    summary_body(b, s);
    b.end_object();
    return b.take() + "\n";
}

std::string to_stats_line(const Summary& s, int64_t now_ns, double window_s) {
    json::Builder b;
    b.begin_object();
    b.key("type").value(kStatsLineType);
    b.key("version").value(kTraceFormatVersion);
    b.key("t_ns").value(now_ns);
    b.key("window_s").value(window_s);
    summary_body(b, s);
    b.end_object();
    return b.take() + "\n";
}

bool write_text_file(const std::string& path, std::string_view content, std::string* error) {
    FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) {
        if (error)
            *error = "cannot write " + path + ": " + std::strerror(errno);
        return false;
    }
    size_t n = std::fwrite(content.data(), 1, content.size(), f);
    int err = n == content.size() ? 0 : errno;
    if (std::fclose(f) != 0 && err == 0)
        err = errno;
    if (n != content.size() || err != 0) {
        if (error)
            *error = "cannot write " + path + ": " + std::strerror(err ? err : EIO);
        return false;
    }
    return true;
}

} // namespace zcd
