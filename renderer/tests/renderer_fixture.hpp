// Test harness: one headless Vulkan renderer (validation on) per suite, a
// frame helper, and the exit-77 skip when there is no Vulkan device.
#pragma once

#include <array>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <functional>

#include <gtest/gtest.h>

#include "renderer/renderer.hpp"
#include "renderer/tests/test_buffer.hpp"

namespace zcd::test {

inline wlr_renderer* create_test_renderer(render::ForcePath force = render::ForcePath::Auto) {
    render::RendererOptions opts;
    opts.validation = true; // every renderer test doubles as a validation run
    opts.force_path = force;
    wlr_renderer* r = render::create_vulkan_renderer(opts);
    // Test buffers are memfds the test owns and never shrinks: they stand
    // for sealed wl_shm pools.
    if (r)
        render::trust_host_memory(r, test_buffer_impl());
    return r;
}

// Call from main() before RUN_ALL_TESTS: exits 77 without a Vulkan device.
inline void skip_without_vulkan() {
    wlr_renderer* r = create_test_renderer();
    if (!r) {
        std::printf("SKIP: missing hardware: Vulkan device (or validation layer) unavailable\n");
        std::exit(77);
    }
    wlr_renderer_destroy(r);
}

// Renders one frame into `target` with fn() between begin and end.
inline void render_frame(wlr_renderer* r, ShmTestBuffer* target, const std::function<void()>& fn) {
    ASSERT_TRUE(wlr_renderer_begin_with_buffer(r, &target->base));
    fn();
    wlr_renderer_end(r);
}

// The pixel as a display shows it: an XRGB8888 buffer's X byte is undefined
// (a target rendered in place may hold a client's X byte there), so it reads
// as opaque, like read_pixels returns it.
inline uint32_t pixel_at(ShmTestBuffer* b, uint32_t x, uint32_t y) {
    uint32_t v;
    std::memcpy(&v, b->pixels() + size_t(y) * b->stride + size_t(x) * 4, 4);
    return b->format == DRM_FORMAT_XRGB8888 ? v | 0xff000000u : v;
}

inline int64_t now_ns() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
}

inline void identity(float m[9]) {
    const float id[9] = {1, 0, 0, 0, 1, 0, 0, 0, 1};
    std::memcpy(m, id, sizeof(id));
}

// Draws `tex` at (x, y) at 1:1 scale, alpha 1.
inline void draw_at(wlr_renderer* r, wlr_texture* tex, int x, int y) {
    float proj[9];
    identity(proj);
    ASSERT_TRUE(wlr_render_texture(r, tex, proj, x, y, 1.0f));
}

inline void clear_to(wlr_renderer* r, uint32_t argb) {
    const float c[4] = {float((argb >> 16) & 0xff) / 255.0f, float((argb >> 8) & 0xff) / 255.0f,
                        float(argb & 0xff) / 255.0f, float(argb >> 24) / 255.0f};
    wlr_renderer_clear(r, c);
}

} // namespace zcd::test
