// What the overlay panel shows, as formatted lines: the model's numbers
// turned into the exact strings the panel draws.  The renderer compares this
// with what it drew last and redraws the panel only when it differs: on a
// CPU rasteriser a redraw costs milliseconds, and most numbers change more
// slowly than the model is refreshed (or not at all in the printed
// precision).  Pure, unit-tested; renderer/overlay_panel.cpp draws it.
#pragma once

#include <string>
#include <vector>

#include "common/overlay_model.hpp"

namespace zcd {

enum class OverlayLineStyle {
    Plain,     // one line, never wrapped
    Dim,       // one line in the dimmed text colour
    Wrapped,   // wrapped at the panel's fixed width
    Separator, // a horizontal rule, no text
};

struct OverlayLine {
    OverlayLineStyle style = OverlayLineStyle::Plain;
    std::string text;
    bool operator==(const OverlayLine&) const = default;
};

// The frame-time graph: MsBetweenPresents of the first output.
struct OverlayFrameTimes {
    std::vector<float> ms; // oldest first; empty: no graph
    float top_ms = 1.0f;   // the graph's upper bound
    std::string label;     // "min .. avg .. max .. ms", drawn over the graph
    bool operator==(const OverlayFrameTimes&) const = default;
};

struct OverlayContent {
    // Lines above the graph, the graph, lines below it.
    std::vector<OverlayLine> head;
    OverlayFrameTimes frame_times;
    std::vector<OverlayLine> tail;
    bool operator==(const OverlayContent&) const = default;
};

// Everything the panel shows for `model` except its place (model.x/y).
OverlayContent format_overlay_content(const OverlayModel& model);

} // namespace zcd
