// Internal state of the Vulkan wlr_renderer.  Only files in renderer/ include
// this; the compositor sees renderer/renderer.hpp.
//
// Frame lifecycle (wlroots 0.15): bind_buffer(target) -> begin(w,h) ->
// clear/scissor/render_* -> end() -> [read_pixels] -> bind_buffer(NULL).
// begin() starts one command buffer, end() submits it and waits for it: the
// headless output needs the pixels in its shm buffer when end() returns, so
// that is the frame's single GPU wait, and it also makes the GPU idle between
// frames -- textures and targets can be destroyed outside a frame without
// further fencing.
#pragma once

#include <cstdint>
#include <vector>

#include <vulkan/vulkan_core.h>

#include "common/import_path.hpp"
#include "common/overlay_model.hpp"
#include "renderer/format_table.hpp"
#include "renderer/renderer.hpp"
#include "renderer/vk_device.hpp"
#include "zcd/wlroots.hpp"

namespace zcd::render {

struct VulkanRenderer;
struct Overlay;
struct ShmPoolWatch;

// Mirrors shaders/push_constants.glsl.
struct PushConstants {
    float mat_row0[4];
    float mat_row1[4];
    float uv_offset_scale[4];
    float color[4];
    float params[4];           // alpha, opaque, bgra memory order, unused
    uint32_t buffer_layout[4]; // word offset, stride in words, width, height
};
static_assert(sizeof(PushConstants) == 96);

enum class TextureKind : uint8_t {
    Image,  // VkImage: a staging copy, or a dmabuf imported as a linear image
    Buffer, // storage buffer over client memory (host pointer or dmabuf), sampled in the shader
};

struct VulkanTexture {
    wlr_texture base{};
    VulkanRenderer* renderer = nullptr; // null once the renderer is gone
    TextureKind kind = TextureKind::Image;
    PixelFormat format{};

    VkDeviceMemory memory = VK_NULL_HANDLE;
    VkImage image = VK_NULL_HANDLE;
    VkImageView view = VK_NULL_HANDLE;
    VkImageLayout layout = VK_IMAGE_LAYOUT_UNDEFINED;
    VkBuffer buffer = VK_NULL_HANDLE; // Buffer kind: the client's pixels
    uint32_t word_offset = 0, stride_words = 0;
    VkDescriptorPool pool = VK_NULL_HANDLE;
    VkDescriptorSet set = VK_NULL_HANDLE;

    // Copy path: persistent staging (rows tightly packed) and the region
    // still to be copied into the image before it is sampled.
    VkBuffer staging = VK_NULL_HANDLE;
    VkDeviceMemory staging_memory = VK_NULL_HANDLE;
    uint8_t* staging_map = nullptr;
    bool upload_pending = false;
    uint32_t dirty_x0 = 0, dirty_y0 = 0, dirty_x1 = 0, dirty_y1 = 0;
    bool writable = false;             // write_pixels allowed (copy path only)
    bool acquire_from_foreign = false; // imported image: first use acquires ownership
    bool borrowed = false;             // buffer/memory/set belong to an ImportCacheEntry

