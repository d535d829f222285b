// vulkan: linear images whose memory is exported as a dma-buf
// (VK_EXT_external_memory_dma_buf via VK_KHR_external_memory_fd), mapped for
// drawing.  On lavapipe this works only where the driver can back exportable
// memory with a dma-buf (it needs udmabuf); elsewhere the probe says so.
#include <cstring>
#include <drm_fourcc.h>
#include <unistd.h>

#include <vulkan/vulkan.h>
#include <wayland-client.h>

#include "interconnect_client/sources/buffer_source.hpp"

namespace zcd {

namespace {

// One exportable linear image and its memory.
struct VkSlot {
    VkImage image = VK_NULL_HANDLE;
    VkDeviceMemory memory = VK_NULL_HANDLE;
    void* map = nullptr;
    int fd = -1;
    VkSubresourceLayout layout{};
};

// Zero-initialised Vulkan struct with its sType set.
template <typename T> T vk_struct(VkStructureType type) {
    T t{};
    t.sType = type;
    return t;
}

constexpr VkFormat kFormat = VK_FORMAT_B8G8R8A8_UNORM; // = DRM XRGB8888 bytes in memory
constexpr auto kDmabuf = VK_EXTERNAL_MEMORY_HANDLE_TYPE_DMA_BUF_BIT_EXT;

std::string vk_result(VkResult r) {
    switch (r) {
    case VK_ERROR_OUT_OF_HOST_MEMORY:
        return "VK_ERROR_OUT_OF_HOST_MEMORY";
    case VK_ERROR_OUT_OF_DEVICE_MEMORY:
        return "VK_ERROR_OUT_OF_DEVICE_MEMORY";
    case VK_ERROR_INITIALIZATION_FAILED:
        return "VK_ERROR_INITIALIZATION_FAILED";
    case VK_ERROR_EXTENSION_NOT_PRESENT:
        return "VK_ERROR_EXTENSION_NOT_PRESENT";
    case VK_ERROR_FEATURE_NOT_PRESENT:
        return "VK_ERROR_FEATURE_NOT_PRESENT";
    case VK_ERROR_INCOMPATIBLE_DRIVER:
        return "VK_ERROR_INCOMPATIBLE_DRIVER";
    case VK_ERROR_FORMAT_NOT_SUPPORTED:
        return "VK_ERROR_FORMAT_NOT_SUPPORTED";
    case VK_ERROR_INVALID_EXTERNAL_HANDLE:
        return "VK_ERROR_INVALID_EXTERNAL_HANDLE";
    case VK_ERROR_TOO_MANY_OBJECTS:
        return "VK_ERROR_TOO_MANY_OBJECTS";
    default:
        return "VkResult " + std::to_string(int(r));
    }
}

bool has_extension(VkPhysicalDevice pd, const char* name) {
    uint32_t n = 0;
    vkEnumerateDeviceExtensionProperties(pd, nullptr, &n, nullptr);
    std::vector<VkExtensionProperties> exts(n);
    vkEnumerateDeviceExtensionProperties(pd, nullptr, &n, exts.data());
    for (const auto& e : exts)
        if (std::strcmp(e.extensionName, name) == 0)
            return true;
    return false;
}

class VulkanSource final : public BufferSource {
  public:
    VulkanSource(const SourceConfig& cfg, const CompositorOffer& offer)
        : cfg_(cfg), dmabuf_(offer.dmabuf) {
        drm_format_ = DRM_FORMAT_XRGB8888;
        modifier_ = DRM_FORMAT_MOD_LINEAR;
    }
    ~VulkanSource() override {
        for (auto& b : buffers_)
            if (b.wl)
                wl_buffer_destroy(b.wl);
        for (auto& s : slots_)
            destroy_slot(s);
        if (device_)
            vkDestroyDevice(device_, nullptr);
        if (instance_)
            vkDestroyInstance(instance_, nullptr);
    }
    const char* name() const override { return "vulkan"; }
    bool is_dmabuf() const override { return true; }

