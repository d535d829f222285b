// ImGui lifecycle and recording for the overlay.  No platform backend: the
// overlay takes no input, so DisplaySize and DeltaTime are all ImGui needs.
#include "renderer/overlay.hpp"

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
    // The panel last built: reused (its draw data re-recorded) until the
    // model's numbers, place or the output size change.
    bool built = false;
    uint64_t built_version = 0;
    int32_t built_x = 0, built_y = 0;
    uint32_t built_w = 0, built_h = 0;
    OverlayRect rect;
};

namespace {

void check_vk(VkResult res) {
    if (res != VK_SUCCESS)
        wlr_log(WLR_ERROR, "overlay: ImGui Vulkan backend: %s", vk_result_name(res));
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
    ImGui::GetStyle().Alpha = 0.92f;

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

OverlayRect overlay_record(Overlay* o, const OverlayModel& model, VkCommandBuffer cmd,
                           uint32_t width, uint32_t height) {
    ImGui::SetCurrentContext(o->context);
    if (o->built && o->built_version == model.version && o->built_x == model.x &&
        o->built_y == model.y && o->built_w == width && o->built_h == height) {
        // Same numbers, same place: the last frame's draw lists are still
        // valid (until the next NewFrame); only record them again.
        ImGui_ImplVulkan_RenderDrawData(ImGui::GetDrawData(), cmd);
        return o->rect;
    }
    ImGuiIO& io = ImGui::GetIO();
    io.DisplaySize = ImVec2(float(width), float(height));
    const int64_t now = monotonic_ns();
    io.DeltaTime = o->last_frame_ns ? float(double(now - o->last_frame_ns) / 1e9) : 1.0f / 60.0f;
    if (io.DeltaTime <= 0.0f)
        io.DeltaTime = 1e-6f;
    o->last_frame_ns = now;
    ImGui_ImplVulkan_NewFrame();
    if (!o->laid_out) {
        // ImGui hides auto-sized windows on their first frame while it
        // measures them: lay the panel out once unseen so the first frame
        // that is recorded already shows it.
        ImGui::NewFrame();
        draw_overlay_panel(model);
        ImGui::EndFrame();
        o->laid_out = true;
    }
    ImGui::NewFrame();
    OverlayRect rect = draw_overlay_panel(model);
    ImGui::Render();
    ImGui_ImplVulkan_RenderDrawData(ImGui::GetDrawData(), cmd);
    o->built = true;
    o->built_version = model.version;
    o->built_x = model.x;
    o->built_y = model.y;
    o->built_w = width;
    o->built_h = height;
    o->rect = rect;
    return rect;
}

} // namespace zcd::render