    // Zero-copy textures keep the client's buffer locked so it is released
    // only when the next buffer replaces this texture.
    wlr_buffer* locked_source = nullptr; // may be null
    // shm_host_import: the client pixels it reads and the pool they are in
    // (renderer/shm_pool_seals.cpp ids), so a pool resize can detach it.
    const uint8_t* host_pixels = nullptr; // may be null
    uint32_t host_stride = 0;
    uint64_t shm_pool_id = 0; // 0: not a wl_shm host import
    ImportRecord record{};
    bool in_use_this_frame = false;
};

// Identifies the memory layout a cached import was made for.
struct ImportKey {
    const void* data = nullptr; // shm: the client's pixel pointer; dmabuf: null
    uint64_t offset = 0;
    uint64_t stride = 0;
    uint32_t format = 0;
    bool operator==(const ImportKey&) const = default;
};

// Vulkan objects of one zero-copy import, kept on the client's wlr_buffer and
// borrowed by every texture made from it (renderer/import_cache.cpp).
struct ImportCacheEntry {
    VulkanRenderer* renderer = nullptr;
    wlr_addon addon{};
    ImportKey key;
    VkBuffer buffer = VK_NULL_HANDLE;
    VkDeviceMemory memory = VK_NULL_HANDLE;
    VkDescriptorPool pool = VK_NULL_HANDLE;
    VkDescriptorSet set = VK_NULL_HANDLE;
    uint32_t word_offset = 0, stride_words = 0;
    uint64_t shm_pool_id = 0; // as VulkanTexture::shm_pool_id
};

struct RenderTarget {
    VulkanRenderer* renderer = nullptr;
    wlr_buffer* buffer = nullptr;
    wlr_addon addon{};
    uint32_t width = 0, height = 0;
    uint32_t drm_format = 0;
    // Where the frame is rendered: in the buffer's own memory (an imported
    // dmabuf, or its data pointer imported as host memory), or into our
    // image and read back into the data pointer at end().
    bool in_place = false;
    bool dumb = false; // in place in a KMS dumb buffer (the display copies it)
    // In place in memory the display device imported as a dma-buf (a guest
    // blob on virtio-gpu): it reads these pages, nothing is copied.
    bool display_import = false;
    // In place in host memory: the buffer's pixels, readable once end() returned.
    const uint8_t* host_map = nullptr;
    size_t host_stride = 0;
    VkImage image = VK_NULL_HANDLE;
    VkDeviceMemory memory = VK_NULL_HANDLE;
    VkImageView view = VK_NULL_HANDLE;
    VkFramebuffer framebuffer = VK_NULL_HANDLE;
    VkImageLayout layout = VK_IMAGE_LAYOUT_UNDEFINED;
    // Host-visible copy of the last finished frame (data-pointer targets; made
    // on demand for dmabuf targets).  Also the source that seeds a new
    // target's image from the buffer's current pixels.
    VkBuffer readback = VK_NULL_HANDLE;
    VkDeviceMemory readback_memory = VK_NULL_HANDLE;
    uint8_t* readback_map = nullptr;
    // The frame without the overlay, when captures must not show it.
    VkBuffer capture = VK_NULL_HANDLE;
    VkDeviceMemory capture_memory = VK_NULL_HANDLE;
    uint8_t* capture_map = nullptr;
    bool capture_valid = false;  // capture holds this frame's pre-overlay pixels
    bool needs_seed = false;     // copy readback -> image before the first draw
    bool readback_valid = false; // readback holds the image's current pixels
};

struct VulkanRenderer {
    wlr_renderer base{};
    RendererOptions options;
    VkDeviceContext vk;

    VkRenderPass render_pass = VK_NULL_HANDLE;
    VkDescriptorSetLayout image_set_layout = VK_NULL_HANDLE;
    VkDescriptorSetLayout buffer_set_layout = VK_NULL_HANDLE;
    VkPipelineLayout image_layout = VK_NULL_HANDLE;
    VkPipelineLayout buffer_layout = VK_NULL_HANDLE;
    VkPipelineLayout solid_layout = VK_NULL_HANDLE;
    VkPipeline image_pipeline = VK_NULL_HANDLE;
    VkPipeline buffer_pipeline = VK_NULL_HANDLE;
    VkPipeline solid_pipeline = VK_NULL_HANDLE;
    VkSampler sampler = VK_NULL_HANDLE;
    std::vector<VkDescriptorPool> descriptor_pools;

    VkCommandPool command_pool = VK_NULL_HANDLE;
    VkCommandBuffer cmd = VK_NULL_HANDLE;
    VkFence fence = VK_NULL_HANDLE;
    VkQueryPool query_pool = VK_NULL_HANDLE;

    // Formats.
    std::vector<uint32_t> shm_formats;
    wlr_drm_format_set dmabuf_formats{};
    wlr_drm_format_set render_formats{};
    int drm_fd = -1;
    bool own_drm_fd = false;

