#include "app/layout.hpp"

#include <algorithm>

namespace zcd::app {

bool overlaps(const Rect& a, const Rect& b) {
    return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height &&
           b.y < a.y + a.height;
}

std::vector<Rect> layout_shelves(const std::vector<Rect>& sizes, const Rect& area, int32_t gap) {
    std::vector<Rect> placed;
    placed.reserve(sizes.size());
    int32_t x = area.x + gap, y = area.y + gap, row_height = 0;
    for (const Rect& s : sizes) {
        Rect r{0, 0, std::max(s.width, 1), std::max(s.height, 1)};
        // Start a new shelf when this one is not empty and the window would
        // cross the right edge.  A window wider than the area gets a row alone.
        if (x > area.x + gap && x + r.width > area.x + area.width) {
            x = area.x + gap;
            y += row_height + gap;
            row_height = 0;
        }
        r.x = x;
        r.y = y;
        // A window that does not fit after the gap is not pushed out by it:
        // one as large as the area covers it exactly from its origin
        // (fullscreen-sized clients, which the output can then scan out
        // directly).  It has its row alone, so nothing moves onto it.
        if (x == area.x + gap && r.width > area.width - gap) {
            r.x = area.x;
            if (y == area.y + gap && r.height > area.height - gap)
                r.y = area.y;
        }
        x += r.width + gap;
        row_height = std::max(row_height, r.height);
        placed.push_back(r);
    }
    return placed;
}

bool place_panel(const Rect& output, int32_t width, int32_t height,
                 const std::vector<Rect>& windows, int32_t gap, Rect* out) {
    const int32_t right = output.x + output.width - width - gap;
    const int32_t bottom = output.y + output.height - height - gap;
    // Candidates in order of preference, tried without building a list (this
    // runs every frame the overlay is shown).
    auto fits = [&](int32_t x, int32_t y) {
        const Rect c{x, y, width, height};
        if (c.x < output.x || c.y < output.y || c.x + c.width > output.x + output.width ||
            c.y + c.height > output.y + output.height)
            return false;
        for (const Rect& w : windows)
            if (overlaps(c, w))
                return false;
        *out = c;
        return true;
    };
    if (fits(right, output.y + gap) || fits(right, bottom) || fits(output.x + gap, bottom) ||
        fits(output.x + gap, output.y + gap))
        return true;
    for (const Rect& w : windows)
        if (fits(w.x + w.width + gap, w.y) || fits(w.x, w.y + w.height + gap) ||
            fits(right, w.y + w.height + gap))
            return true;
    *out = Rect{right, output.y + gap, width, height};
    return false;
}

} // namespace zcd::app
