// The overlay panel drawn with ImGui from its formatted content
// (common/overlay_content.hpp: the strings are made there, so that the
// renderer can tell whether a redraw would change anything).
#include <imgui.h>

#include "renderer/overlay.hpp"

namespace zcd::render {

namespace {

void draw_lines(const std::vector<OverlayLine>& lines) {
    for (const OverlayLine& line : lines) {
        switch (line.style) {
        case OverlayLineStyle::Plain:
            ImGui::TextUnformatted(line.text.c_str());
            break;
        case OverlayLineStyle::Dim:
            ImGui::TextDisabled("%s", line.text.c_str());
            break;
        case OverlayLineStyle::Wrapped:
            ImGui::TextWrapped("%s", line.text.c_str());
            break;
        case OverlayLineStyle::Separator:
            ImGui::Separator();
            break;
        }
    }
}

} // namespace

OverlayRect draw_overlay_panel(const OverlayContent& content, int32_t x, int32_t y) {
    // Where the compositor placed it (where no window is); top-right until
    // it has.  Fixed width: the layout keeps a strip that wide free for it.
    const ImVec2 display = ImGui::GetIO().DisplaySize;
    const float width = float(kOverlayPanelWidth);
    if (x >= 0 && y >= 0)
        ImGui::SetNextWindowPos(ImVec2(float(x), float(y)), ImGuiCond_Always);
    else
        ImGui::SetNextWindowPos(ImVec2(display.x - 8.0f, 8.0f), ImGuiCond_Always,
                                ImVec2(1.0f, 0.0f));
    ImGui::SetNextWindowSizeConstraints(ImVec2(width, 0.0f), ImVec2(width, display.y));
    // No background quad: the panel's image is cleared to the window colour
    // before ImGui draws (renderer/overlay.cpp), which on a CPU rasteriser
    // is a fill instead of a textured, blended quad over every pixel.
    ImGui::SetNextWindowBgAlpha(0.0f);
    const ImGuiWindowFlags flags = ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoInputs |
                                   ImGuiWindowFlags_AlwaysAutoResize |
                                   ImGuiWindowFlags_NoSavedSettings |
                                   ImGuiWindowFlags_NoFocusOnAppearing | ImGuiWindowFlags_NoNav;
    ImGui::Begin("zcd-overlay", nullptr, flags);
    draw_lines(content.head);
    const OverlayFrameTimes& ft = content.frame_times;
    if (!ft.ms.empty())
        ImGui::PlotLines("##frametime", ft.ms.data(), int(ft.ms.size()), 0, ft.label.c_str(),
                         0.0f, ft.top_ms, ImVec2(width - 16.0f, 60));
    draw_lines(content.tail);

    const ImVec2 pos = ImGui::GetWindowPos();
    const ImVec2 size = ImGui::GetWindowSize();
    ImGui::End();
    return OverlayRect{int(pos.x), int(pos.y), int(size.x + 0.999f), int(size.y + 0.999f)};
}

} // namespace zcd::render
