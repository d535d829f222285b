// Where toplevels go: a shelf packer that never overlaps two windows.
// Pure (no wlroots) so its one promise -- no overlap -- is unit-tested.
#pragma once

#include <cstdint>
#include <vector>

namespace zcd::app {

struct Rect {
    int32_t x = 0, y = 0, width = 0, height = 0;
};

bool overlaps(const Rect& a, const Rect& b);

// Places windows of the given sizes, in order, left to right in rows
// ("shelves") inside `area`, with `gap` pixels between them.  A window that
// does not fit the remaining row starts a new row below the tallest window of
// the current one; rows may run past the bottom of the area (then windows are
// partly off-screen, never on top of each other).  A window too wide for the
// gaps starts at the area's left edge, and also at its top edge when it is the
// first and too tall for the gaps: an output-sized window covers the output
// exactly.  Sizes <= 0 are treated as 1.
std::vector<Rect> layout_shelves(const std::vector<Rect>& sizes, const Rect& area, int32_t gap = 8);

} // namespace zcd::app
