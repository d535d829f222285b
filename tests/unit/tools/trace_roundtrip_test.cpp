// What the exporters write: valid JSON with the required fields, a trace that
// reads back into the same timeline, a CSV whose rows match the schema.
#include <gtest/gtest.h>

#include <sstream>

#include "common/stats_summary.hpp"
#include "common/trace_export.hpp"
#include "common/trace_import.hpp"
#include "common/trace_json.hpp"
#include "common/trace_metrics.hpp"
#include "test_timelines.hpp"

namespace {

namespace json = zcd::json;

void expect_same(const zcd::OutputFrameRecord& a, const zcd::OutputFrameRecord& b) {
    EXPECT_EQ(a.output_seq, b.output_seq);
    EXPECT_EQ(a.output_name, b.output_name);
    EXPECT_EQ(a.composite_cpu_begin_ns, b.composite_cpu_begin_ns);
    EXPECT_EQ(a.composite_cpu_end_ns, b.composite_cpu_end_ns);
    EXPECT_EQ(a.gpu_begin_ns, b.gpu_begin_ns);
    EXPECT_EQ(a.gpu_end_ns, b.gpu_end_ns);
    EXPECT_EQ(a.gpu_on_monotonic, b.gpu_on_monotonic);
    EXPECT_EQ(a.overlay_cpu_ns, b.overlay_cpu_ns);
    EXPECT_EQ(a.overlay_gpu_ns, b.overlay_gpu_ns);
    EXPECT_EQ(a.presented, b.presented);
    EXPECT_EQ(a.present_ns, b.present_ns);
    EXPECT_EQ(a.present_flags, b.present_flags);
    EXPECT_EQ(a.refresh_ns, b.refresh_ns);
    EXPECT_EQ(a.msc, b.msc);
    EXPECT_EQ(a.commits_shown, b.commits_shown);
}

void expect_same(const zcd::CommitRecord& a, const zcd::CommitRecord& b) {
    EXPECT_EQ(a.commit_id, b.commit_id);
    EXPECT_EQ(a.client_id, b.client_id);
    EXPECT_EQ(a.client_name, b.client_name);
    EXPECT_EQ(a.commit_ns, b.commit_ns);
    EXPECT_EQ(a.import_begin_ns, b.import_begin_ns);
    EXPECT_EQ(a.import_end_ns, b.import_end_ns);
    EXPECT_EQ(a.path, b.path);
    EXPECT_EQ(a.reason, b.reason);
    EXPECT_EQ(a.bytes_copied, b.bytes_copied);
    EXPECT_EQ(a.bytes_zero_copy, b.bytes_zero_copy);
    EXPECT_EQ(a.width, b.width);
    EXPECT_EQ(a.height, b.height);
    EXPECT_EQ(a.drm_format, b.drm_format);
    EXPECT_EQ(a.modifier, b.modifier);
    EXPECT_EQ(a.presented, b.presented);
    EXPECT_EQ(a.discarded, b.discarded);
    EXPECT_EQ(a.output_seq, b.output_seq);
    EXPECT_EQ(a.present_ns, b.present_ns);
    EXPECT_EQ(a.present_flags, b.present_flags);
    EXPECT_EQ(a.refresh_ns, b.refresh_ns);
    EXPECT_EQ(a.msc, b.msc);
}

TEST(ChromeTrace, RoundTripsEveryField) {
    auto t = zcd::test::rich_timeline();
    auto r = zcd::import_chrome_trace(zcd::to_chrome_trace_json(t));
    ASSERT_TRUE(r.timeline) << r.error;
    EXPECT_EQ(r.timeline->producer, t.producer);
    ASSERT_EQ(r.timeline->frames.size(), t.frames.size());
    ASSERT_EQ(r.timeline->commits.size(), t.commits.size());
    for (size_t i = 0; i < t.frames.size(); ++i)
        expect_same(r.timeline->frames[i], t.frames[i]);
    for (size_t i = 0; i < t.commits.size(); ++i)
        expect_same(r.timeline->commits[i], t.commits[i]);
}

TEST(ChromeTrace, HasWhatPerfettoNeeds) {
    auto t = zcd::test::rich_timeline();
    auto parsed = json::parse(zcd::to_chrome_trace_json(t));
    ASSERT_TRUE(parsed.value) << parsed.error;
    EXPECT_EQ(parsed.value->get("metadata")->get("clock")->string, "CLOCK_MONOTONIC");
    const auto& events = *parsed.value->get("traceEvents")->array;
    size_t complete = 0, counters = 0, thread_names = 0, gpu = 0;
    for (const auto& ev : events) {
        const std::string& ph = ev.get("ph")->string;
        ASSERT_TRUE(ev.get("pid")) << "event without pid";
        if (ph != "M") {
            ASSERT_TRUE(ev.get("ts") && ev.get("ts")->is_number());
            EXPECT_GT(ev.get("ts")->number, 0);
        }
        if (ph == "X") {
            ++complete;
            ASSERT_TRUE(ev.get("dur") && ev.get("dur")->number >= 0);
            if (ev.get("name")->string == "gpu")
                ++gpu;
        }
        counters += ph == "C";
        thread_names += ph == "M" && ev.get("name")->string == "thread_name";
    }
    // 12 frames + 8 commits, plus GPU slices for the 6 calibrated frames.
    EXPECT_EQ(gpu, 6u);
    EXPECT_EQ(complete, 12u + 8u + 6u);
    // Two tracks per output and one per client.
    EXPECT_EQ(thread_names, 2u * 2u + 2u);
    EXPECT_GT(counters, 0u);
    // Timestamps are microseconds with the nanoseconds kept exactly.
    const auto& first_frame = events[1 + 2 * thread_names];
    ASSERT_EQ(first_frame.get("cat")->string, "zcd.frame");
    EXPECT_DOUBLE_EQ(first_frame.get("ts")->number, (5'000'000'000'123 + 16'666'667) / 1000.0);
}

std::vector<std::string> split_csv_line(const std::string& line) {
    std::vector<std::string> cells;
    std::string cell;
    bool quoted = false;
    for (size_t i = 0; i < line.size(); ++i) {
        char c = line[i];
        if (quoted) {
            if (c == '"' && i + 1 < line.size() && line[i + 1] == '"')
                cell += '"', ++i;
            else if (c == '"')
                quoted = false;
            else
                cell += c;
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            cells.push_back(cell), cell.clear();
        } else {
            cell += c;
        }
    }
    cells.push_back(cell);
    return cells;
}

TEST(Csv, HeaderAndRowsFollowTheSchema) {
    auto t = zcd::test::rich_timeline();
    t.commits.resize(3); // no newline inside client names for this line-based check
    t.commits[1].client_name = "zc-client";
    std::string csv = zcd::to_csv(t);
    std::istringstream in(csv);
    std::string line;
    ASSERT_TRUE(std::getline(in, line));
    auto header = split_csv_line(line);
    auto cols = zcd::csv_columns();
    ASSERT_EQ(header.size(), cols.size());
    for (size_t i = 0; i < cols.size(); ++i)
        EXPECT_EQ(header[i], cols[i]);
    auto col = [&](std::string_view name) {
        for (size_t i = 0; i < header.size(); ++i)
            if (header[i] == name)
                return i;
        ADD_FAILURE() << "no column " << name;
        return size_t{0};
    };
    size_t frames = 0, commits = 0;
    while (std::getline(in, line)) {
        auto cells = split_csv_line(line);
        ASSERT_EQ(cells.size(), header.size()) << line;
        if (cells[0] == "frame") {
            if (frames == 1 && cells[col("OutputName")] == "HEADLESS-1") {
                EXPECT_EQ(cells[col("MsBetweenPresents")], "16.666667");
            }
            if (frames == 6) {
                EXPECT_EQ(cells[col("OutputName")], "WL,\"2\"");
            }
            EXPECT_EQ(cells[col("MsCompositeCpu")], "1.234567");
            EXPECT_TRUE(cells[col("CommitId")].empty());
            ++frames;
        } else {
            ASSERT_EQ(cells[0], "commit");
            EXPECT_EQ(cells[col("MsImport")], "2");
            EXPECT_TRUE(cells[col("OutputName")].empty());
            ++commits;
        }
    }
    EXPECT_EQ(frames, 12u);
    EXPECT_EQ(commits, 3u);
}

TEST(Summary, JsonCarriesEveryMetricName) {
    auto parsed = json::parse(zcd::to_summary_json(zcd::test::rich_timeline()));
    ASSERT_TRUE(parsed.value) << parsed.error;
    const auto& root = *parsed.value;
    EXPECT_EQ(root.get("format")->string, "zcdisplay-summary");
    const auto& out = (*root.get("outputs")->array)[0];
    const auto& client = (*root.get("clients")->array)[0];
    for (const auto& m : zcd::all_metrics()) {
        bool on_output =
            m.scope == zcd::MetricScope::Output || m.scope == zcd::MetricScope::OutputFrame;
        const auto& holder = on_output ? out : client;
        const auto* v = holder.get(m.name);
        ASSERT_TRUE(v) << m.name << " missing from the summary";
        if (m.unit != "ms")
            continue;
        for (auto key : zcd::kStatKeys) {
            EXPECT_TRUE(v->get(key) && v->get(key)->is_number()) << m.name << "." << key;
        }
    }
    EXPECT_GT(out.get("MsBetweenPresents")->get("p50")->number, 16.0);
}

TEST(StatsLine, IsOneJsonObjectPerLine) {
    auto s = zcd::summarize(zcd::test::rich_timeline());
    std::string line = zcd::to_stats_line(s, 42, 1.0);
    ASSERT_EQ(line.back(), '\n');
    EXPECT_EQ(line.find('\n'), line.size() - 1);
    auto parsed = json::parse(line);
    ASSERT_TRUE(parsed.value) << parsed.error;
    EXPECT_EQ(parsed.value->get("type")->string, "stats");
    EXPECT_EQ(*parsed.value->get("t_ns")->integer, 42);
    EXPECT_EQ(parsed.value->get("clients")->array->size(), 2u);
}

TEST(ChromeTrace, FieldsAddedLaterAreOptional) {
    auto t = zcd::test::rich_timeline();
    std::string text = zcd::to_chrome_trace_json(t);
    // A version-1 trace written before "discarded" existed still reads.
    size_t n = 0;
    for (size_t at; (at = text.find("\"discarded\":")) != std::string::npos; ++n)
        text.erase(at, text.find(',', at) - at + 1);
    ASSERT_EQ(n, t.commits.size());
    auto r = zcd::import_chrome_trace(text);
    ASSERT_TRUE(r.timeline) << r.error;
    EXPECT_FALSE(r.timeline->commits[4].discarded);
}

TEST(Files, WriteErrorIsOneLine) {
    std::string err;
    EXPECT_FALSE(zcd::write_text_file("/nonexistent-dir/x.json", "{}", &err));
    EXPECT_EQ(err, "cannot write /nonexistent-dir/x.json: No such file or directory");
}

} // namespace
