// ImGui lifecycle and recording for the overlay.  No platform backend: the
// overlay takes no input, so DisplaySize and DeltaTime are all ImGui needs.
#include "renderer/overlay.hpp"

#include <algorithm>

#include <backends/imgui_impl_vulkan.h>
#include <imgui.h>

#include "renderer/vulkan_renderer.hpp"

namespace zcd::render {

struct Overlay {
    ImGuiContext* context = nullptr;
    VkDevice device = VK_NULL_HANDLE;
    VkDescriptorPool pool = VK_NULL_HANDLE;
    bool backend_ready = false;
    int64_t last_frame_ns = 0;
    bool laid_out = false;
    // The panel last drawn, rendered into `cache` (the panel's size, opaque):
    // copied into each frame until its content, its place or the output size
    // change.  On lavapipe rasterising ImGui's draw lists every frame cost
    // as much CPU as composing the whole frame, and even blending one cached
    // quad costs a shader run per pixel; a copy costs a memcpy.
    bool checked = false;          // the fields below describe a panel
    uint64_t checked_version = 0;  // model version last formatted
    OverlayContent content;        // what the panel shows (drawn or to draw)
    int32_t place_x = -1, place_y = -1;
    uint32_t output_w = 0, output_h = 0;
    bool built = false; // `cache` holds `content` at `rect`
    OverlayRect rect;
    uint64_t redraws = 0;
    VulkanTexture cache{};
    VkFramebuffer cache_fb = VK_NULL_HANDLE;
};

namespace {

void check_vk(VkResult res) {
    if (res != VK_SUCCESS)
        wlr_log(WLR_ERROR, "overlay: ImGui Vulkan backend: %s", vk_result_name(res));
}

void release_cache(Overlay* o) {
    if (o->cache_fb)
        vkDestroyFramebuffer(o->device, o->cache_fb, nullptr);
    o->cache_fb = VK_NULL_HANDLE;
    destroy_texture_resources(o->cache); // no-op when never created
    o->cache = VulkanTexture{};
}

// A w x h image the panel is rendered into and then sampled from.
bool ensure_cache(VulkanRenderer& r, Overlay* o, uint32_t w, uint32_t h) {
    if (o->cache.image && o->cache.base.width == w && o->cache.base.height == h)
        return true;
    release_cache(o);
    VulkanTexture& t = o->cache;
    t.renderer = &r;
    t.kind = TextureKind::Image;
    t.format = *pixel_format_from_drm(DRM_FORMAT_ARGB8888);
    wlr_texture_init(&t.base, &kTextureImpl, w, h);
    const VkImageCreateInfo ici =
        bgra_image_info(w, h, VK_IMAGE_TILING_OPTIMAL,
                        VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT | VK_IMAGE_USAGE_SAMPLED_BIT |
                            VK_IMAGE_USAGE_TRANSFER_SRC_BIT,
                        nullptr);
    bool ok = vkCreateImage(r.vk.device, &ici, nullptr, &t.image) == VK_SUCCESS;
    ok = ok && bind_image_memory(r, t.image, &t.memory);
    ok = ok && finish_image_texture(r, t);
    t.upload_pending = false; // its contents come from the panel pass, not an upload
    t.layout = VK_IMAGE_LAYOUT_UNDEFINED;
    if (ok) {
        VkFramebufferCreateInfo fci{VK_STRUCTURE_TYPE_FRAMEBUFFER_CREATE_INFO};
        fci.renderPass = r.render_pass;
        fci.attachmentCount = 1;
        fci.pAttachments = &t.view;
        fci.width = w;
        fci.height = h;
        fci.layers = 1;
        ok = vkCreateFramebuffer(r.vk.device, &fci, nullptr, &o->cache_fb) == VK_SUCCESS;
    }
    if (!ok) {
        wlr_log(WLR_ERROR, "overlay: cannot create its %ux%u panel image", w, h);
        release_cache(o);
    }
    return ok;
}

// Renders ImGui's current draw data (the panel at `rect`) into the cache,
// outside the target's render pass; leaves the cache ready to be copied.
void render_into_cache(VulkanRenderer& r, Overlay* o, const OverlayRect& rect) {
    VulkanTexture& t = o->cache;
    image_barrier(r.cmd, t.image, t.layout, VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL,
                  VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_READ_BIT,
                  VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT,
                  VK_ACCESS_COLOR_ATTACHMENT_READ_BIT | VK_ACCESS_COLOR_ATTACHMENT_WRITE_BIT);
    VkRenderPassBeginInfo bi{VK_STRUCTURE_TYPE_RENDER_PASS_BEGIN_INFO};
    bi.renderPass = r.render_pass;
    bi.framebuffer = o->cache_fb;
    bi.renderArea.extent = {t.base.width, t.base.height};
    vkCmdBeginRenderPass(r.cmd, &bi, VK_SUBPASS_CONTENTS_INLINE);
    // The window's background colour, exactly as ImGui's opaque quad would
    // have written it (8-bit colour times the font atlas' white texel):
    // draw_overlay_panel() leaves the background to this clear.
    ImVec4 bg = ImGui::GetStyleColorVec4(ImGuiCol_WindowBg);
    bg.w = 1.0f;
    const ImU32 bg8 = ImGui::ColorConvertFloat4ToU32(bg);
    VkClearAttachment clear{};
    clear.aspectMask = VK_IMAGE_ASPECT_COLOR_BIT;
    clear.clearValue.color = {{float((bg8 >> IM_COL32_R_SHIFT) & 0xff) / 255.0f,
                               float((bg8 >> IM_COL32_G_SHIFT) & 0xff) / 255.0f,
                               float((bg8 >> IM_COL32_B_SHIFT) & 0xff) / 255.0f, 1.0f}};
    VkClearRect all{{{0, 0}, {t.base.width, t.base.height}}, 0, 1};
    vkCmdClearAttachments(r.cmd, 1, &clear, 1, &all);
    ImDrawData* dd = ImGui::GetDrawData();
    // The panel's corner becomes the image's origin.
    dd->DisplayPos = ImVec2(float(rect.x), float(rect.y));
    dd->DisplaySize = ImVec2(float(t.base.width), float(t.base.height));
    ImGui_ImplVulkan_RenderDrawData(dd, r.cmd);
    vkCmdEndRenderPass(r.cmd);
    image_barrier(r.cmd, t.image, VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL,
                  VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL,
                  VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT,
                  VK_ACCESS_COLOR_ATTACHMENT_WRITE_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT,
                  VK_ACCESS_TRANSFER_READ_BIT);
    t.layout = VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL;
}

// The cached panel into the target at its place.  It is the frame's last
// write: the render pass is ended and not resumed (end() follows), the
// target is left in TRANSFER_DST.  The panel is opaque, so a copy is exactly
// what blending it would give.
void copy_cache_to_target(VulkanRenderer& r, Overlay* o, RenderTarget& target) {
    VulkanTexture& t = o->cache;
    begin_target_transfer(r, target); // ends the pass, unless a rebuild did
    VkImageCopy region{};
    region.srcSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1};
    region.dstSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1};
    region.dstOffset = {o->rect.x, o->rect.y, 0};
    region.extent = {t.base.width, t.base.height, 1};
    vkCmdCopyImage(r.cmd, t.image, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, target.image,
                   VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, 1, &region);
}

} // namespace

