// What the overlay shows, drawn from an OverlayModel.  Labels use the
// docs/metrics.md names; FPS (output frames) and UPS (client buffers) are
// spelled out so nobody confuses them.
#include <algorithm>
#include <cstdio>
#include <string>

#include <imgui.h>

#include "renderer/overlay.hpp"

namespace zcd::render {

namespace {

void interconnect_row(const char* side, const OverlayInterconnect& ic) {
    if (!ic.available)
        return;
    ImGui::TextWrapped("%s interconnect (%s): maps %llu  fallbacks %llu  rejected %llu", side,
                       ic.source.c_str(), static_cast<unsigned long long>(ic.interconnect_maps),
                       static_cast<unsigned long long>(ic.fallbacks),
                       static_cast<unsigned long long>(ic.rejected_ranges));
}

} // namespace

OverlayRect draw_overlay_panel(const OverlayModel& m) {
    // Where the compositor placed it (where no window is); top-right until
    // it has.  Fixed width: the layout keeps a strip that wide free for it.
    const ImVec2 display = ImGui::GetIO().DisplaySize;
    const float width = float(kOverlayPanelWidth);
    if (m.x >= 0 && m.y >= 0)
        ImGui::SetNextWindowPos(ImVec2(float(m.x), float(m.y)), ImGuiCond_Always);
    else
        ImGui::SetNextWindowPos(ImVec2(display.x - 8.0f, 8.0f), ImGuiCond_Always,
                                ImVec2(1.0f, 0.0f));
    ImGui::SetNextWindowSizeConstraints(ImVec2(width, 0.0f), ImVec2(width, display.y));
    ImGui::SetNextWindowBgAlpha(1.0f);
    const ImGuiWindowFlags flags = ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoInputs |
                                   ImGuiWindowFlags_AlwaysAutoResize |
                                   ImGuiWindowFlags_NoSavedSettings |
                                   ImGuiWindowFlags_NoFocusOnAppearing | ImGuiWindowFlags_NoNav;
    ImGui::Begin("zcd-overlay", nullptr, flags);
    ImGui::Text("%s", m.title.c_str());
    if (!m.device.empty())
        ImGui::TextDisabled("%s", m.device.c_str());
    ImGui::Separator();

    for (const OverlayOutput& out : m.outputs)
        ImGui::TextWrapped("%s: %.1f FPS (output frames/s)  missed vblanks %llu  stalls %llu",
                           out.name.c_str(), out.fps,
                           static_cast<unsigned long long>(out.missed_vblanks),
                           static_cast<unsigned long long>(out.stalls));
    for (const OverlayClient& c : m.clients) {
        const std::string name = c.name.empty() ? "(unnamed client)" : c.name;
        if (c.has_buffer)
            ImGui::TextWrapped("%s: %.1f UPS (client buffers/s)  %s%s%s", name.c_str(), c.ups,
                               std::string(to_string(c.last_path)).c_str(),
                               c.last_reason == FallbackReason::None ? "" : " / ",
                               c.last_reason == FallbackReason::None
                                   ? ""
                                   : std::string(to_string(c.last_reason)).c_str());
        else
            ImGui::TextWrapped("%s: no buffer shown yet", name.c_str());
    }

    if (!m.frame_time_ms.empty()) {
        char label[96];
        std::snprintf(label, sizeof label, "min %.2f avg %.2f max %.2f ms", m.frame_time_min_ms,
                      m.frame_time_avg_ms, m.frame_time_max_ms);
        const float top = std::max(1.0f, float(m.frame_time_max_ms) * 1.1f);
        ImGui::Text("MsBetweenPresents");
        ImGui::PlotLines("##frametime", m.frame_time_ms.data(), int(m.frame_time_ms.size()), 0,
                         label, 0.0f, top, ImVec2(width - 16.0f, 60));
    }
    if (m.commit_to_present.valid)
        ImGui::TextWrapped("commit-to-present ms: p50 %.2f  p95 %.2f  p99 %.2f  max %.2f",
                           m.commit_to_present.p50_ms, m.commit_to_present.p95_ms,
                           m.commit_to_present.p99_ms, m.commit_to_present.max_ms);

    ImGui::Separator();
    for (int i = 0; i < kImportPathCount; ++i) {
        const auto p = static_cast<ImportPath>(i);
        ImGui::Text("%-17s %llu", std::string(to_string(p)).c_str(),
                    static_cast<unsigned long long>(m.path_counts[i]));
    }
    for (int i = 1; i < kFallbackReasonCount; ++i) { // 0 is "none"
        if (m.fallback_counts[i] == 0)
            continue;
        ImGui::Text("  fallback %s: %llu",
                    std::string(to_string(static_cast<FallbackReason>(i))).c_str(),
                    static_cast<unsigned long long>(m.fallback_counts[i]));
    }
    ImGui::TextWrapped("MB/s copied %.1f   MB/s zero-copy %.1f", m.mb_per_s_copied,
                       m.mb_per_s_zero_copy);
    ImGui::Separator();
    // The output hop (docs/metrics.md, "The output hop"), presented frames.
    for (int i = 0; i < kScanoutPathCount; ++i) {
        const auto p = static_cast<ScanoutPath>(i);
        ImGui::Text("%-18s %llu", std::string(to_string(p)).c_str(),
                    static_cast<unsigned long long>(m.scanout_counts[i]));
    }
    ImGui::TextWrapped("MB/s copied by the output hop %.1f", m.mb_per_s_scanout_copied);
    interconnect_row("guest", m.guest);
    interconnect_row("host", m.host);
    ImGui::TextDisabled("overlay cost: CPU %.3f ms  GPU %.3f ms", m.overlay_cpu_ms,
                        m.overlay_gpu_ms);

    const ImVec2 pos = ImGui::GetWindowPos();
    const ImVec2 size = ImGui::GetWindowSize();
    ImGui::End();
    return OverlayRect{int(pos.x), int(pos.y), int(size.x + 0.999f), int(size.y + 0.999f)};
}

} // namespace zcd::render
