// The overlay: Dear ImGui 1.86 (Debian's libimgui, Vulkan backend) drawn by
// our renderer inside its own render pass, on top of the composed frame.
// One ImGui context per renderer.  Internal to renderer/; the compositor
// drives it through set_overlay()/set_overlay_in_capture() in renderer.hpp.
#pragma once

#include <cstdint>

#include <vulkan/vulkan_core.h>

#include "common/overlay_model.hpp"

namespace zcd::render {

struct VulkanRenderer;
struct Overlay;

// Creates the ImGui context and backend, and records the font upload into
// `cmd` (outside a render pass).  nullptr on failure (logged).
Overlay* overlay_create(VulkanRenderer& r, VkCommandBuffer cmd);
// Frees the font staging objects once the upload has executed.
void overlay_upload_done(Overlay* overlay);
void overlay_destroy(Overlay* overlay); // null: no-op

struct OverlayRect {
    int x = 0, y = 0, width = 0, height = 0;
};

// Builds the panel from `model` and records it into `cmd` (inside the
// render pass, viewport = width x height).  Returns the panel's rectangle.
OverlayRect overlay_record(Overlay* overlay, const OverlayModel& model, VkCommandBuffer cmd,
                           uint32_t width, uint32_t height);

// ImGui widgets for one model (renderer/overlay_panel.cpp).
OverlayRect draw_overlay_panel(const OverlayModel& model);

} // namespace zcd::render
