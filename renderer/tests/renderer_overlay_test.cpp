// The overlay: drawn on top of the composed frame in the displayed buffer,
// absent from read_pixels unless asked for, confined to its rectangle, and
// its own CPU/GPU cost measured.
#include <drm_fourcc.h>
#include <fcntl.h>

#include "common/overlay_model.hpp"
#include "renderer/tests/renderer_fixture.hpp"

namespace zcd::test {
namespace {

constexpr int kW = 640, kH = 400;

OverlayModel sample_model() {
    OverlayModel m;
    m.device = "test device";
    m.outputs.push_back({"HEADLESS-1", 59.9, 1, 2});
    OverlayClient c;
    c.name = "zc-client";
    c.ups = 30.0;
    c.last_path = ImportPath::ShmHostImport;
    c.has_buffer = true;
    m.clients.push_back(c);
    for (int i = 0; i < 120; ++i)
        m.frame_time_ms.push_back(16.0f + float(i % 7) * 0.3f);
    m.frame_time_min_ms = 16.0;
    m.frame_time_avg_ms = 16.9;
    m.frame_time_max_ms = 17.8;
    m.commit_to_present = {true, 17.0, 20.0, 25.0, 31.0};
    m.path_counts[size_t(ImportPath::ShmHostImport)] = 1234;
    m.fallback_counts[size_t(FallbackReason::ForcedCopy)] = 3;
    m.mb_per_s_zero_copy = 55.3;
    return m;
}

class RendererOverlay : public ::testing::Test {
  protected:
    void SetUp() override { make(false); }
    // dmabuf_target: DRM-backend style, the output buffer is a dmabuf
    // rendered in place (a memfd here, /dev/null as the DRM fd).
    void make(bool dmabuf_target) {
        render::RendererOptions opts;
        opts.validation = true;
        if (dmabuf_target)
            fake_drm_fd = opts.drm_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
        r = render::create_vulkan_renderer(opts);
        ASSERT_NE(r, nullptr);
        target = create_test_buffer(kW, kH, DRM_FORMAT_XRGB8888, 0, 0, dmabuf_target);
        src = create_test_buffer(64, 48, DRM_FORMAT_ARGB8888);
        for (int y = 0; y < 48; ++y)
            for (int x = 0; x < 64; ++x)
                src->put(x, y, 0xff000000u | uint32_t(x * 4) << 16 | uint32_t(y * 5) << 8 | 0x40);
        tex = wlr_texture_from_buffer(r, &src->base);
        ASSERT_NE(tex, nullptr);
    }
    void TearDown() override {
        render::set_overlay(r, nullptr);
        EXPECT_EQ(render::validation_error_count(r), 0u);
        wlr_texture_destroy(tex);
        wlr_buffer_drop(&src->base);
        wlr_buffer_drop(&target->base);
        wlr_renderer_destroy(r);
        if (fake_drm_fd >= 0)
            close(fake_drm_fd);
        fake_drm_fd = -1;
    }
    void compose() {
        render_frame(r, target, [&] {
            clear_to(r, 0xff204060);
            draw_at(r, tex, 300, 200);
        });
    }
    std::vector<uint32_t> buffer_pixels() {
        std::vector<uint32_t> v(size_t(kW) * kH);
        for (int y = 0; y < kH; ++y)
            for (int x = 0; x < kW; ++x)
                v[size_t(y) * kW + x] = pixel_at(target, x, y);
        return v;
    }
    // read_pixels of the target's last frame, as a capture would do it.
    std::vector<uint32_t> captured_pixels() {
        std::vector<uint32_t> v(size_t(kW) * kH, 0);
        EXPECT_TRUE(wlr_renderer_begin_with_buffer(r, &target->base));
        EXPECT_TRUE(wlr_renderer_read_pixels(r, DRM_FORMAT_XRGB8888, nullptr, kW * 4, kW, kH, 0, 0,
                                             0, 0, v.data()));
        wlr_renderer_end(r);
        return v;
    }
    wlr_renderer* r = nullptr;
    ShmTestBuffer* target = nullptr;
    ShmTestBuffer* src = nullptr;
    wlr_texture* tex = nullptr;
    int fake_drm_fd = -1;
};

TEST_F(RendererOverlay, ShownOnScreenButNotInCapturesByDefault) {
    compose();
    const std::vector<uint32_t> plain = buffer_pixels();
    render::OverlayCost cost;
    EXPECT_FALSE(render::last_overlay_cost(r, &cost));

    OverlayModel model = sample_model();
    render::set_overlay(r, &model);
    compose();
    render::request_capture(r); // the compositor asks before a frame it captures
    compose();                  // second frame: the overlay's steady state (fonts uploaded)
    const std::vector<uint32_t> shown = buffer_pixels();
    ASSERT_TRUE(render::last_overlay_cost(r, &cost));
    EXPECT_GT(cost.cpu_ns, 0);
    EXPECT_GE(cost.gpu_ns, 0);
    EXPECT_GT(cost.width, 50);
    EXPECT_GT(cost.height, 50);
    std::printf("overlay: rect %dx%d at %d,%d, cpu %.3f ms, gpu %.3f ms\n", cost.width, cost.height,
                cost.x, cost.y, double(cost.cpu_ns) / 1e6, double(cost.gpu_ns) / 1e6);

    // Displayed buffer: differs from the plain frame, and only inside the panel.
    int inside_diff = 0, outside_diff = 0;
    for (int y = 0; y < kH; ++y)
        for (int x = 0; x < kW; ++x) {
            const bool differs = shown[size_t(y) * kW + x] != plain[size_t(y) * kW + x];
            const bool inside =
                x >= cost.x && x < cost.x + cost.width && y >= cost.y && y < cost.y + cost.height;
            (inside ? inside_diff : outside_diff) += differs;
        }
    EXPECT_GT(inside_diff, 1000);
    EXPECT_EQ(outside_diff, 0);

    // Capture (overlay-in-capture off): exactly the plain frame.
    EXPECT_EQ(captured_pixels(), plain);

    // A frame nobody asked to capture keeps no copy without the overlay
    // (that copy would cost every frame): read_pixels sees what is shown.
    compose();
    EXPECT_EQ(captured_pixels(), shown);

    // Overlay-in-capture on: the capture is what is displayed.
    render::set_overlay_in_capture(r, true);
    compose();
    EXPECT_EQ(captured_pixels(), buffer_pixels());
}

TEST_F(RendererOverlay, DmabufTargetCapturesWithoutTheOverlayToo) {
    TearDown();
    make(true);
    compose();
    const std::vector<uint32_t> plain = buffer_pixels();
    OverlayModel model = sample_model();
    render::set_overlay(r, &model);
    render::request_capture(r);
    compose();
    EXPECT_NE(buffer_pixels(), plain); // scanout buffer shows the overlay
    EXPECT_EQ(captured_pixels(), plain);
}

TEST_F(RendererOverlay, TurningItOffRestoresThePlainFrame) {
    compose();
    const std::vector<uint32_t> plain = buffer_pixels();
    OverlayModel model = sample_model();
    render::set_overlay(r, &model);
    compose();
    EXPECT_NE(buffer_pixels(), plain);
    render::set_overlay(r, nullptr);
    compose();
    EXPECT_EQ(buffer_pixels(), plain);
    EXPECT_EQ(captured_pixels(), plain);
}

// The panel is drawn (ImGui, rasterised: milliseconds on lavapipe) only when
// what it shows changed; every other frame copies the image drawn before.
TEST_F(RendererOverlay, RedrawsThePanelOnlyWhenItsContentChanges) {
    OverlayModel model = sample_model();
    render::set_overlay(r, &model);
    compose();
    compose();
    render::OverlayCost cost;
    ASSERT_TRUE(render::last_overlay_cost(r, &cost));
    EXPECT_FALSE(cost.redrawn);
    EXPECT_EQ(cost.gpu_ns, 0); // a copy-only frame is not GPU-timed
    const uint64_t drawn = cost.redraws;
    EXPECT_GE(drawn, 1u);
    const std::vector<uint32_t> before = buffer_pixels();

    // Refreshed with the same numbers: nothing to draw.
    model.version++;
    compose();
    ASSERT_TRUE(render::last_overlay_cost(r, &cost));
    EXPECT_FALSE(cost.redrawn);
    EXPECT_EQ(cost.redraws, drawn);
    // A change below the printed precision ("59.9 FPS") is no change either.
    model.outputs[0].fps = 59.91;
    model.version++;
    compose();
    ASSERT_TRUE(render::last_overlay_cost(r, &cost));
    EXPECT_EQ(cost.redraws, drawn);
    EXPECT_EQ(buffer_pixels(), before);

    // A number the panel shows changed: drawn once, then copied again.
    model.outputs[0].stalls = 9;
    model.version++;
    compose();
    ASSERT_TRUE(render::last_overlay_cost(r, &cost));
    EXPECT_TRUE(cost.redrawn);
    EXPECT_EQ(cost.redraws, drawn + 1);
    EXPECT_NE(buffer_pixels(), before);
    compose();
    ASSERT_TRUE(render::last_overlay_cost(r, &cost));
    EXPECT_FALSE(cost.redrawn);
    EXPECT_EQ(cost.redraws, drawn + 1);

    // Moved (the compositor placed it elsewhere): drawn again.
    model.x = 20;
    model.y = 10;
    compose();
    ASSERT_TRUE(render::last_overlay_cost(r, &cost));
    EXPECT_TRUE(cost.redrawn);
    EXPECT_EQ(cost.x, 20);
    EXPECT_EQ(cost.y, 10);
}

TEST_F(RendererOverlay, PanelImageHasThePanelsSizeNotTheOutputs) {
    OverlayModel model = sample_model();
    render::set_overlay(r, &model);
    compose();
    render::OverlayCost cost;
    ASSERT_TRUE(render::last_overlay_cost(r, &cost));
    EXPECT_EQ(cost.width, kOverlayPanelWidth);
    EXPECT_EQ(cost.image_width, cost.width);
    EXPECT_EQ(cost.image_height, cost.height);
    EXPECT_LT(cost.image_width, kW);
    EXPECT_LT(cost.image_height, kH);
    // Its background is the ImGui window colour (dark style, opaque), as
    // ImGui's own background quad would have written it: a corner pixel
    // inside the 1-pixel border, away from any text.
    const std::vector<uint32_t> shown = buffer_pixels();
    const int x = cost.x + cost.width - 3, y = cost.y + cost.height - 3;
    EXPECT_EQ(shown[size_t(y) * kW + x], 0xff0f0f0fu);
}

} // namespace
} // namespace zcd::test

int main(int argc, char** argv) {
    ::testing::InitGoogleTest(&argc, argv);
    zcd::test::skip_without_vulkan();
    return RUN_ALL_TESTS();
}
