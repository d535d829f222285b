#include "common/overlay_content.hpp"

#include <algorithm>
#include <cstdarg>
#include <cstdio>

namespace zcd {

namespace {

std::string format(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
std::string format(const char* fmt, ...) {
    va_list ap, again;
    va_start(ap, fmt);
    va_copy(again, ap);
    const int n = std::vsnprintf(nullptr, 0, fmt, ap);
    va_end(ap);
    std::string s(n > 0 ? size_t(n) : 0, '\0');
    if (n > 0)
        std::vsnprintf(s.data(), s.size() + 1, fmt, again);
    va_end(again);
    return s;
}

unsigned long long ull(uint64_t v) {
    return static_cast<unsigned long long>(v);
}

void add(std::vector<OverlayLine>& lines, OverlayLineStyle style, std::string text) {
    lines.push_back(OverlayLine{style, std::move(text)});
}

void interconnect_line(std::vector<OverlayLine>& lines, const char* side,
                       const OverlayInterconnect& ic) {
    if (!ic.available)
        return;
    add(lines, OverlayLineStyle::Wrapped,
        format("%s interconnect (%s): maps %llu  fallbacks %llu  rejected %llu", side,
               ic.source.c_str(), ull(ic.interconnect_maps), ull(ic.fallbacks),
               ull(ic.rejected_ranges)));
}

} // namespace

OverlayContent format_overlay_content(const OverlayModel& m) {
    using S = OverlayLineStyle;
    OverlayContent c;
    // Labels use the docs/metrics.md names; FPS (output frames) and UPS
    // (client buffers) are spelled out so nobody confuses them.
    std::vector<OverlayLine>& head = c.head;
    add(head, S::Plain, m.title);
    if (!m.device.empty())
        add(head, S::Dim, m.device);
    add(head, S::Separator, "");
    for (const OverlayOutput& out : m.outputs)
        add(head, S::Wrapped,
            format("%s: %.1f FPS (output frames/s)  missed vblanks %llu  stalls %llu",
                   out.name.c_str(), out.fps, ull(out.missed_vblanks), ull(out.stalls)));
    for (const OverlayClient& cl : m.clients) {
        const std::string name = cl.name.empty() ? "(unnamed client)" : cl.name;
        if (!cl.has_buffer) {
            add(head, S::Wrapped, name + ": no buffer shown yet");
            continue;
        }
        std::string line = format("%s: %.1f UPS (client buffers/s)  ", name.c_str(), cl.ups);
        line += to_string(cl.last_path);
        if (cl.last_reason != FallbackReason::None) {
            line += " / ";
            line += to_string(cl.last_reason);
        }
        add(head, S::Wrapped, std::move(line));
    }

    if (!m.frame_time_ms.empty()) {
        add(head, S::Plain, "MsBetweenPresents");
        c.frame_times.ms = m.frame_time_ms;
        c.frame_times.top_ms = std::max(1.0f, float(m.frame_time_max_ms) * 1.1f);
        c.frame_times.label = format("min %.2f avg %.2f max %.2f ms", m.frame_time_min_ms,
                                     m.frame_time_avg_ms, m.frame_time_max_ms);
    }

    std::vector<OverlayLine>& tail = c.tail;
    if (m.commit_to_present.valid)
        add(tail, S::Wrapped,
            format("commit-to-present ms: p50 %.2f  p95 %.2f  p99 %.2f  max %.2f",
                   m.commit_to_present.p50_ms, m.commit_to_present.p95_ms,
                   m.commit_to_present.p99_ms, m.commit_to_present.max_ms));
    add(tail, S::Separator, "");
    for (int i = 0; i < kImportPathCount; ++i)
        add(tail, S::Plain,
            format("%-17s %llu", std::string(to_string(static_cast<ImportPath>(i))).c_str(),
                   ull(m.path_counts[i])));
    for (int i = 1; i < kFallbackReasonCount; ++i) { // 0 is "none"
        if (m.fallback_counts[i] == 0)
            continue;
        add(tail, S::Plain,
            format("  fallback %s: %llu",
                   std::string(to_string(static_cast<FallbackReason>(i))).c_str(),
                   ull(m.fallback_counts[i])));
    }
    add(tail, S::Wrapped,
        format("MB/s copied %.1f   MB/s zero-copy %.1f", m.mb_per_s_copied, m.mb_per_s_zero_copy));
    add(tail, S::Separator, "");
    // The output hop (docs/metrics.md, "The output hop"), presented frames.
    for (int i = 0; i < kScanoutPathCount; ++i)
        add(tail, S::Plain,
            format("%-18s %llu", std::string(to_string(static_cast<ScanoutPath>(i))).c_str(),
                   ull(m.scanout_counts[i])));
    add(tail, S::Wrapped, format("MB/s copied by the output hop %.1f", m.mb_per_s_scanout_copied));
    interconnect_line(tail, "guest", m.guest);
    interconnect_line(tail, "host", m.host);
    add(tail, S::Dim,
        format("overlay cost: CPU %.3f ms  GPU %.3f ms", m.overlay_cpu_ms, m.overlay_gpu_ms));
    return c;
}

} // namespace zcd
