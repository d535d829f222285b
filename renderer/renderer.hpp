// zc-compositor's Vulkan renderer, seen from the compositor.
//
// The renderer implements wlroots' wlr_renderer interface (render/interface.h),
// so the compositor drives it through the ordinary wlroots calls
// (wlr_renderer_begin/_end, wlr_render_texture_with_matrix, wlr_texture_from_buffer,
// wlr_linux_dmabuf_v1_create, ...).  What wlroots has no words for -- which
// import path a client buffer took and why, GPU timestamps, captures without
// the overlay -- is reachable through the functions below.
//
// Contract between renderer/ and app/: app/ includes only this header from
// renderer/; renderer/ never includes anything from app/.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/import_path.hpp"
#include "common/scanout_path.hpp"

struct wlr_renderer;
struct wlr_texture;
struct wlr_buffer;
struct wlr_buffer_impl;
struct wl_display;

namespace zcd {
struct OverlayModel; // common/overlay_model.hpp
}

namespace zcd::render {

// What the user forced with --force-path (A/B runs against zero-copy).
enum class ForcePath : uint8_t {
    Auto, // best path available per buffer
    Copy, // every client buffer copied (dmabuf_copy / shm_copy, reason forced_copy)
};

struct RendererOptions {
    bool validation = false; // enable VK_LAYER_KHRONOS_validation, count its errors
    ForcePath force_path = ForcePath::Auto;
    std::string device_name; // substring of VkPhysicalDeviceProperties::deviceName; empty: first
    int drm_fd = -1;         // the backend's DRM fd, or -1 (headless without /dev/dri)
};

// Creates the Vulkan renderer.  Returns nullptr and logs one line on failure.
// Destroy it with wlr_renderer_destroy().
wlr_renderer* create_vulkan_renderer(const RendererOptions& options);

bool is_vulkan_renderer(wlr_renderer* renderer);

// wl_shm pools are imported without a copy only when their memory cannot
// shrink under the GPU (renderer/shm_pool_seals.cpp): call this once, after
// wlr_renderer_init_wl_shm, so the renderer sees each pool's fd and resizes.
// Without it every wl_shm buffer is copied (reason shm_not_sealed).
void watch_shm_pools(wlr_renderer* renderer, wl_display* display);

// --- Huge wl_shm copies off the main loop (renderer/shm_upload.cpp) -------
// Copying a 16384x16384 buffer (1 GiB) takes seconds; on the main loop it
// stops every output.  The compositor asks before applying a commit whether
// its buffer's import would be such a copy, holds the commit back (the
// surface keeps its previous content) and starts the copy on the renderer's
// upload thread; `done` is called on the main loop when the texture is
// ready (ok) or the client's memory faulted under the copy (!ok: the
// client truncated its pool).  The commit's import then adopts the finished
// texture at once.  Needs watch_shm_pools().
constexpr uint64_t kHugeCopyBytes = uint64_t{64} << 20; // 4096x4096 XRGB; smaller: copied in place
struct ShmUpload;
using ShmUploadDone = void (*)(void* user, bool ok);
// Whether importing `buffer` (a wl_shm buffer) would copy kHugeCopyBytes or more.
bool wants_shm_upload(wlr_renderer* renderer, wlr_buffer* buffer);
// Locks `buffer` until the copy ends; null when it cannot be started (the
// import then copies in place, as before).
ShmUpload* start_shm_upload(wlr_renderer* renderer, wlr_buffer* buffer, ShmUploadDone done,
                            void* user); // may return null
// Before `done` was called: `done` never will be; the copy stops and its
// texture is freed.
void cancel_shm_upload(ShmUpload* upload);

// Data-pointer buffers of `impl` hold memory their owner never shrinks or
// moves while a texture of them exists (tests, benchmarks, compositor-owned
// buffers): host-import them without the wl_shm checks.
void trust_host_memory(wlr_renderer* renderer, const wlr_buffer_impl* impl);

// Output buffers of `impl` are dma-bufs the display device imported (the
// compositor's guest dma-bufs on virtio-gpu KMS): a frame rendered into
// their data pointer is read by the display in place, so it is
// composed_zero_copy rather than a dumb buffer's copy.
void display_imports_in_place(wlr_renderer* renderer, const wlr_buffer_impl* impl);

// How the texture's source buffer was imported.  nullptr for textures that
// did not come from a client buffer (or from another renderer).
const ImportRecord* texture_import_record(wlr_texture* texture); // may be null

// GPU timing of the most recently *completed* frame (wlr_renderer_end of
// frame N makes frame N's timings available at the latest when frame N+1 ends).
struct GpuFrameTiming {
    uint64_t frame_seq = 0;    // renderer frame counter, from 1
    int64_t gpu_begin_ns = 0;  // top-of-pipe timestamp
    int64_t gpu_end_ns = 0;    // bottom-of-pipe timestamp
    bool on_monotonic = false; // true: both on CLOCK_MONOTONIC (calibrated);
                               // false: raw device ticks converted to ns
};
bool last_gpu_frame_timing(wlr_renderer* renderer, GpuFrameTiming* out);

// How the most recently finished frame reached the output's buffer (the
// output hop; common/scanout_path.hpp turns it into a ScanoutPath).
struct FrameTarget {
    uint64_t frame_seq = 0; // renderer frame counter (as GpuFrameTiming)
    RenderTargetKind kind = RenderTargetKind::Unknown;
    uint64_t frame_bytes = 0; // width x height x 4
    uint32_t copies = 0;      // full-frame copies made after rendering (Readback: 2)
};
bool last_frame_target(wlr_renderer* renderer, FrameTarget* out);

// Number of validation-layer errors reported since creation (0 when
// validation is off).
uint64_t validation_error_count(wlr_renderer* renderer);

// A client buffer that could not be made sampleable at all (no texture was
// created; wlroots then fails the wl_buffer or the commit).  Fallbacks that
// still produced a texture are in that texture's ImportRecord instead.
struct ImportFailure {
    FallbackReason reason = FallbackReason::None; // None: no failure yet
    uint64_t count = 0;                           // failed imports since creation
    std::string detail;                           // one line, for logs
};
ImportFailure last_import_failure(wlr_renderer* renderer);

// Device facts for logs and the overlay.
struct DeviceInfo {
    std::string device_name;
    std::string driver_name;
    uint32_t api_version = 0;
    bool dmabuf_import = false;         // VK_EXT_external_memory_dma_buf
    bool drm_format_modifiers = false;  // VK_EXT_image_drm_format_modifier
    bool host_pointer_import = false;   // VK_EXT_external_memory_host
    bool calibrated_timestamps = false; // VK_EXT_calibrated_timestamps
};
DeviceInfo device_info(wlr_renderer* renderer);

// --- Overlay (Dear ImGui) -------------------------------------------------
// The renderer draws the overlay itself at wlr_renderer_end(), on top of
// everything the compositor drew in that frame.  `model` is read during each
// wlr_renderer_end() and must stay valid until set_overlay(r, nullptr) or the
// renderer is destroyed; update it in place before each frame.  nullptr turns
// the overlay off.  The first frame with a model pays the ImGui setup.
void set_overlay(wlr_renderer* renderer, const OverlayModel* model /* may be null */);

// Whether wlr_renderer_read_pixels() after wlr_renderer_end() sees the
// overlay (true) or the composed frame without it (false, the default, for
// visual regression).  The displayed buffer always shows the overlay.
void set_overlay_in_capture(wlr_renderer* renderer, bool on);

// The next frame will be captured (wlr_renderer_read_pixels after its
// end()): keep a copy of it without the overlay.  Only that frame pays the
// copy; read_pixels after other frames sees what the display shows.
void request_capture(wlr_renderer* renderer);

// The overlay's own cost and place in the most recent frame that drew it.
struct OverlayCost {
    uint64_t frame_seq = 0;                  // renderer frame counter (as GpuFrameTiming)
    int64_t cpu_ns = 0;                      // building the ImGui frame and recording it
    // Between the timestamps around the overlay's draw; 0 when the frame
    // only copied the cached panel (not timed: see vulkan_renderer.cpp).
    int64_t gpu_ns = 0;
    int x = 0, y = 0, width = 0, height = 0; // panel rectangle in output pixels
    bool redrawn = false;  // this frame drew the panel (its content changed)
    uint64_t redraws = 0;  // panels drawn since the overlay was created
    int image_width = 0, image_height = 0; // the cached panel image (the panel's size)
};
bool last_overlay_cost(wlr_renderer* renderer, OverlayCost* out);

} // namespace zcd::render