Overlay* overlay_create(VulkanRenderer& r, VkCommandBuffer cmd) {
    auto* o = new Overlay{};
    o->device = r.vk.device;
    // The backend allocates only the font texture's descriptor set.
    VkDescriptorPoolSize size{VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, 4};
    VkDescriptorPoolCreateInfo pci{VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO};
    pci.flags = VK_DESCRIPTOR_POOL_CREATE_FREE_DESCRIPTOR_SET_BIT;
    pci.maxSets = 4;
    pci.poolSizeCount = 1;
    pci.pPoolSizes = &size;
    if (vkCreateDescriptorPool(r.vk.device, &pci, nullptr, &o->pool) != VK_SUCCESS) {
        overlay_destroy(o);
        return nullptr;
    }
    o->context = ImGui::CreateContext();
    ImGui::SetCurrentContext(o->context);
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr; // never write imgui.ini into the working directory
    io.LogFilename = nullptr;
    ImGui::StyleColorsDark();
    // Opaque: the panel never covers a window, so there is nothing to see
    // through it, and an opaque panel is copied into frames, not blended.
    ImGui::GetStyle().Alpha = 1.0f;
    ImGui::GetStyle().WindowRounding = 0.0f;
    // Flat: no anti-aliased fringes around lines and shapes (the frame-time
    // graph, separators, the border).  On a CPU rasteriser every extra thin
    // triangle costs setup time for a barely visible difference.
    ImGui::GetStyle().AntiAliasedLines = false;
    ImGui::GetStyle().AntiAliasedLinesUseTex = false;
    ImGui::GetStyle().AntiAliasedFill = false;

    ImGui_ImplVulkan_InitInfo info{};
    info.Instance = r.vk.instance;
    info.PhysicalDevice = r.vk.physical;
    info.Device = r.vk.device;
    info.QueueFamily = r.vk.queue_family;
    info.Queue = r.vk.queue;
    info.DescriptorPool = o->pool;
    info.Subpass = 0;
    // One frame in flight (end() waits), but the backend insists on >= 2.
    info.MinImageCount = 2;
    info.ImageCount = 2;
    info.MSAASamples = VK_SAMPLE_COUNT_1_BIT;
    info.CheckVkResultFn = check_vk;
    if (!ImGui_ImplVulkan_Init(&info, r.render_pass)) {
        wlr_log(WLR_ERROR, "overlay: ImGui_ImplVulkan_Init failed");
        overlay_destroy(o);
        return nullptr;
    }
    o->backend_ready = true;
    if (!ImGui_ImplVulkan_CreateFontsTexture(cmd)) {
        wlr_log(WLR_ERROR, "overlay: font upload failed");
        overlay_destroy(o);
        return nullptr;
    }
    return o;
}

