// The functions of renderer/renderer.hpp: what the compositor asks the
// renderer beyond wlroots' interface (import records, GPU timings, the
// output hop, overlay control).
#include "renderer/vulkan_renderer.hpp"

namespace zcd::render {

bool is_vulkan_renderer(wlr_renderer* renderer) {
    return vulkan_renderer_from(renderer) != nullptr;
}

const ImportRecord* texture_import_record(wlr_texture* texture) {
    VulkanTexture* t = vulkan_texture_from(texture);
    return t ? &t->record : nullptr;
}

bool last_gpu_frame_timing(wlr_renderer* renderer, GpuFrameTiming* out) {
    VulkanRenderer* r = vulkan_renderer_from(renderer);
    if (!r || !r->have_timing)
        return false;
    *out = r->last_timing;
    return true;
}

uint64_t validation_error_count(wlr_renderer* renderer) {
    VulkanRenderer* r = vulkan_renderer_from(renderer);
    return r ? r->vk.validation_errors.load() : 0;
}

ImportFailure last_import_failure(wlr_renderer* renderer) {
    VulkanRenderer* r = vulkan_renderer_from(renderer);
    return r ? r->last_failure : ImportFailure{};
}

void trust_host_memory(wlr_renderer* renderer, const wlr_buffer_impl* impl) {
    if (VulkanRenderer* r = vulkan_renderer_from(renderer))
        r->trusted_host_memory.push_back(impl);
}

void display_imports_in_place(wlr_renderer* renderer, const wlr_buffer_impl* impl) {
    if (VulkanRenderer* r = vulkan_renderer_from(renderer))
        r->display_imported.push_back(impl);
}

DeviceInfo device_info(wlr_renderer* renderer) {
    DeviceInfo info;
    VulkanRenderer* r = vulkan_renderer_from(renderer);
    if (!r)
        return info;
    info.device_name = r->vk.props.deviceName;
    info.driver_name = r->vk.driver_name;
    info.api_version = r->vk.props.apiVersion;
    info.dmabuf_import = r->vk.has_dmabuf;
    info.drm_format_modifiers = r->vk.has_modifiers;
    info.host_pointer_import = r->vk.has_host_import;
    info.calibrated_timestamps = r->vk.has_calibrated;
    return info;
}

void set_overlay(wlr_renderer* renderer, const OverlayModel* model) {
    if (VulkanRenderer* r = vulkan_renderer_from(renderer))
        r->overlay_model = model;
}

void set_overlay_in_capture(wlr_renderer* renderer, bool on) {
    if (VulkanRenderer* r = vulkan_renderer_from(renderer))
        r->overlay_in_capture = on;
}

bool last_frame_target(wlr_renderer* renderer, FrameTarget* out) {
    VulkanRenderer* r = vulkan_renderer_from(renderer);
    if (!r || r->last_target.frame_seq == 0)
        return false;
    *out = r->last_target;
    return true;
}

void request_capture(wlr_renderer* renderer) {
    if (VulkanRenderer* r = vulkan_renderer_from(renderer))
        r->capture_requested = true;
}

bool last_overlay_cost(wlr_renderer* renderer, OverlayCost* out) {
    VulkanRenderer* r = vulkan_renderer_from(renderer);
    if (!r || !r->have_overlay_cost)
        return false;
    *out = r->overlay_cost;
    return true;
}

} // namespace zcd::render
