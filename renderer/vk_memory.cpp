// Vulkan images and buffers with their memory: the few lines every renderer
// object that owns memory repeats (render targets, textures, the overlay's
// panel, the upload thread's linear images).

#include "renderer/vulkan_renderer.hpp"

namespace zcd::render {

VkImageCreateInfo image_2d_info(VkFormat format, uint32_t width, uint32_t height,
                                VkImageTiling tiling, VkImageUsageFlags usage, const void* next) {
    VkImageCreateInfo ici{VK_STRUCTURE_TYPE_IMAGE_CREATE_INFO};
    ici.pNext = next;
    ici.imageType = VK_IMAGE_TYPE_2D;
    ici.format = format;
    ici.extent = {width, height, 1};
    ici.mipLevels = 1;
    ici.arrayLayers = 1;
    ici.samples = VK_SAMPLE_COUNT_1_BIT;
    ici.tiling = tiling;
    ici.usage = usage;
    return ici;
}

VkImageCreateInfo bgra_image_info(uint32_t width, uint32_t height, VkImageTiling tiling,
                                  VkImageUsageFlags usage, const void* next) {
    return image_2d_info(VK_FORMAT_B8G8R8A8_UNORM, width, height, tiling, usage, next);
}

bool bind_image_memory(VulkanRenderer& r, VkImage image, VkMemoryPropertyFlags props,
                       VkDeviceMemory* memory) {
    VkMemoryRequirements req;
    vkGetImageMemoryRequirements(r.vk.device, image, &req);
    VkMemoryAllocateInfo mai{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO};
    mai.allocationSize = req.size;
    mai.memoryTypeIndex = r.vk.find_memory_type(req.memoryTypeBits, props);
    return mai.memoryTypeIndex != UINT32_MAX &&
           vkAllocateMemory(r.vk.device, &mai, nullptr, memory) == VK_SUCCESS &&
           vkBindImageMemory(r.vk.device, image, *memory, 0) == VK_SUCCESS;
}

bool bind_image_memory(VulkanRenderer& r, VkImage image, VkDeviceMemory* memory) {
    VkMemoryRequirements req;
    vkGetImageMemoryRequirements(r.vk.device, image, &req);
    const bool has_local = r.vk.find_memory_type(req.memoryTypeBits,
                                                 VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT) != UINT32_MAX;
    return bind_image_memory(r, image, has_local ? VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT : 0, memory);
}

bool create_buffer(VulkanRenderer& r, VkDeviceSize size, VkBufferUsageFlags usage,
                   VkMemoryPropertyFlags props, VkBuffer* buffer, VkDeviceMemory* memory,
                   void** map) {
    VkBufferCreateInfo bci{VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO};
    bci.size = size;
    bci.usage = usage;
    if (vkCreateBuffer(r.vk.device, &bci, nullptr, buffer) != VK_SUCCESS)
        return false;
    VkMemoryRequirements req;
    vkGetBufferMemoryRequirements(r.vk.device, *buffer, &req);
    VkMemoryAllocateInfo mai{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO};
    mai.allocationSize = req.size;
    mai.memoryTypeIndex = r.vk.find_memory_type(req.memoryTypeBits, props);
    bool ok = mai.memoryTypeIndex != UINT32_MAX &&
              vkAllocateMemory(r.vk.device, &mai, nullptr, memory) == VK_SUCCESS;
    ok = ok && vkBindBufferMemory(r.vk.device, *buffer, *memory, 0) == VK_SUCCESS;
    if (ok && map)
        ok = vkMapMemory(r.vk.device, *memory, 0, VK_WHOLE_SIZE, 0, map) == VK_SUCCESS;
    if (!ok) {
        if (*memory)
            vkFreeMemory(r.vk.device, *memory, nullptr);
        vkDestroyBuffer(r.vk.device, *buffer, nullptr);
        *buffer = VK_NULL_HANDLE;
        *memory = VK_NULL_HANDLE;
    }
    return ok;
}

} // namespace zcd::render
