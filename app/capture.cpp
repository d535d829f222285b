// Headless capture: the composed frame, read back from the renderer while it
// is still bound, written as <output>-<frame>.png into --capture DIR.
#include <cstdio>
#include <vector>

#include "app/png_writer.hpp"
#include "app/server.hpp"

namespace zcd::app {

void capture_frame(Output& out) {
    Server& server = *out.server;
    wlr_output* o = out.output;
    const uint32_t w = static_cast<uint32_t>(o->width), h = static_cast<uint32_t>(o->height);
    std::vector<uint8_t> pixels(size_t{w} * h * 4);
    // ABGR8888 is R, G, B, A in memory: what PNG wants.  Renderers that only
    // read back ARGB8888 (B, G, R, A in memory) get their bytes swapped.
    bool swap_rb = false;
    if (!wlr_renderer_read_pixels(server.renderer, DRM_FORMAT_ABGR8888, nullptr, w * 4, w, h, 0, 0,
                                  0, 0, pixels.data())) {
        if (!wlr_renderer_read_pixels(server.renderer, DRM_FORMAT_ARGB8888, nullptr, w * 4, w, h, 0,
                                      0, 0, 0, pixels.data())) {
            wlr_log(WLR_ERROR, "zc-compositor: capture: read_pixels failed on %s", o->name);
            return;
        }
        swap_rb = true;
    }
    if (swap_rb)
        for (size_t i = 0; i < pixels.size(); i += 4)
            std::swap(pixels[i], pixels[i + 2]);
    char name[128];
    std::snprintf(name, sizeof name, "%s-%06llu.png", o->name,
                  static_cast<unsigned long long>(out.frames_rendered));
    std::string error;
    if (!write_png_rgba(server.options.capture_dir + "/" + name, w, h, w * 4, pixels.data(),
                        &error)) {
        std::fprintf(stderr, "zc-compositor: capture: %s\n", error.c_str());
        return;
    }
    server.facts.captures.push_back(name);
    if (server.overlay_visible && server.options.overlay_in_capture)
        server.facts.capture_overlays.push_back({name, server.facts.overlay_x,
                                                 server.facts.overlay_y, server.facts.overlay_w,
                                                 server.facts.overlay_h});
}

} // namespace zcd::app