    // Current frame.
    RenderTarget* bound = nullptr; // may be null
    bool in_frame = false;
    bool recording = false; // a command buffer is open (bound target at begin)
    bool in_pass = false;
    bool frame_has_draws = false;
    uint32_t viewport_w = 0, viewport_h = 0;
    float projection[9]{};
    VkRect2D scissor{};

    std::vector<VulkanTexture*> textures;         // alive, for pending uploads and teardown
    std::vector<VulkanTexture*> deferred_destroy; // destroyed mid-frame, freed after the wait
    std::vector<VulkanTexture*> spare_textures;   // recycled husks (no per-commit malloc)
    std::vector<RenderTarget*> targets;
    std::vector<ImportCacheEntry*> import_cache;
    // may be null (watch_shm_pools not called): no wl_shm buffer is host-imported
    ShmPoolWatch* shm_watch = nullptr;
    std::vector<const wlr_buffer_impl*> trusted_host_memory; // trust_host_memory()
    std::vector<const wlr_buffer_impl*> display_imported;    // display_imports_in_place()
    wl_event_loop* loop = nullptr;           // watch_shm_pools(); null: no upload thread
    struct ShmUploader* uploader = nullptr;  // renderer/shm_upload.cpp; may be null
    // wlr_texture_from_pixels wraps the caller's memory in a "readonly data
    // buffer" and, if we keep it locked, swaps its pointer for a private copy
    // right after we return: such buffers must never be host-imported (the
    // import would point at the caller's memory).  Learned at creation.
    const wlr_buffer_impl* readonly_buffer_impl = nullptr;
    bool probing_readonly_impl = false;

    uint64_t frame_seq = 0;
    FrameTarget last_target{};      // output hop of the last finished frame
    bool capture_requested = false; // keep this frame's pre-overlay pixels for read_pixels
    GpuFrameTiming last_timing{};
    bool have_timing = false;
    uint64_t import_generation = 0; // source of ImportRecord::generation
    ImportFailure last_failure{};

