// The Vulkan instance and device the renderer draws with: extension probing,
// the validation-layer messenger and its error count, memory-type lookup.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <set>
#include <string>

#include <vulkan/vulkan_core.h>

#include "renderer/renderer.hpp"

namespace zcd::render {

struct VkDeviceContext {
    VkInstance instance = VK_NULL_HANDLE;
    VkDebugUtilsMessengerEXT messenger = VK_NULL_HANDLE;
    VkPhysicalDevice physical = VK_NULL_HANDLE;
    VkDevice device = VK_NULL_HANDLE;
    VkQueue queue = VK_NULL_HANDLE;
    uint32_t queue_family = 0;

    VkPhysicalDeviceProperties props{};
    VkPhysicalDeviceMemoryProperties mem_props{};
    std::string driver_name;

    bool has_dmabuf = false;        // VK_EXT_external_memory_dma_buf (+ KHR_external_memory_fd)
    bool has_modifiers = false;     // VK_EXT_image_drm_format_modifier
    bool has_host_import = false;   // VK_EXT_external_memory_host
    bool has_foreign_queue = false; // VK_EXT_queue_family_foreign
    bool has_calibrated = false;    // VK_EXT_calibrated_timestamps with CLOCK_MONOTONIC
    VkDeviceSize host_pointer_alignment = 0;
    bool timestamps = false; // graphics queue has timestampValidBits > 0
    uint64_t timestamp_mask = ~uint64_t{0};

    PFN_vkGetMemoryFdPropertiesKHR get_memory_fd_properties = nullptr;
    PFN_vkGetMemoryHostPointerPropertiesEXT get_host_pointer_properties = nullptr;
    PFN_vkGetCalibratedTimestampsEXT get_calibrated_timestamps = nullptr;

    // Validation: errors counted; each message id logged once.
    std::atomic<uint64_t> validation_errors{0};
    std::mutex seen_mutex;
    std::set<int32_t> seen_message_ids;

    // Returns UINT32_MAX if no type in type_bits has all of `flags`.
    uint32_t find_memory_type(uint32_t type_bits, VkMemoryPropertyFlags flags) const;
};

// Creates instance + device.  On failure logs one line and returns false
// (ctx is then destroyed by destroy_device_context).
bool create_device_context(VkDeviceContext& ctx, const RendererOptions& options);
void destroy_device_context(VkDeviceContext& ctx);

// Vulkan result as text for one-line errors.
const char* vk_result_name(VkResult r);

} // namespace zcd::render
