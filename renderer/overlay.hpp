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
struct RenderTarget;
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

// Records the panel into the frame as its last write (called inside the
// target's render pass, returns with the pass ended): one image copy.  The panel itself is rebuilt -- ImGui frame, and a pass that
// renders it into a panel-sized cached image -- only when the model's version,
// its place or the target's size changed; otherwise the cached image is drawn
// again.  Returns the panel's rectangle in output pixels.
OverlayRect overlay_record(VulkanRenderer& r, Overlay* overlay, const OverlayModel& model,
                           RenderTarget& target);

// ImGui widgets for one model (renderer/overlay_panel.cpp).
OverlayRect draw_overlay_panel(const OverlayModel& model);

} // namespace zcd::render