    // Overlay (renderer/overlay.cpp).
    Overlay* overlay = nullptr;                  // created on the first frame with a model
    const OverlayModel* overlay_model = nullptr; // may be null: overlay off
    bool overlay_in_capture = false;
    bool overlay_upload_pending = false;
    OverlayCost overlay_cost{};
    bool have_overlay_cost = false;
};

VulkanRenderer* vulkan_renderer_from(wlr_renderer* r); // may be null (not ours)
// For wlr_renderer_impl entries, whose renderer is always ours.
inline VulkanRenderer& get_renderer(wlr_renderer* w) {
    return *reinterpret_cast<VulkanRenderer*>(w);
}

// renderer/vulkan_renderer.cpp: the bound target's render pass.
void begin_pass(VulkanRenderer& r);
void end_pass(VulkanRenderer& r); // no-op outside a pass
// Brings the target into COLOR_ATTACHMENT_OPTIMAL (seeding a fresh one first).
void prepare_target(VulkanRenderer& r, RenderTarget& t);
// Ends the render pass and makes the target a transfer destination (the 1:1
// copy draws, the overlay's panel); prepare_target() brings it back.
void begin_target_transfer(VulkanRenderer& r, RenderTarget& t);

// renderer/draw.cpp: wlr_renderer_impl draw entries.
void impl_clear(wlr_renderer* wr, const float color[4]);
void impl_scissor(wlr_renderer* wr, wlr_box* box /* may be null */);
bool impl_render_subtexture(wlr_renderer* wr, wlr_texture* wt, const wlr_fbox* box,
                            const float matrix[9], float alpha);
void impl_render_quad(wlr_renderer* wr, const float color[4], const float matrix[9]);

// renderer/readback.cpp
// Copies the finished frame from the readback buffer into the wlr_buffer's memory.
void write_back_to_buffer(RenderTarget& t);
// Records a copy of the target image into a host buffer (outside a pass);
// leaves the image in TRANSFER_SRC_OPTIMAL.
void copy_target_to(VulkanRenderer& r, RenderTarget& t, VkBuffer dst);
bool impl_read_pixels(wlr_renderer* wr, uint32_t fmt, uint32_t* flags, uint32_t stride,
                      uint32_t width, uint32_t height, uint32_t src_x, uint32_t src_y,
                      uint32_t dst_x, uint32_t dst_y, void* data);

// renderer/pipelines.cpp
bool create_pipelines(VulkanRenderer& r);
void destroy_pipelines(VulkanRenderer& r);
bool allocate_descriptor_set(VulkanRenderer& r, VkDescriptorSetLayout layout,
                             VkDescriptorPool* pool, VkDescriptorSet* set);
void free_descriptor_set(VulkanRenderer& r, VkDescriptorPool pool, VkDescriptorSet set);

// renderer/texture.cpp
extern const wlr_texture_impl kTextureImpl;
VulkanTexture* vulkan_texture_from(wlr_texture* t);        // may be null (not ours)
VulkanTexture* new_texture(VulkanRenderer& r);             // zeroed, maybe recycled
void recycle_texture(VulkanRenderer& r, VulkanTexture* t); // resources already released
wlr_texture* texture_from_buffer(VulkanRenderer& r, wlr_buffer* buffer); // may be null
void record_texture_upload(VulkanRenderer& r, VulkanTexture& t);         // outside a render pass
void destroy_texture_resources(VulkanTexture& t);
// Copy-path texture (staging + image, or the staging buffer sampled directly
// where host memory is device-local), ready to be sampled after the first
// copy_rows_to_staging.
bool create_copy_texture(VulkanRenderer& r, VulkanTexture& t, uint32_t width, uint32_t height);
// Image view (opaque formats read alpha as 1) + descriptor set; marks the
// texture for its first layout transition/upload.
bool finish_image_texture(VulkanRenderer& r, VulkanTexture& t);
// Storage-buffer descriptor set for a Buffer-kind texture.
bool finish_buffer_texture(VulkanRenderer& r, VulkanTexture& t);
void copy_rows_to_staging(VulkanTexture& t, const uint8_t* src, uint32_t src_stride, uint32_t x,
                          uint32_t y, uint32_t w, uint32_t h);
void note_import_failure(VulkanRenderer& r, FallbackReason reason, const char* detail);

// renderer/import_dmabuf.cpp, renderer/import_shm.cpp
wlr_texture* import_dmabuf_texture(VulkanRenderer& r, wlr_buffer* buffer,
                                   const wlr_dmabuf_attributes& attribs); // may be null
wlr_texture* import_shm_texture(VulkanRenderer& r, wlr_buffer* buffer, void* data, uint32_t format,
                                size_t stride); // may be null
void probe_dmabuf_formats(VulkanRenderer& r);

// Import a dmabuf plane into device memory (fd is dup'ed; the caller keeps its own).
// Returns VK_NULL_HANDLE on failure with *reason set.
VkDeviceMemory import_dmabuf_memory(VulkanRenderer& r, int fd, VkDeviceSize size,
                                    uint32_t type_bits, FallbackReason* reason);

// renderer/import_cache.cpp: reuse of Buffer-kind imports per wlr_buffer.
bool borrow_cached_import(VulkanRenderer& r, wlr_buffer* buffer, const ImportKey& key,
                          VulkanTexture& t);
void cache_import(VulkanRenderer& r, wlr_buffer* buffer, const ImportKey& key, VulkanTexture& t);
void destroy_import_cache_entry(ImportCacheEntry* e);

// renderer/shm_pool_seals.cpp: which wl_shm pools may be host-imported.
// The pool holding `data` (a wl_shm buffer's pixels as last attached) when
// its memory cannot shrink under the GPU; 0 when unknown or unsafe.
uint64_t host_importable_shm_pool(const VulkanRenderer& r, const void* data);
void destroy_shm_pool_watch(VulkanRenderer& r);

// renderer/import_shm.cpp: which path a wl_shm buffer takes.  true: host
// import it (*pool_id: its pool, 0 for trusted memory); false: copy it, for
// *reason (None for compositor pixels).
bool plan_shm_import(const VulkanRenderer& r, const wlr_buffer* buffer, const void* data,
                     FallbackReason* reason, uint64_t* pool_id);

// renderer/shm_upload.cpp: huge copies made off the main loop.  The texture
// an upload of `buffer` finished (with its ImportRecord but no generation),
// when it was made with this stride and format; null otherwise.
VulkanTexture* adopt_shm_upload(VulkanRenderer& r, wlr_buffer* buffer, size_t stride,
                                uint32_t format);
// Hands memory of kHugeCopyBytes or more to the upload thread to free
// (unmapping 1 GiB stalls); false: no upload thread, free it yourself.
// Only for memory no pending GPU work uses.
bool free_memory_later(VulkanRenderer& r, VkDeviceMemory memory);
// Starts the upload thread and its eventfd (at startup: the compositor's
// fds and threads do not change with the first huge buffer).
void start_shm_uploader(VulkanRenderer& r);
// Stops the upload thread; uploads in flight and unadopted textures are freed.
void destroy_shm_uploads(VulkanRenderer& r);

// renderer/import_shm.cpp: a pool is about to be resized (its mapping may
// move): textures reading it take a copy of their pixels now, and its cached
// imports are dropped.
void detach_shm_pool_imports(VulkanRenderer& r, uint64_t pool_id);

// renderer/render_target.cpp
// Whether output buffers may be dmabufs we render into (else: data pointers).
bool renders_into_dmabufs(const VulkanRenderer& r);
RenderTarget* get_render_target(VulkanRenderer& r, wlr_buffer* buffer); // may be null
void destroy_render_target(RenderTarget* target);
void release_target_objects(VulkanRenderer& r, RenderTarget& target); // Vulkan objects only
bool ensure_readback(VulkanRenderer& r, RenderTarget& target);
bool ensure_capture_buffer(VulkanRenderer& r, RenderTarget& target);

// renderer/vk_memory.cpp
// A 2D, single-level, single-sample image description.
VkImageCreateInfo image_2d_info(VkFormat format, uint32_t width, uint32_t height,
                                VkImageTiling tiling, VkImageUsageFlags usage,
                                const void* next /* may be null */);
// The same in B8G8R8A8 (render targets, the overlay's panel).
VkImageCreateInfo bgra_image_info(uint32_t width, uint32_t height, VkImageTiling tiling,
                                  VkImageUsageFlags usage, const void* next /* may be null */);
// Memory of a type with all of `props` for `image`, allocated and bound.
bool bind_image_memory(VulkanRenderer& r, VkImage image, VkMemoryPropertyFlags props,
                       VkDeviceMemory* memory);
// Memory for `image`, device-local where the device has it, bound.
bool bind_image_memory(VulkanRenderer& r, VkImage image, VkDeviceMemory* memory);
// Buffers with their memory, host-visible and mapped when requested.
bool create_buffer(VulkanRenderer& r, VkDeviceSize size, VkBufferUsageFlags usage,
                   VkMemoryPropertyFlags props, VkBuffer* buffer, VkDeviceMemory* memory,
                   void** map); // map may be null

// One-shot command buffer, submitted and waited (setup work outside frames).
VkCommandBuffer begin_one_shot(VulkanRenderer& r);
bool submit_one_shot(VulkanRenderer& r, VkCommandBuffer cmd);

void image_barrier(VkCommandBuffer cmd, VkImage image, VkImageLayout from, VkImageLayout to,
                   VkPipelineStageFlags src_stage, VkAccessFlags src_access,
                   VkPipelineStageFlags dst_stage, VkAccessFlags dst_access);

int64_t monotonic_ns();

} // namespace zcd::render
