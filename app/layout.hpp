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
// partly off-screen, never on top of each other).  A window too wide to fit
// after the gap starts at the area's left edge, and also at its top edge when
// it is the first and too tall too: an output-sized window covers the output
// exactly.  Sizes <= 0 are treated as 1.
std::vector<Rect> layout_shelves(const std::vector<Rect>& sizes, const Rect& area, int32_t gap = 8);

// Where a panel of `width` x `height` can sit inside `output` without covering
// any of `windows`: the top-right corner when it is free, else the first free
// spot among the other corners and the places right of and below each
// window.  False when no such spot exists (*out is then the top-right corner).
bool place_panel(const Rect& output, int32_t width, int32_t height,
                 const std::vector<Rect>& windows, int32_t gap, Rect* out);

} // namespace zcd::app
