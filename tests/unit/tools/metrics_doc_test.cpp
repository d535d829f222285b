// docs/metrics.md and the code's metric table must agree: same names, same
// order, same unit and scope.  docs/trace-format.md must list every CSV
// column the exporter writes.  (Metrics are defined where they are shown.)
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "common/trace_export.hpp"
#include "common/trace_metrics.hpp"

namespace {

std::string read_doc(const std::string& rel) {
    std::ifstream in(std::string(ZCD_SOURCE_DIR) + "/" + rel);
    EXPECT_TRUE(in) << "cannot read " << rel;
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::string_view scope_name(zcd::MetricScope s) {
    switch (s) {
    case zcd::MetricScope::OutputFrame:
        return "OutputFrame";
    case zcd::MetricScope::Commit:
        return "Commit";
    case zcd::MetricScope::Output:
        return "Output";
    case zcd::MetricScope::Client:
        return "Client";
    }
    return "?";
}

struct DocRow {
    std::string name, unit, scope;
};

// Rows "| `Name` | unit | scope | ..." of the section "## Per-record and summary metrics".
std::vector<DocRow> metric_rows(const std::string& doc) {
    std::vector<DocRow> rows;
    std::istringstream in(doc);
    std::string line;
    bool in_section = false;
    std::regex row(R"(^\|\s*`([A-Za-z0-9]+)`\s*\|\s*([^|]*?)\s*\|\s*([^|]*?)\s*\|)");
    while (std::getline(in, line)) {
        if (line.rfind("## ", 0) == 0)
            in_section = line == "## Per-record and summary metrics";
        std::smatch m;
        if (in_section && std::regex_search(line, m, row))
            rows.push_back({m[1], m[2], m[3]});
    }
    return rows;
}

TEST(MetricsDoc, AgreesWithTheCodeTable) {
    auto rows = metric_rows(read_doc("docs/metrics.md"));
    auto code = zcd::all_metrics();
    std::set<std::string> in_doc, in_code;
    for (const auto& r : rows)
        in_doc.insert(r.name);
    for (const auto& m : code)
        in_code.insert(std::string(m.name));
    for (const auto& n : in_code)
        EXPECT_TRUE(in_doc.count(n)) << n << " is exported but not defined in docs/metrics.md";
    for (const auto& n : in_doc)
        EXPECT_TRUE(in_code.count(n))
            << n << " is in docs/metrics.md but not in common/trace_metrics.cpp";
    ASSERT_EQ(rows.size(), code.size()) << "a metric is listed twice";
    for (size_t i = 0; i < rows.size(); ++i) {
        EXPECT_EQ(rows[i].name, code[i].name) << "order differs at row " << i;
        EXPECT_EQ(rows[i].unit, code[i].unit) << rows[i].name;
        EXPECT_EQ(rows[i].scope, scope_name(code[i].scope)) << rows[i].name;
    }
}

TEST(MetricsDoc, EveryPerRecordMetricIsACsvColumn) {
    auto cols = zcd::csv_columns();
    for (const auto& m : zcd::all_metrics()) {
        if (m.scope != zcd::MetricScope::OutputFrame && m.scope != zcd::MetricScope::Commit)
            continue;
        bool found = false;
        for (auto c : cols)
            found |= c == m.name;
        EXPECT_TRUE(found) << m.name;
    }
}

TEST(TraceFormatDoc, ListsEveryCsvColumn) {
    std::string doc = read_doc("docs/trace-format.md");
    std::set<std::string> documented;
    std::regex row(R"(^\|\s*`([A-Za-z0-9]+)`\s*\|)");
    std::istringstream in(doc);
    std::string line;
    bool in_section = false;
    while (std::getline(in, line)) {
        if (line.rfind("## ", 0) == 0)
            in_section = line == "## CSV";
        std::smatch m;
        if (in_section && std::regex_search(line, m, row))
            documented.insert(m[1]);
    }
    std::set<std::string> written;
    for (auto c : zcd::csv_columns())
        written.insert(std::string(c));
    for (const auto& c : written)
        EXPECT_TRUE(documented.count(c)) << "CSV column " << c << " not in docs/trace-format.md";
    for (const auto& c : documented)
        EXPECT_TRUE(written.count(c)) << c << " documented but not written";
}

} // namespace
