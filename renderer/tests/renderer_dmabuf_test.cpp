// dmabuf import through the renderer: a memfd sent as a "dmabuf" (what this
// machine can do; real dmabufs are proven in the emulated VM) goes through
// the same import code, and malformed attributes fail cleanly with the
// right reason.
#include <drm_fourcc.h>
#include <fcntl.h>

#include "renderer/tests/renderer_fixture.hpp"

namespace zcd::test {
namespace {

constexpr uint32_t kClear = 0xff000000;

uint32_t pattern(uint32_t x, uint32_t y) {
    return 0xff000000u | (x * 29 & 0xff) << 16 | (y * 31 & 0xff) << 8 | ((x + y) * 13 & 0xff);
}

ShmTestBuffer* make_dmabuf(int w, int h, uint32_t format, uint32_t stride = 0,
                           uint32_t offset = 0) {
    ShmTestBuffer* b = create_test_buffer(w, h, format, stride, offset, /*as_dmabuf=*/true);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x)
            b->put(x, y, pattern(x, y));
    return b;
}

class RendererDmabuf : public ::testing::Test {
  protected:
    void SetUp() override { make(render::ForcePath::Auto); }
    void make(render::ForcePath force) {
        r = create_test_renderer(force);
        ASSERT_NE(r, nullptr);
        target = create_test_buffer(24, 16, DRM_FORMAT_XRGB8888);
    }
    void TearDown() override {
        EXPECT_EQ(render::validation_error_count(r), 0u);
        wlr_buffer_drop(&target->base);
        wlr_renderer_destroy(r);
    }
    void expect_shows(wlr_texture* tex, int w, int h) {
        render_frame(r, target, [&] {
            clear_to(r, kClear);
            draw_at(r, tex, 1, 2);
        });
        for (int y = 0; y < 16; ++y)
            for (int x = 0; x < 24; ++x) {
                bool inside = x >= 1 && x < 1 + w && y >= 2 && y < 2 + h;
                ASSERT_EQ(pixel_at(target, x, y), inside ? pattern(x - 1, y - 2) : kClear)
                    << x << "," << y;
            }
    }
    // Expects no texture and `reason` recorded as the failure.
    void expect_rejected(ShmTestBuffer* b, FallbackReason reason) {
        const uint64_t before = render::last_import_failure(r).count;
        wlr_texture* tex = wlr_texture_from_buffer(r, &b->base);
        EXPECT_EQ(tex, nullptr);
        if (tex)
            wlr_texture_destroy(tex);
        render::ImportFailure f = render::last_import_failure(r);
        EXPECT_EQ(f.count, before + 1);
        EXPECT_EQ(f.reason, reason) << "got " << to_string(f.reason) << ": " << f.detail;
        EXPECT_EQ(b->base.n_locks, 0u);
    }
    wlr_renderer* r = nullptr;
    ShmTestBuffer* target = nullptr;
};

TEST_F(RendererDmabuf, AdvertisesLinearFormatsItCanImport) {
    const wlr_drm_format_set* set = wlr_renderer_get_dmabuf_texture_formats(r);
    ASSERT_NE(set, nullptr);
    if (!render::device_info(r).dmabuf_import) {
        EXPECT_EQ(set->len, 0u);
        return;
    }
    EXPECT_TRUE(wlr_drm_format_set_has(set, DRM_FORMAT_ARGB8888, DRM_FORMAT_MOD_LINEAR));
    EXPECT_TRUE(wlr_drm_format_set_has(set, DRM_FORMAT_XRGB8888, DRM_FORMAT_MOD_LINEAR));
    if (!render::device_info(r).drm_format_modifiers) {
        for (size_t i = 0; i < set->len; ++i)
            for (size_t m = 0; m < set->formats[i]->len; ++m) {
                EXPECT_EQ(set->formats[i]->modifiers[m], DRM_FORMAT_MOD_LINEAR);
            }
    }
    // A valid fd so that wlroots can create linux-dmabuf-v1 headless.
    EXPECT_GE(wlr_renderer_get_drm_fd(r), 0);
}

TEST_F(RendererDmabuf, MemfdAsDmabufIsImportedAndRecordedHonestly) {
    ShmTestBuffer* b = make_dmabuf(9, 7, DRM_FORMAT_ARGB8888);
    wlr_texture* tex = wlr_texture_from_buffer(r, &b->base);
    ASSERT_NE(tex, nullptr) << render::last_import_failure(r).detail;
    const ImportRecord* rec = render::texture_import_record(tex);
    ASSERT_NE(rec, nullptr);
    std::printf("memfd-as-dmabuf: path %s, reason %s\n", std::string(to_string(rec->path)).c_str(),
                std::string(to_string(rec->reason)).c_str());
    if (rec->path == ImportPath::DmabufZeroCopy) {
        EXPECT_EQ(rec->reason, FallbackReason::None);
        EXPECT_EQ(rec->bytes_zero_copy, 9u * 7 * 4);
        EXPECT_EQ(rec->bytes_copied, 0u);
        EXPECT_EQ(b->base.n_locks, 1u);
    } else {
        ASSERT_EQ(rec->path, ImportPath::DmabufCopy);
        EXPECT_NE(rec->reason, FallbackReason::None);
        EXPECT_EQ(rec->bytes_copied, 9u * 7 * 4);
    }
    expect_shows(tex, 9, 7);
    wlr_texture_destroy(tex);
    EXPECT_EQ(b->base.n_locks, 0u);
    wlr_buffer_drop(&b->base);
}

TEST_F(RendererDmabuf, StrideTheDeviceWouldNotChooseIsStillExact) {
    // 5 pixels in a 96-byte stride, starting 256 bytes into the fd.
    ShmTestBuffer* b = make_dmabuf(5, 4, DRM_FORMAT_XRGB8888, 96, 256);
    wlr_texture* tex = wlr_texture_from_buffer(r, &b->base);
    ASSERT_NE(tex, nullptr) << render::last_import_failure(r).detail;
    const ImportRecord* rec = render::texture_import_record(tex);
    std::printf("padded memfd-as-dmabuf: path %s, reason %s\n",
                std::string(to_string(rec->path)).c_str(),
                std::string(to_string(rec->reason)).c_str());
    expect_shows(tex, 5, 4);
    wlr_texture_destroy(tex);
    wlr_buffer_drop(&b->base);
}

TEST_F(RendererDmabuf, ZeroCopyImageAtOutputScaleTwoShowsExactTwoByTwoBlocks) {
    // A sealed memfd in lavapipe's linear layout (64-byte rows, whole rows
    // to 8) is imported zero-copy as a sampled image.  At output scale 2
    // each texel must cover exactly 2x2 pixels, as it does through the
    // storage-buffer and copy paths: a visual test of a zero-copy client
    // must not differ from the same frame copied.
    constexpr int kW = 16, kH = 8, kOutW = 40, kOutH = 24;
    ShmTestBuffer* b = make_dmabuf(kW, kH, DRM_FORMAT_XRGB8888);
    ASSERT_TRUE(seal_size(b));
    ShmTestBuffer* out = create_test_buffer(kOutW, kOutH, DRM_FORMAT_XRGB8888);
    ASSERT_NE(out, nullptr);
    wlr_texture* tex = wlr_texture_from_buffer(r, &b->base);
    ASSERT_NE(tex, nullptr) << render::last_import_failure(r).detail;
    const ImportRecord* rec = render::texture_import_record(tex);
    std::printf("sealed memfd-as-dmabuf: path %s, reason %s\n",
                std::string(to_string(rec->path)).c_str(),
                std::string(to_string(rec->reason)).c_str());
    if (render::device_info(r).dmabuf_import) {
        EXPECT_EQ(rec->path, ImportPath::DmabufZeroCopy);
    }
    render_frame(r, out, [&] {
        clear_to(r, kClear);
        float proj[9], mat[9];
        identity(proj);
        wlr_box dst{1, 2, 2 * kW, 2 * kH};
        wlr_matrix_project_box(mat, &dst, WL_OUTPUT_TRANSFORM_NORMAL, 0, proj);
        ASSERT_TRUE(wlr_render_texture_with_matrix(r, tex, mat, 1.0f));
    });
    int mismatches = 0;
    for (int y = 0; y < kOutH; ++y)
        for (int x = 0; x < kOutW; ++x) {
            const bool inside = x >= 1 && x < 1 + 2 * kW && y >= 2 && y < 2 + 2 * kH;
            const uint32_t want = inside ? pattern((x - 1) / 2, (y - 2) / 2) : kClear;
            const uint32_t got = pixel_at(out, x, y);
            if (got != want && mismatches++ < 5)
                ADD_FAILURE() << "pixel (" << x << "," << y << ") = " << std::hex << got
                              << " want " << want;
        }
    EXPECT_EQ(mismatches, 0);
    wlr_texture_destroy(tex);
    wlr_buffer_drop(&b->base);
    wlr_buffer_drop(&out->base);
}

TEST_F(RendererDmabuf, ForcedCopyIsDmabufCopyWithReason) {
    TearDown();
    make(render::ForcePath::Copy);
    ShmTestBuffer* b = make_dmabuf(6, 3, DRM_FORMAT_ARGB8888);
    wlr_texture* tex = wlr_texture_from_buffer(r, &b->base);
    ASSERT_NE(tex, nullptr);
    const ImportRecord* rec = render::texture_import_record(tex);
    EXPECT_EQ(rec->path, ImportPath::DmabufCopy);
    EXPECT_EQ(rec->reason, FallbackReason::ForcedCopy);
    EXPECT_EQ(rec->bytes_copied, 6u * 3 * 4);
    EXPECT_EQ(b->base.n_locks, 0u);
    expect_shows(tex, 6, 3);
    wlr_texture_destroy(tex);
    wlr_buffer_drop(&b->base);
}

TEST_F(RendererDmabuf, OffsetBeyondTheFdIsRejected) {
    ShmTestBuffer* b = make_dmabuf(4, 4, DRM_FORMAT_ARGB8888);
    b->offset = 4096; // the fd holds 64 bytes
    expect_rejected(b, FallbackReason::InvalidAttributes);
    b->offset = 0;
    wlr_buffer_drop(&b->base);
}

TEST_F(RendererDmabuf, StrideBeyondTheFdIsRejected) {
    ShmTestBuffer* b = make_dmabuf(4, 4, DRM_FORMAT_ARGB8888);
    b->stride = 1 << 20;
    expect_rejected(b, FallbackReason::InvalidAttributes);
    b->stride = 16;
    wlr_buffer_drop(&b->base);
}

TEST_F(RendererDmabuf, BadFdIsRejected) {
    ShmTestBuffer* b = make_dmabuf(4, 4, DRM_FORMAT_ARGB8888);
    const int real_fd = b->fd;
    b->fd = -1;
    expect_rejected(b, FallbackReason::InvalidAttributes);
    b->fd = fcntl(real_fd, F_DUPFD_CLOEXEC, 0);
    close(b->fd); // a number that is no longer an open fd
    expect_rejected(b, FallbackReason::InvalidAttributes);
    b->fd = real_fd;
    wlr_buffer_drop(&b->base);
}

TEST_F(RendererDmabuf, TooManyPlanesAreRejected) {
    ShmTestBuffer* b = make_dmabuf(4, 4, DRM_FORMAT_ARGB8888);
    b->n_planes = 2;
    expect_rejected(b, FallbackReason::FormatUnsupported);
    wlr_buffer_drop(&b->base);
}

TEST_F(RendererDmabuf, UnknownFormatIsRejected) {
    ShmTestBuffer* b = make_dmabuf(4, 4, DRM_FORMAT_NV12);
    expect_rejected(b, FallbackReason::FormatUnsupported);
    wlr_buffer_drop(&b->base);
}

TEST_F(RendererDmabuf, NonLinearModifierWithoutTheExtensionIsRejected) {
    ShmTestBuffer* b = make_dmabuf(4, 4, DRM_FORMAT_ARGB8888);
    b->modifier = I915_FORMAT_MOD_X_TILED;
    // With VK_EXT_image_drm_format_modifier the device itself decides, and a
    // memfd is no tiled buffer: either way no texture, and a reason.
    expect_rejected(b, render::device_info(r).drm_format_modifiers
                           ? FallbackReason::ImportFailed
                           : FallbackReason::ModifierUnsupported);
    wlr_buffer_drop(&b->base);
}

// A DRM dumb buffer whose pitch the device would not choose for a linear
// image: rendered through its data pointer instead.
TEST(RendererDmabufTarget, DumbBufferWithForeignPitchFallsBackToItsDataPointer) {
    render::RendererOptions opts;
    opts.validation = true;
    opts.drm_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
    wlr_renderer* r = render::create_vulkan_renderer(opts);
    ASSERT_NE(r, nullptr);
    ShmTestBuffer* target = create_test_buffer(30, 10, DRM_FORMAT_XRGB8888, 4096, 0, true);
    target->dmabuf_and_data_ptr = true;
    render_frame(r, target, [&] {
        clear_to(r, 0xff336699);
        float proj[9];
        identity(proj);
        wlr_box box{2, 3, 4, 5};
        const float white[4] = {1, 1, 1, 1};
        wlr_render_rect(r, &box, white, proj);
    });
    for (int y = 0; y < 10; ++y)
        for (int x = 0; x < 30; ++x) {
            const bool inside = x >= 2 && x < 6 && y >= 3 && y < 8;
            ASSERT_EQ(pixel_at(target, x, y), inside ? 0xffffffffu : 0xff336699u) << x << "," << y;
        }
    EXPECT_EQ(render::validation_error_count(r), 0u);
    wlr_buffer_drop(&target->base);
    wlr_renderer_destroy(r);
    close(opts.drm_fd);
}

// With a DRM fd (DRM backend) output buffers are dmabufs rendered in place.
// Here a memfd stands in for the scanout dmabuf and /dev/null for the fd.
TEST(RendererDmabufTarget, RendersInPlaceIntoAnImportedDmabuf) {
    render::RendererOptions opts;
    opts.validation = true;
    opts.drm_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
    ASSERT_GE(opts.drm_fd, 0);
    wlr_renderer* r = render::create_vulkan_renderer(opts);
    ASSERT_NE(r, nullptr);
    ASSERT_TRUE(render::device_info(r).dmabuf_import);
    ShmTestBuffer* target = create_test_buffer(32, 16, DRM_FORMAT_XRGB8888, 0, 0, true);
    ShmTestBuffer* src = create_test_buffer(5, 3, DRM_FORMAT_ARGB8888);
    for (int y = 0; y < 3; ++y)
        for (int x = 0; x < 5; ++x)
            src->put(x, y, pattern(x, y));
    wlr_texture* tex = wlr_texture_from_buffer(r, &src->base);
    ASSERT_NE(tex, nullptr);
    for (int frame = 0; frame < 2; ++frame)
        render_frame(r, target, [&] {
            clear_to(r, kClear);
            draw_at(r, tex, 7 + frame, 4);
        });
    for (int y = 0; y < 16; ++y)
        for (int x = 0; x < 32; ++x) {
            const bool inside = x >= 8 && x < 13 && y >= 4 && y < 7;
            ASSERT_EQ(pixel_at(target, x, y), inside ? pattern(x - 8, y - 4) : kClear)
                << x << "," << y;
        }
    EXPECT_EQ(render::validation_error_count(r), 0u);
    wlr_texture_destroy(tex);
    wlr_buffer_drop(&src->base);
    wlr_buffer_drop(&target->base);
    wlr_renderer_destroy(r);
    close(opts.drm_fd);
}

} // namespace
} // namespace zcd::test

int main(int argc, char** argv) {
    ::testing::InitGoogleTest(&argc, argv);
    zcd::test::skip_without_vulkan();
    return RUN_ALL_TESTS();
}