    // Instance, a device that can export linear images as dma-buf, and one
    // trial export: everything short of talking to the compositor.
    bool init(std::string* why) {
        auto app = vk_struct<VkApplicationInfo>(VK_STRUCTURE_TYPE_APPLICATION_INFO);
        app.pApplicationName = "zc-client";
        app.apiVersion = VK_API_VERSION_1_1;
        auto ici = vk_struct<VkInstanceCreateInfo>(VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO);
        ici.pApplicationInfo = &app;
        VkResult r = vkCreateInstance(&ici, nullptr, &instance_);
        if (r != VK_SUCCESS) {
            instance_ = VK_NULL_HANDLE;
            *why = "vulkan: no Vulkan driver (vkCreateInstance: " + vk_result(r) + ")";
            return false;
        }
        uint32_t n = 0;
        vkEnumeratePhysicalDevices(instance_, &n, nullptr);
        std::vector<VkPhysicalDevice> pds(n);
        vkEnumeratePhysicalDevices(instance_, &n, pds.data());
        if (pds.empty()) {
            *why = "vulkan: no Vulkan device";
            return false;
        }
        for (VkPhysicalDevice pd : pds)
            if (has_extension(pd, VK_EXT_EXTERNAL_MEMORY_DMA_BUF_EXTENSION_NAME) &&
                has_extension(pd, VK_KHR_EXTERNAL_MEMORY_FD_EXTENSION_NAME)) {
                physical_ = pd;
                break;
            }
        if (!physical_) {
            *why = "vulkan: no Vulkan device has VK_EXT_external_memory_dma_buf";
            return false;
        }
        VkPhysicalDeviceProperties props;
        vkGetPhysicalDeviceProperties(physical_, &props);
        device_name_ = props.deviceName;

        auto ext_info = vk_struct<VkPhysicalDeviceExternalImageFormatInfo>(
            VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_EXTERNAL_IMAGE_FORMAT_INFO);
        ext_info.handleType = kDmabuf;
        auto fmt_info = vk_struct<VkPhysicalDeviceImageFormatInfo2>(
            VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_IMAGE_FORMAT_INFO_2);
        fmt_info.pNext = &ext_info;
        fmt_info.format = kFormat;
        fmt_info.type = VK_IMAGE_TYPE_2D;
        fmt_info.tiling = VK_IMAGE_TILING_LINEAR;
        fmt_info.usage = VK_IMAGE_USAGE_TRANSFER_DST_BIT | VK_IMAGE_USAGE_SAMPLED_BIT;
        auto ext_props = vk_struct<VkExternalImageFormatProperties>(
            VK_STRUCTURE_TYPE_EXTERNAL_IMAGE_FORMAT_PROPERTIES);
        auto fmt_props =
            vk_struct<VkImageFormatProperties2>(VK_STRUCTURE_TYPE_IMAGE_FORMAT_PROPERTIES_2);
        fmt_props.pNext = &ext_props;
        r = vkGetPhysicalDeviceImageFormatProperties2(physical_, &fmt_info, &fmt_props);
        if (r != VK_SUCCESS || !(ext_props.externalMemoryProperties.externalMemoryFeatures &
                                 VK_EXTERNAL_MEMORY_FEATURE_EXPORTABLE_BIT)) {
            *why = "vulkan: " + device_name_ +
                   " cannot export linear B8G8R8A8 images as dma-buf (" +
                   (r != VK_SUCCESS ? vk_result(r) : std::string("not exportable")) + ")";
            return false;
        }

        float prio = 1.0f;
        auto qci = vk_struct<VkDeviceQueueCreateInfo>(VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO);
        qci.queueFamilyIndex = 0;
        qci.queueCount = 1;
        qci.pQueuePriorities = &prio;
        const char* exts[] = {VK_KHR_EXTERNAL_MEMORY_FD_EXTENSION_NAME,
                              VK_EXT_EXTERNAL_MEMORY_DMA_BUF_EXTENSION_NAME};
        auto dci = vk_struct<VkDeviceCreateInfo>(VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO);
        dci.queueCreateInfoCount = 1;
        dci.pQueueCreateInfos = &qci;
        dci.enabledExtensionCount = 2;
        dci.ppEnabledExtensionNames = exts;
        r = vkCreateDevice(physical_, &dci, nullptr, &device_);
        if (r != VK_SUCCESS) {
            device_ = VK_NULL_HANDLE;
            *why = "vulkan: vkCreateDevice on " + device_name_ + ": " + vk_result(r);
            return false;
        }
        get_memory_fd_ = reinterpret_cast<PFN_vkGetMemoryFdKHR>(
            vkGetDeviceProcAddr(device_, "vkGetMemoryFdKHR"));
        VkSlot trial;
        std::string err;
        bool ok = create_slot(&trial, &err);
        destroy_slot(trial);
        if (!ok) {
            *why = "vulkan: " + device_name_ + ": " + err;
            return false;
        }
        return true;
    }

    bool allocate(uint32_t count, std::string* error) override {
        for (uint32_t i = 0; i < count; ++i) {
            VkSlot s;
            std::string err;
            bool ok = create_slot(&s, &err);
            slots_.push_back(s);
            if (!ok) {
                *error = "vulkan: " + err;
                return false;
            }
            ClientBuffer b;
            b.wl = create_dmabuf_wl_buffer(dmabuf_, s.fd, cfg_.width, cfg_.height,
                                           uint32_t(s.layout.rowPitch), uint32_t(s.layout.offset),
                                           drm_format_, modifier_);
            if (!b.wl) {
                *error = "vulkan: zwp_linux_buffer_params_v1.create_immed failed";
                return false;
            }
            b.pixels = reinterpret_cast<uint32_t*>(static_cast<char*>(s.map) + s.layout.offset);
            b.stride_px = uint32_t(s.layout.rowPitch / 4);
            buffers_.push_back(b);
        }
        return true;
    }

