#include "tools/lib/svg_plot.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <vector>

#include "common/stats.hpp"
#include "common/stats_summary.hpp"
#include "common/trace_metrics.hpp"

namespace zcd::tools {

namespace {

constexpr double kWidth = 960, kPanelH = 300, kMarginL = 70, kMarginR = 20, kTop = 50, kGap = 80;
const char* const kColours[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf"};

struct Series {
    std::string label;
    std::vector<std::pair<double, double>> points; // (seconds, ms)
};

std::string esc(const std::string& s) {
    std::string o;
    for (char c : s) {
        if (c == '<')
            o += "&lt;";
        else if (c == '>')
            o += "&gt;";
        else if (c == '&')
            o += "&amp;";
        else if (c == '"')
            o += "&quot;";
        else
            o += c;
    }
    return o;
}

std::string f(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", v);
    return buf;
}

// A "nice" step for about n ticks over [0, max].
double tick_step(double max, int n) {
    if (max <= 0)
        return 1;
    double raw = max / n;
    double mag = std::pow(10, std::floor(std::log10(raw)));
    for (double m : {1.0, 2.0, 5.0, 10.0})
        if (raw <= m * mag)
            return m * mag;
    return 10 * mag;
}

void axes(std::string& svg, double y0, double xmax, double ymax, const std::string& xlabel,
          const std::string& ylabel) {
    double x0 = kMarginL, w = kWidth - kMarginL - kMarginR;
    svg += "<rect x=\"" + f(x0) + "\" y=\"" + f(y0) + "\" width=\"" + f(w) + "\" height=\"" +
           f(kPanelH) + "\" fill=\"none\" stroke=\"#888\"/>\n";
    double xs = tick_step(xmax, 8), ys = tick_step(ymax, 5);
    for (double x = 0; x <= xmax * 1.0001; x += xs) {
        double px = x0 + x / xmax * w;
        char buf[32];
        std::snprintf(buf, sizeof buf, "%g", x);
        svg += "<line x1=\"" + f(px) + "\" y1=\"" + f(y0 + kPanelH) + "\" x2=\"" + f(px) +
               "\" y2=\"" + f(y0 + kPanelH + 5) + "\" stroke=\"#888\"/><text x=\"" + f(px) +
               "\" y=\"" + f(y0 + kPanelH + 18) + "\" text-anchor=\"middle\">" + buf + "</text>\n";
    }
    for (double y = 0; y <= ymax * 1.0001; y += ys) {
        double py = y0 + kPanelH - y / ymax * kPanelH;
        char buf[32];
        std::snprintf(buf, sizeof buf, "%g", y);
        svg += "<line x1=\"" + f(x0) + "\" y1=\"" + f(py) + "\" x2=\"" + f(x0 + w) + "\" y2=\"" +
               f(py) + "\" stroke=\"#eee\"/><text x=\"" + f(x0 - 6) + "\" y=\"" + f(py + 4) +
               "\" text-anchor=\"end\">" + buf + "</text>\n";
    }
    svg += "<text x=\"" + f(x0 + w / 2) + "\" y=\"" + f(y0 + kPanelH + 36) +
           "\" text-anchor=\"middle\">" + esc(xlabel) + "</text>\n";
    svg += "<text transform=\"translate(18," + f(y0 + kPanelH / 2) +
           ") rotate(-90)\" text-anchor=\"middle\">" + esc(ylabel) + "</text>\n";
}

} // namespace

std::string plot_svg(const Timeline& t, const std::string& title) {
    auto fm = derive_frame_metrics(t);
    auto cm = derive_commit_metrics(t);
    std::map<std::string, Series> by_output;
    std::map<uint32_t, Series> by_client;
    int64_t t0 = 0;
    for (const auto& fr : t.frames)
        if (fr.present_ns && (t0 == 0 || fr.present_ns < t0))
            t0 = fr.present_ns;
    for (const auto& c : t.commits)
        if (c.present_ns && (t0 == 0 || c.present_ns < t0))
            t0 = c.present_ns;
    std::vector<double> intervals; // histogram input
    for (size_t i = 0; i < t.frames.size(); ++i) {
        if (!fm[i].ms_between_presents)
            continue;
        auto& s = by_output[t.frames[i].output_name];
        s.label =
            "output " + t.frames[i].output_name + " " + std::string(metric::kMsBetweenPresents);
        s.points.emplace_back(ns_between(t0, t.frames[i].present_ns) / 1e9,
                              *fm[i].ms_between_presents);
        intervals.push_back(*fm[i].ms_between_presents);
    }
    std::string hist_metric(metric::kMsBetweenPresents);
    std::vector<double> displayed;
    for (size_t i = 0; i < t.commits.size(); ++i) {
        if (cm[i].ms_between_displayed)
            displayed.push_back(*cm[i].ms_between_displayed);
        if (!cm[i].ms_until_displayed)
            continue;
        auto& s = by_client[t.commits[i].client_id];
        s.label = "client " + std::to_string(t.commits[i].client_id) + " " +
                  std::string(metric::kMsUntilDisplayed);
        s.points.emplace_back(ns_between(t0, t.commits[i].present_ns) / 1e9,
                              *cm[i].ms_until_displayed);
    }
    if (intervals.empty()) { // a client trace: its displayed intervals instead
        intervals = displayed;
        hist_metric = metric::kMsBetweenDisplayed;
    }
    std::vector<Series> series;
    for (auto& [k, s] : by_output)
        series.push_back(std::move(s));
    for (auto& [k, s] : by_client)
        series.push_back(std::move(s));

    double xmax = 0, ymax = 0;
    for (const auto& s : series)
        for (auto [x, y] : s.points)
            xmax = std::max(xmax, x), ymax = std::max(ymax, y);
    xmax = xmax > 0 ? xmax : 1;
    ymax = ymax > 0 ? ymax * 1.1 : 1;

    double height = kTop + 2 * kPanelH + kGap + 60;
    std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + f(kWidth) +
                      "\" height=\"" + f(height) +
                      "\" font-family=\"sans-serif\" font-size=\"12\">\n";
    svg += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
    svg += "<text x=\"" + f(kMarginL) + "\" y=\"24\" font-size=\"16\">" + esc(title) + "</text>\n";

    // Panel 1: frame time over time.
    double y0 = kTop;
    axes(svg, y0, xmax, ymax, "time since first present (s)", "ms");
    double w = kWidth - kMarginL - kMarginR;
    for (size_t i = 0; i < series.size(); ++i) {
        const char* colour = kColours[i % std::size(kColours)];
        std::string pts;
        for (auto [x, y] : series[i].points)
            pts += f(kMarginL + x / xmax * w) + "," + f(y0 + kPanelH - y / ymax * kPanelH) + " ";
        svg += "<polyline fill=\"none\" stroke-width=\"1.2\" stroke=\"" + std::string(colour) +
               "\" points=\"" + pts + "\"/>\n";
        svg += "<text x=\"" + f(kMarginL + 10) + "\" y=\"" +
               f(y0 + 16 + 14 * static_cast<double>(i)) + "\" fill=\"" + colour + "\">" +
               esc(series[i].label) + "</text>\n";
    }
    if (series.empty())
        svg += "<text x=\"" + f(kMarginL + 10) + "\" y=\"" + f(y0 + 20) +
               "\">no presented frames in this trace</text>\n";

    // Panel 2: histogram of the frame intervals.
    double y1 = kTop + kPanelH + kGap;
    Distribution d = describe(intervals);
    // A trace whose intervals are all 0 (frames presented at one instant)
    // made hmax 0 and the bin index NaN cast to int, an out-of-bounds write
    // (found by tests/fuzz/stat_input): bins cover [0, hmax], hmax > 0, and
    // the index is clamped before the cast.
    double hmax = d.count && d.max > 0 ? d.max * 1.05 : 1;
    constexpr int kBins = 60;
    std::vector<int> bins(kBins, 0);
    for (double v : intervals) {
        double x = v / hmax * kBins;
        ++bins[x >= 0 ? static_cast<int>(std::min(x, kBins - 1.0)) : 0]; // NaN: bin 0
    }
    int top = std::max(1, *std::max_element(bins.begin(), bins.end()));
    axes(svg, y1, hmax, top * 1.1, hist_metric + " (ms)", "frames");
    double bw = w / kBins;
    for (int i = 0; i < kBins; ++i) {
        if (!bins[i])
            continue;
        double h = bins[i] / (top * 1.1) * kPanelH;
        svg += "<rect x=\"" + f(kMarginL + i * bw) + "\" y=\"" + f(y1 + kPanelH - h) +
               "\" width=\"" + f(std::max(1.0, bw - 1)) + "\" height=\"" + f(h) +
               "\" fill=\"#1f77b4\"/>\n";
    }
    if (d.count) {
        for (auto [label, v] : {std::pair{"p50", d.p50}, std::pair{"p99", d.p99}}) {
            double px = kMarginL + v / hmax * w;
            svg += "<line x1=\"" + f(px) + "\" y1=\"" + f(y1) + "\" x2=\"" + f(px) + "\" y2=\"" +
                   f(y1 + kPanelH) + "\" stroke=\"#d62728\" stroke-dasharray=\"4 3\"/>\n";
            char buf[64];
            std::snprintf(buf, sizeof buf, "%s %.2f ms", label, v);
            svg += "<text x=\"" + f(px + 4) + "\" y=\"" + f(y1 + (label[1] == '5' ? 14 : 28)) +
                   "\" fill=\"#d62728\">" + buf + "</text>\n";
        }
    }
    char buf[160];
    std::snprintf(buf, sizeof buf, "%zu intervals, mean %.3f ms, max %.3f ms", d.count, d.mean,
                  d.max);
    svg += "<text x=\"" + f(kMarginL) + "\" y=\"" + f(y1 - 10) + "\">" + hist_metric + ": " + buf +
           "</text>\n";
    svg += "</svg>\n";
    return svg;
}

} // namespace zcd::tools
