// The overlay: Dear ImGui 1.86 (Debian's libimgui, Vulkan backend) drawn by
// our renderer inside its own render pass, on top of the composed frame.
// One ImGui context per renderer.  Internal to renderer/; the compositor
// drives it through set_overlay()/set_overlay_in_capture() in renderer.hpp.
#pragma once

#include <cstdint>

#include <vulkan/vulkan_core.h>

#include "common/overlay_content.hpp"
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

// Whether this frame must draw the panel again, rather than copy the image
// drawn before: when its place or the output's size changed, or when the
// model's formatted content (common/overlay_content.hpp) differs from what
// was drawn.  Formats the model only when its version changed, so most
// frames pay one comparison.  Call once per frame, before overlay_record().
bool overlay_needs_redraw(Overlay* overlay, const OverlayModel& model, uint32_t width,
                          uint32_t height);

// Records the panel into the frame as its last write (called inside the
// target's render pass, returns with the pass ended): one image copy.  With
// `redraw` (overlay_needs_redraw()), first an ImGui frame and a pass that
// renders it into a panel-sized image, which later frames copy again.
// Returns the panel's rectangle in output pixels.
OverlayRect overlay_record(VulkanRenderer& r, Overlay* overlay, RenderTarget& target, bool redraw);

// How often the panel has been drawn, and the size of its image (0x0: none).
struct OverlayPanelStats {
    uint64_t redraws = 0;
    uint32_t image_width = 0, image_height = 0;
};
OverlayPanelStats overlay_panel_stats(const Overlay* overlay);

// ImGui widgets for one panel's content at (x, y) (-1: top-right corner)
// (renderer/overlay_panel.cpp).
OverlayRect draw_overlay_panel(const OverlayContent& content, int32_t x, int32_t y);

} // namespace zcd::render
