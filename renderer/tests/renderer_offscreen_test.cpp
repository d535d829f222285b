// Offscreen renderer test: headless renderer, client shm buffers through
// both import paths, rendered with wlroots matrices into a data-pointer
// target; every expected pixel is computed from the pattern, not stored.
#include <drm_fourcc.h>

#include "renderer/tests/renderer_fixture.hpp"

namespace zcd::test {
namespace {

constexpr uint32_t kClear = 0xff102030;
constexpr int kTargetW = 32, kTargetH = 24;

// A distinct opaque colour per texel.
uint32_t pattern(uint32_t x, uint32_t y, uint32_t seed = 0) {
    return 0xff000000u | ((x * 37 + seed) & 0xff) << 16 | ((y * 53 + seed * 3) & 0xff) << 8 |
           ((x * 11 + y * 7 + 5) & 0xff);
}

ShmTestBuffer* make_source(int w, int h, uint32_t format, uint32_t seed = 0, uint32_t stride = 0,
                           uint8_t alpha_byte = 0xff) {
    ShmTestBuffer* b = create_test_buffer(w, h, format, stride);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x)
            b->put(x, y, (pattern(x, y, seed) & 0x00ffffff) | uint32_t(alpha_byte) << 24);
    return b;
}

class RendererOffscreen : public ::testing::Test {
  protected:
    void SetUp() override {
        r = create_test_renderer();
        ASSERT_NE(r, nullptr);
        target = create_test_buffer(kTargetW, kTargetH, DRM_FORMAT_XRGB8888);
        ASSERT_NE(target, nullptr);
    }
    void TearDown() override {
        EXPECT_EQ(render::validation_error_count(r), 0u);
        wlr_buffer_drop(&target->base);
        wlr_renderer_destroy(r);
    }
    // Expects the target to show `src` (w x h, pattern seed) at (ox, oy) and
    // the clear colour elsewhere.
    void expect_pattern_at(int ox, int oy, int w, int h, uint32_t seed = 0) {
        int mismatches = 0;
        for (int y = 0; y < kTargetH; ++y)
            for (int x = 0; x < kTargetW; ++x) {
                bool inside = x >= ox && x < ox + w && y >= oy && y < oy + h;
                uint32_t want = inside ? pattern(x - ox, y - oy, seed) : kClear;
                uint32_t got = pixel_at(target, x, y);
                if (got != want && mismatches++ < 5)
                    ADD_FAILURE() << "pixel (" << x << "," << y << ") = " << std::hex << got
                                  << " want " << want;
            }
        EXPECT_EQ(mismatches, 0);
    }
    wlr_renderer* r = nullptr;
    ShmTestBuffer* target = nullptr;
};

TEST_F(RendererOffscreen, ShmHostImportRendersExactPixelsWithoutCopy) {
    render::DeviceInfo info = render::device_info(r);
    ShmTestBuffer* src = make_source(7, 5, DRM_FORMAT_ARGB8888);
    wlr_texture* tex = wlr_texture_from_buffer(r, &src->base);
    ASSERT_NE(tex, nullptr);
    const ImportRecord* rec = render::texture_import_record(tex);
    ASSERT_NE(rec, nullptr);
    if (info.host_pointer_import) {
        EXPECT_EQ(rec->path, ImportPath::ShmHostImport);
        EXPECT_EQ(rec->reason, FallbackReason::None);
        EXPECT_EQ(rec->bytes_copied, 0u);
        EXPECT_EQ(rec->bytes_zero_copy, 7u * 5 * 4);
        // Zero-copy keeps the client's buffer locked until the texture goes.
        EXPECT_EQ(src->base.n_locks, 1u);
        // ... and refuses in-place updates, so each commit is a new import.
        EXPECT_FALSE(wlr_texture_write_pixels(tex, src->stride, 1, 1, 0, 0, 0, 0, src->pixels()));
    } else {
        EXPECT_EQ(rec->path, ImportPath::ShmCopy);
        EXPECT_EQ(rec->reason, FallbackReason::HostImportUnsupported);
    }
    EXPECT_GT(rec->generation, 0u);
    EXPECT_LE(rec->import_begin_ns, rec->import_end_ns);
    render_frame(r, target, [&] {
        clear_to(r, kClear);
        draw_at(r, tex, 3, 4);
    });
    expect_pattern_at(3, 4, 7, 5);
    wlr_texture_destroy(tex);
    EXPECT_EQ(src->base.n_locks, 0u);
    wlr_buffer_drop(&src->base);
}

TEST_F(RendererOffscreen, RecommittedShmBufferIsAFreshImportOfTheNewPixels) {
    ShmTestBuffer* src = make_source(6, 4, DRM_FORMAT_ARGB8888, 0);
    wlr_texture* first = wlr_texture_from_buffer(r, &src->base);
    ASSERT_NE(first, nullptr);
    const ImportRecord rec1 = *render::texture_import_record(first);
    render_frame(r, target, [&] {
        clear_to(r, kClear);
        draw_at(r, first, 1, 1);
    });
    expect_pattern_at(1, 1, 6, 4, 0);
    wlr_texture_destroy(first); // as wlroots does when the next commit replaces it

    // The client draws new pixels into the same buffer and commits it again.
    for (int y = 0; y < 4; ++y)
        for (int x = 0; x < 6; ++x)
            src->put(x, y, pattern(x, y, 5));
    wlr_texture* second = wlr_texture_from_buffer(r, &src->base);
    ASSERT_NE(second, nullptr);
    const ImportRecord rec2 = *render::texture_import_record(second);
    EXPECT_EQ(rec2.path, rec1.path);
    EXPECT_GT(rec2.generation, rec1.generation);
    EXPECT_EQ(rec2.bytes_copied + rec2.bytes_zero_copy, 6u * 4 * 4);
    render_frame(r, target, [&] {
        clear_to(r, kClear);
        draw_at(r, second, 1, 1);
    });
    expect_pattern_at(1, 1, 6, 4, 5);
    wlr_texture_destroy(second);
    wlr_buffer_drop(&src->base);
}

TEST_F(RendererOffscreen, TextureFromPixelsOwnsACopyOfTheCallersMemory) {
    std::vector<uint32_t> pixels(3 * 2);
    for (int y = 0; y < 2; ++y)
        for (int x = 0; x < 3; ++x)
            pixels[y * 3 + x] = pattern(x, y, 3);
    wlr_texture* tex = wlr_texture_from_pixels(r, DRM_FORMAT_ARGB8888, 12, 3, 2, pixels.data());
    ASSERT_NE(tex, nullptr);
    const ImportRecord* rec = render::texture_import_record(tex);
    EXPECT_EQ(rec->path, ImportPath::ShmCopy);
    EXPECT_EQ(rec->reason, FallbackReason::None);
    std::fill(pixels.begin(), pixels.end(), 0u); // the caller reuses its memory
    pixels.clear();
    pixels.shrink_to_fit();
    render_frame(r, target, [&] {
        clear_to(r, kClear);
        draw_at(r, tex, 5, 6);
    });
    expect_pattern_at(5, 6, 3, 2, 3);
    wlr_texture_destroy(tex);
}

TEST_F(RendererOffscreen, PaddedStrideAndUnalignedPointerStayExact) {
    // stride 48 bytes for 5 pixels; the pattern starts 16 bytes into the pool
    ShmTestBuffer* src = create_test_buffer(5, 6, DRM_FORMAT_ARGB8888, 48, 16);
    for (int y = 0; y < 6; ++y)
        for (int x = 0; x < 5; ++x)
            src->put(x, y, pattern(x, y, 9));
    wlr_texture* tex = wlr_texture_from_buffer(r, &src->base);
    ASSERT_NE(tex, nullptr);
    render_frame(r, target, [&] {
        clear_to(r, kClear);
        draw_at(r, tex, 20, 10);
    });
    expect_pattern_at(20, 10, 5, 6, 9);
    wlr_texture_destroy(tex);
    wlr_buffer_drop(&src->base);
}

TEST_F(RendererOffscreen, XrgbIgnoresTheAlphaByte) {
    ShmTestBuffer* src = make_source(4, 4, DRM_FORMAT_XRGB8888, 2, 0, /*alpha_byte=*/0x00);
    wlr_texture* tex = wlr_texture_from_buffer(r, &src->base);
    ASSERT_NE(tex, nullptr);
    EXPECT_TRUE(wlr_texture_is_opaque(tex));
    render_frame(r, target, [&] {
        clear_to(r, kClear);
        draw_at(r, tex, 0, 0);
    });
    expect_pattern_at(0, 0, 4, 4, 2);
    wlr_texture_destroy(tex);
    wlr_buffer_drop(&src->base);
}

TEST_F(RendererOffscreen, OneToOneOpaqueDrawHonoursScissorAndPartialSourceBox) {
    // XRGB at 1:1 takes the copy fast path: clipping and the source box must
    // behave exactly as with the shader.
    ShmTestBuffer* src = make_source(10, 8, DRM_FORMAT_XRGB8888, 6, 0, 0x00);
    wlr_texture* tex = wlr_texture_from_buffer(r, &src->base);
    ASSERT_NE(tex, nullptr);
    render_frame(r, target, [&] {
        clear_to(r, kClear);
        wlr_box clip{6, 0, 100, 7}; // cuts the left 2 columns and rows >= 7
        wlr_renderer_scissor(r, &clip);
        float proj[9], mat[9];
        identity(proj);
        wlr_box dst{4, 3, 6, 5}; // shows source texels (2..7, 1..5)
        const wlr_fbox sub{2.0, 1.0, 6.0, 5.0};
        wlr_matrix_project_box(mat, &dst, WL_OUTPUT_TRANSFORM_NORMAL, 0, proj);
        ASSERT_TRUE(wlr_render_subtexture_with_matrix(r, tex, &sub, mat, 1.0f));
        wlr_renderer_scissor(r, nullptr);
    });
    for (int y = 0; y < kTargetH; ++y)
        for (int x = 0; x < kTargetW; ++x) {
            const bool shown = x >= 6 && x < 10 && y >= 3 && y < 7;
            const uint32_t want = shown ? pattern(x - 4 + 2, y - 3 + 1, 6) : kClear;
            ASSERT_EQ(pixel_at(target, x, y), want) << x << "," << y;
        }
    wlr_texture_destroy(tex);
    wlr_buffer_drop(&src->base);
}

TEST_F(RendererOffscreen, AbgrChannelsLandInTheRightPlace) {
    ShmTestBuffer* src = create_test_buffer(2, 1, DRM_FORMAT_ABGR8888);
    src->put(0, 0, 0xff0000ff); // ABGR: red
    src->put(1, 0, 0xffff0000); // ABGR: blue
    wlr_texture* tex = wlr_texture_from_buffer(r, &src->base);
    ASSERT_NE(tex, nullptr);
    render_frame(r, target, [&] {
        clear_to(r, kClear);
        draw_at(r, tex, 1, 1);
    });
    EXPECT_EQ(pixel_at(target, 1, 1), 0xffff0000u); // XRGB red
    EXPECT_EQ(pixel_at(target, 2, 1), 0xff0000ffu); // XRGB blue
    wlr_texture_destroy(tex);
    wlr_buffer_drop(&src->base);
}

TEST_F(RendererOffscreen, SolidRectRespectsScissor) {
    render_frame(r, target, [&] {
        clear_to(r, kClear);
        wlr_box clip{4, 4, 8, 8};
        wlr_renderer_scissor(r, &clip);
        float proj[9];
        identity(proj);
        wlr_box rect{0, 0, 10, 10};
        const float green[4] = {0.0f, 1.0f, 0.0f, 1.0f};
        wlr_render_rect(r, &rect, green, proj);
        wlr_renderer_scissor(r, nullptr);
    });
    for (int y = 0; y < kTargetH; ++y)
        for (int x = 0; x < kTargetW; ++x) {
            bool green = x >= 4 && x < 10 && y >= 4 && y < 10;
            ASSERT_EQ(pixel_at(target, x, y), green ? 0xff00ff00u : kClear) << x << "," << y;
        }
}

TEST_F(RendererOffscreen, ReadPixelsReturnsTheFinishedFrame) {
    ShmTestBuffer* src = make_source(6, 3, DRM_FORMAT_ARGB8888, 4);
    wlr_texture* tex = wlr_texture_from_buffer(r, &src->base);
    ASSERT_NE(tex, nullptr);
    render_frame(r, target, [&] {
        clear_to(r, kClear);
        draw_at(r, tex, 10, 2);
    });
    // As screencopy does: bind the finished buffer, read without drawing.
    std::vector<uint32_t> pixels(kTargetW * kTargetH, 0);
    ASSERT_TRUE(wlr_renderer_begin_with_buffer(r, &target->base));
    uint32_t flags = 1;
    bool ok = wlr_renderer_read_pixels(r, DRM_FORMAT_XRGB8888, &flags, kTargetW * 4, kTargetW,
                                       kTargetH, 0, 0, 0, 0, pixels.data());
    wlr_renderer_end(r);
    ASSERT_TRUE(ok);
    EXPECT_EQ(flags, 0u);
    for (int y = 0; y < kTargetH; ++y)
        for (int x = 0; x < kTargetW; ++x)
            ASSERT_EQ(pixels[y * kTargetW + x], pixel_at(target, x, y));
    EXPECT_EQ(pixels[3 * kTargetW + 12], pattern(2, 1, 4));
    wlr_texture_destroy(tex);
    wlr_buffer_drop(&src->base);
}

// The output hop on headless: the output's data-pointer buffer is rendered
// in place (its memory imported as host memory), so nothing is copied after
// rendering; the frame is in the buffer when end() returns.
TEST_F(RendererOffscreen, DataPointerTargetIsRenderedInPlace) {
    ShmTestBuffer* src = make_source(6, 3, DRM_FORMAT_ARGB8888, 5);
    wlr_texture* tex = wlr_texture_from_buffer(r, &src->base);
    ASSERT_NE(tex, nullptr);
    render::FrameTarget before;
    EXPECT_FALSE(render::last_frame_target(r, &before)); // no frame yet
    render_frame(r, target, [&] {
        clear_to(r, kClear);
        draw_at(r, tex, 3, 1);
    });
    render::FrameTarget ft;
    ASSERT_TRUE(render::last_frame_target(r, &ft));
    EXPECT_EQ(ft.kind, RenderTargetKind::InPlace);
    EXPECT_EQ(ft.copies, 0u);
    EXPECT_EQ(ft.frame_bytes, uint64_t{kTargetW} * kTargetH * 4);
    EXPECT_EQ(
        composed_output_hop(ft.kind, ft.frame_bytes, ft.copies, DirectScanoutMiss::Overlay).path,
        ScanoutPath::ComposedZeroCopy);
    expect_pattern_at(3, 1, 6, 3, 5);
    wlr_texture_destroy(tex);
    wlr_buffer_drop(&src->base);
}

// A buffer whose stride is not the device's linear row pitch cannot be the
// image's memory: rendered into our image, then copied (readback, 2 copies).
TEST_F(RendererOffscreen, PaddedTargetFallsBackToAReadback) {
    ShmTestBuffer* padded =
        create_test_buffer(kTargetW, kTargetH, DRM_FORMAT_XRGB8888, kTargetW * 4 + 64);
    ASSERT_NE(padded, nullptr);
    render_frame(r, padded, [&] { clear_to(r, kClear); });
    render::FrameTarget ft;
    ASSERT_TRUE(render::last_frame_target(r, &ft));
    EXPECT_EQ(ft.kind, RenderTargetKind::Readback);
    EXPECT_EQ(ft.copies, 2u);
    EXPECT_EQ(pixel_at(padded, kTargetW - 1, kTargetH - 1), kClear);
    wlr_buffer_drop(&padded->base);
}

// The compositor's guest dma-bufs on virtio-gpu KMS: data-pointer buffers
// of an implementation the display device imports.  Rendered in place like
// any data-pointer target, but named for what the display does with them,
// so the output hop is composed_zero_copy even on a KMS device (where a
// data-pointer buffer would otherwise be a dumb buffer).
TEST_F(RendererOffscreen, DisplayImportedTargetIsNamedSo) {
    render::display_imports_in_place(r, test_buffer_impl());
    ShmTestBuffer* imported =
        create_test_buffer(kTargetW, kTargetH, DRM_FORMAT_XRGB8888, kTargetW * 4);
    ASSERT_NE(imported, nullptr);
    render_frame(r, imported, [&] { clear_to(r, kClear); });
    render::FrameTarget ft;
    ASSERT_TRUE(render::last_frame_target(r, &ft));
    EXPECT_EQ(ft.kind, RenderTargetKind::InPlaceDisplayImport);
    EXPECT_EQ(ft.copies, 0u);
    const OutputHop hop =
        composed_output_hop(ft.kind, ft.frame_bytes, ft.copies, DirectScanoutMiss::NoSurface);
    EXPECT_EQ(hop.path, ScanoutPath::ComposedZeroCopy);
    EXPECT_EQ(hop.bytes_copied, 0u);
    EXPECT_EQ(pixel_at(imported, kTargetW - 1, kTargetH - 1), kClear);
    wlr_buffer_drop(&imported->base);
}

TEST_F(RendererOffscreen, GpuTimestampsArriveOnTheMonotonicClock) {
    render_frame(r, target, [&] { clear_to(r, kClear); });
    render::GpuFrameTiming first;
    ASSERT_TRUE(render::last_gpu_frame_timing(r, &first));
    const int64_t before = now_ns();
    render_frame(r, target, [&] { clear_to(r, kClear); });
    const int64_t after = now_ns();
    render::GpuFrameTiming t;
    ASSERT_TRUE(render::last_gpu_frame_timing(r, &t));
    EXPECT_EQ(t.frame_seq, first.frame_seq + 1);
    EXPECT_LE(t.gpu_begin_ns, t.gpu_end_ns);
    if (render::device_info(r).calibrated_timestamps) {
        EXPECT_TRUE(t.on_monotonic);
        // Allow for calibration deviation: within a second of the frame.
        EXPECT_GT(t.gpu_begin_ns, before - 1000000000);
        EXPECT_LT(t.gpu_end_ns, after + 1000000000);
    }
}

class RendererForcedCopy : public RendererOffscreen {
  protected:
    void SetUp() override {
        r = create_test_renderer(render::ForcePath::Copy);
        ASSERT_NE(r, nullptr);
        target = create_test_buffer(kTargetW, kTargetH, DRM_FORMAT_XRGB8888);
    }
};

TEST_F(RendererForcedCopy, CopiesAndWritePixelsCopiesOnlyDamagedRows) {
    ShmTestBuffer* src = make_source(8, 6, DRM_FORMAT_ARGB8888, 1);
    wlr_texture* tex = wlr_texture_from_buffer(r, &src->base);
    ASSERT_NE(tex, nullptr);
    const ImportRecord* rec = render::texture_import_record(tex);
    EXPECT_EQ(rec->path, ImportPath::ShmCopy);
    EXPECT_EQ(rec->reason, FallbackReason::ForcedCopy);
    EXPECT_EQ(rec->bytes_copied, 8u * 6 * 4);
    EXPECT_EQ(rec->bytes_zero_copy, 0u);
    EXPECT_EQ(src->base.n_locks, 0u); // copied: the client may reuse it at once
    render_frame(r, target, [&] {
        clear_to(r, kClear);
        draw_at(r, tex, 2, 2);
    });
    expect_pattern_at(2, 2, 8, 6, 1);
    // --force-path copy copies the output hop too: the A/B baseline.
    render::FrameTarget ft;
    ASSERT_TRUE(render::last_frame_target(r, &ft));
    EXPECT_EQ(ft.kind, RenderTargetKind::Readback);

    // New content in the whole buffer, but only rows 2..3 are "damaged".
    for (int y = 0; y < 6; ++y)
        for (int x = 0; x < 8; ++x)
            src->put(x, y, pattern(x, y, 7));
    const uint64_t gen = rec->generation;
    ASSERT_TRUE(wlr_texture_write_pixels(tex, src->stride, 8, 2, 0, 2, 0, 2, src->pixels()));
    EXPECT_EQ(rec->bytes_copied, 8u * 2 * 4);
    EXPECT_GT(rec->generation, gen);
    render_frame(r, target, [&] {
        clear_to(r, kClear);
        draw_at(r, tex, 2, 2);
    });
    for (int y = 0; y < 6; ++y)
        for (int x = 0; x < 8; ++x)
            ASSERT_EQ(pixel_at(target, 2 + x, 2 + y), pattern(x, y, (y == 2 || y == 3) ? 7 : 1))
                << x << "," << y;
    wlr_texture_destroy(tex);
    wlr_buffer_drop(&src->base);
}

} // namespace
} // namespace zcd::test

int main(int argc, char** argv) {
    ::testing::InitGoogleTest(&argc, argv);
    zcd::test::skip_without_vulkan();
    return RUN_ALL_TESTS();
}
