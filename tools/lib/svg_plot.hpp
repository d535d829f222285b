// zc-stat --plot: a hand-written SVG with frame time over time (one line per
// output's MsBetweenPresents and per client's MsUntilDisplayed) and a
// histogram of the frame intervals, with p50/p99 marked.
#pragma once

#include <string>

#include "common/timeline.hpp"

namespace zcd::tools {

std::string plot_svg(const Timeline& timeline, const std::string& title);

} // namespace zcd::tools