void overlay_upload_done(Overlay* o) {
    if (!o)
        return;
    ImGui::SetCurrentContext(o->context);
    ImGui_ImplVulkan_DestroyFontUploadObjects();
}

void overlay_destroy(Overlay* o) {
    if (!o)
        return;
    release_cache(o);
    if (o->context) {
        ImGui::SetCurrentContext(o->context);
        if (o->backend_ready)
            ImGui_ImplVulkan_Shutdown();
        ImGui::DestroyContext(o->context);
    }
    if (o->pool)
        vkDestroyDescriptorPool(o->device, o->pool, nullptr);
    delete o;
}

bool overlay_needs_redraw(Overlay* o, const OverlayModel& model, uint32_t width,
                          uint32_t height) {
    const bool same_place = o->checked && o->place_x == model.x && o->place_y == model.y &&
                            o->output_w == width && o->output_h == height;
    if (same_place && o->checked_version == model.version)
        return !o->built && o->rect.width > 0 && o->rect.height > 0; // image lost
    o->checked_version = model.version;
    OverlayContent content = format_overlay_content(model);
    if (same_place && o->built && content == o->content)
        return false; // new numbers, same text: the image is still right
    o->content = std::move(content);
    o->checked = true;
    o->place_x = model.x;
    o->place_y = model.y;
    o->output_w = width;
    o->output_h = height;
    return true;
}

OverlayRect overlay_record(VulkanRenderer& r, Overlay* o, RenderTarget& target, bool redraw) {
    ImGui::SetCurrentContext(o->context);
    const uint32_t width = target.width, height = target.height;
    if (redraw) {
        ImGuiIO& io = ImGui::GetIO();
        io.DisplaySize = ImVec2(float(width), float(height));
        const int64_t now = monotonic_ns();
        io.DeltaTime =
            o->last_frame_ns ? float(double(now - o->last_frame_ns) / 1e9) : 1.0f / 60.0f;
        if (io.DeltaTime <= 0.0f)
            io.DeltaTime = 1e-6f;
        o->last_frame_ns = now;
        ImGui_ImplVulkan_NewFrame();
        if (!o->laid_out) {
            // ImGui hides auto-sized windows on their first frame while it
            // measures them: lay the panel out once unseen so the first frame
            // that is recorded already shows it.
            ImGui::NewFrame();
            draw_overlay_panel(o->content, o->place_x, o->place_y);
            ImGui::EndFrame();
            o->laid_out = true;
        }
        ImGui::NewFrame();
        OverlayRect rect = draw_overlay_panel(o->content, o->place_x, o->place_y);
        ImGui::Render();
        // Inside the output: the image holds only what is shown.
        const int x0 = std::clamp(rect.x, 0, int(width)), y0 = std::clamp(rect.y, 0, int(height));
        const int x1 = std::clamp(rect.x + rect.width, x0, int(width));
        const int y1 = std::clamp(rect.y + rect.height, y0, int(height));
        rect = OverlayRect{x0, y0, x1 - x0, y1 - y0};
        o->built = false;
        if (rect.width > 0 && rect.height > 0 &&
            ensure_cache(r, o, uint32_t(rect.width), uint32_t(rect.height))) {
            end_pass(r);
            render_into_cache(r, o, rect);
            o->built = true;
            o->redraws++;
        }
        o->rect = rect;
    }
    if (!o->built)
        return o->rect;
    copy_cache_to_target(r, o, target);
    return o->rect;
}

OverlayPanelStats overlay_panel_stats(const Overlay* o) {
    OverlayPanelStats s;
    if (!o)
        return s;
    s.redraws = o->redraws;
    if (o->cache.image) {
        s.image_width = o->cache.base.width;
        s.image_height = o->cache.base.height;
    }
    return s;
}

} // namespace zcd::render