  private:
    bool create_slot(VkSlot* s, std::string* err) {
        auto ext = vk_struct<VkExternalMemoryImageCreateInfo>(
            VK_STRUCTURE_TYPE_EXTERNAL_MEMORY_IMAGE_CREATE_INFO);
        ext.handleTypes = kDmabuf;
        auto ici = vk_struct<VkImageCreateInfo>(VK_STRUCTURE_TYPE_IMAGE_CREATE_INFO);
        ici.pNext = &ext;
        ici.imageType = VK_IMAGE_TYPE_2D;
        ici.format = kFormat;
        ici.extent = {cfg_.width, cfg_.height, 1};
        ici.mipLevels = 1;
        ici.arrayLayers = 1;
        ici.samples = VK_SAMPLE_COUNT_1_BIT;
        ici.tiling = VK_IMAGE_TILING_LINEAR;
        ici.usage = VK_IMAGE_USAGE_TRANSFER_DST_BIT | VK_IMAGE_USAGE_SAMPLED_BIT;
        ici.initialLayout = VK_IMAGE_LAYOUT_PREINITIALIZED;
        VkResult r = vkCreateImage(device_, &ici, nullptr, &s->image);
        if (r != VK_SUCCESS) {
            *err = "vkCreateImage: " + vk_result(r);
            return false;
        }
        VkMemoryRequirements req;
        vkGetImageMemoryRequirements(device_, s->image, &req);
        VkPhysicalDeviceMemoryProperties mem;
        vkGetPhysicalDeviceMemoryProperties(physical_, &mem);
        uint32_t type = UINT32_MAX;
        const VkMemoryPropertyFlags want =
            VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
        for (uint32_t i = 0; i < mem.memoryTypeCount; ++i)
            if ((req.memoryTypeBits & (1u << i)) &&
                (mem.memoryTypes[i].propertyFlags & want) == want) {
                type = i;
                break;
            }
        if (type == UINT32_MAX) {
            *err = "no host-visible memory type for an exportable image";
            return false;
        }
        auto exp =
            vk_struct<VkExportMemoryAllocateInfo>(VK_STRUCTURE_TYPE_EXPORT_MEMORY_ALLOCATE_INFO);
        exp.handleTypes = kDmabuf;
        auto ded = vk_struct<VkMemoryDedicatedAllocateInfo>(
            VK_STRUCTURE_TYPE_MEMORY_DEDICATED_ALLOCATE_INFO);
        ded.image = s->image;
        exp.pNext = &ded;
        auto mai = vk_struct<VkMemoryAllocateInfo>(VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO);
        mai.pNext = &exp;
        mai.allocationSize = req.size;
        mai.memoryTypeIndex = type;
        r = vkAllocateMemory(device_, &mai, nullptr, &s->memory);
        if (r != VK_SUCCESS) {
            s->memory = VK_NULL_HANDLE;
            *err = "allocating exportable dma-buf memory: " + vk_result(r);
            return false;
        }
        vkBindImageMemory(device_, s->image, s->memory, 0);
        auto gfi = vk_struct<VkMemoryGetFdInfoKHR>(VK_STRUCTURE_TYPE_MEMORY_GET_FD_INFO_KHR);
        gfi.memory = s->memory;
        gfi.handleType = kDmabuf;
        r = get_memory_fd_ ? get_memory_fd_(device_, &gfi, &s->fd) : VK_ERROR_EXTENSION_NOT_PRESENT;
        if (r != VK_SUCCESS) {
            s->fd = -1;
            *err = "exporting the memory as dma-buf (vkGetMemoryFdKHR): " + vk_result(r);
            return false;
        }
        VkImageSubresource sub{VK_IMAGE_ASPECT_COLOR_BIT, 0, 0};
        vkGetImageSubresourceLayout(device_, s->image, &sub, &s->layout);
        r = vkMapMemory(device_, s->memory, 0, VK_WHOLE_SIZE, 0, &s->map);
        if (r != VK_SUCCESS) {
            s->map = nullptr;
            *err = "vkMapMemory: " + vk_result(r);
            return false;
        }
        return true;
    }

    void destroy_slot(VkSlot& s) {
        if (s.map)
            vkUnmapMemory(device_, s.memory);
        if (s.fd >= 0)
            close(s.fd);
        if (s.image)
            vkDestroyImage(device_, s.image, nullptr);
        if (s.memory)
            vkFreeMemory(device_, s.memory, nullptr);
        s = VkSlot{};
    }

    SourceConfig cfg_;
    zwp_linux_dmabuf_v1* dmabuf_;
    VkInstance instance_ = VK_NULL_HANDLE;
    VkPhysicalDevice physical_ = VK_NULL_HANDLE;
    VkDevice device_ = VK_NULL_HANDLE;
    PFN_vkGetMemoryFdKHR get_memory_fd_ = nullptr;
    std::string device_name_;
    std::vector<VkSlot> slots_;
};

} // namespace

std::unique_ptr<BufferSource>
make_vulkan_source(const SourceConfig& cfg, const CompositorOffer& offer, std::string* why_not) {
    auto src = std::make_unique<VulkanSource>(cfg, offer);
    if (!src->init(why_not))
        return nullptr;
    std::string problem = dmabuf_offer_problem(offer, DRM_FORMAT_XRGB8888, DRM_FORMAT_MOD_LINEAR);
    if (!problem.empty()) {
        *why_not = "vulkan: " + problem;
        return nullptr;
    }
    return src;
}

} // namespace zcd
