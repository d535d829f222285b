#include "renderer/vk_device.hpp"

#include <cstring>
#include <vector>

#include "zcd/wlroots.hpp"

namespace zcd::render {

const char* vk_result_name(VkResult r) {
    switch (r) {
    case VK_SUCCESS:
        return "VK_SUCCESS";
    case VK_NOT_READY:
        return "VK_NOT_READY";
    case VK_TIMEOUT:
        return "VK_TIMEOUT";
    case VK_ERROR_OUT_OF_HOST_MEMORY:
        return "VK_ERROR_OUT_OF_HOST_MEMORY";
    case VK_ERROR_OUT_OF_DEVICE_MEMORY:
        return "VK_ERROR_OUT_OF_DEVICE_MEMORY";
    case VK_ERROR_INITIALIZATION_FAILED:
        return "VK_ERROR_INITIALIZATION_FAILED";
    case VK_ERROR_DEVICE_LOST:
        return "VK_ERROR_DEVICE_LOST";
    case VK_ERROR_LAYER_NOT_PRESENT:
        return "VK_ERROR_LAYER_NOT_PRESENT";
    case VK_ERROR_EXTENSION_NOT_PRESENT:
        return "VK_ERROR_EXTENSION_NOT_PRESENT";
    case VK_ERROR_FORMAT_NOT_SUPPORTED:
        return "VK_ERROR_FORMAT_NOT_SUPPORTED";
    case VK_ERROR_INVALID_EXTERNAL_HANDLE:
        return "VK_ERROR_INVALID_EXTERNAL_HANDLE";
    case VK_ERROR_OUT_OF_POOL_MEMORY:
        return "VK_ERROR_OUT_OF_POOL_MEMORY";
    default:
        return "VkResult(other)";
    }
}

uint32_t VkDeviceContext::find_memory_type(uint32_t type_bits, VkMemoryPropertyFlags flags) const {
    for (uint32_t i = 0; i < mem_props.memoryTypeCount; ++i)
        if ((type_bits & (1u << i)) && (mem_props.memoryTypes[i].propertyFlags & flags) == flags)
            return i;
    return UINT32_MAX;
}

namespace {

// Called by the validation layer, possibly from driver threads; never throws.
VKAPI_ATTR VkBool32 VKAPI_CALL on_debug_message(VkDebugUtilsMessageSeverityFlagBitsEXT severity,
                                                VkDebugUtilsMessageTypeFlagsEXT,
                                                const VkDebugUtilsMessengerCallbackDataEXT* data,
                                                void* user) {
    auto* ctx = static_cast<VkDeviceContext*>(user);
    if (!(severity & VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT))
        return VK_FALSE;
    ctx->validation_errors.fetch_add(1, std::memory_order_relaxed);
    bool first = false;
    {
        std::lock_guard lock(ctx->seen_mutex);
        first = ctx->seen_message_ids.insert(data->messageIdNumber).second;
    }
    if (first)
        wlr_log(WLR_ERROR, "vulkan validation: %s", data->pMessage ? data->pMessage : "?");
    return VK_FALSE;
}

bool has_extension(const std::vector<VkExtensionProperties>& exts, const char* name) {
    for (const auto& e : exts)
        if (std::strcmp(e.extensionName, name) == 0)
            return true;
    return false;
}

bool layer_available(const char* name) {
    uint32_t n = 0;
    vkEnumerateInstanceLayerProperties(&n, nullptr);
    std::vector<VkLayerProperties> layers(n);
    vkEnumerateInstanceLayerProperties(&n, layers.data());
    for (const auto& l : layers)
        if (std::strcmp(l.layerName, name) == 0)
            return true;
    return false;
}

} // namespace

bool create_device_context(VkDeviceContext& ctx, const RendererOptions& options) {
    VkApplicationInfo app{VK_STRUCTURE_TYPE_APPLICATION_INFO};
    app.pApplicationName = "zc-compositor";
    app.apiVersion = VK_API_VERSION_1_2;

    std::vector<const char*> layers;
    std::vector<const char*> inst_exts;
    VkDebugUtilsMessengerCreateInfoEXT messenger_info{
        VK_STRUCTURE_TYPE_DEBUG_UTILS_MESSENGER_CREATE_INFO_EXT};
    messenger_info.messageSeverity = VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT |
                                     VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT;
    messenger_info.messageType = VK_DEBUG_UTILS_MESSAGE_TYPE_GENERAL_BIT_EXT |
                                 VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT |
                                 VK_DEBUG_UTILS_MESSAGE_TYPE_PERFORMANCE_BIT_EXT;
    messenger_info.pfnUserCallback = on_debug_message;
    messenger_info.pUserData = &ctx;
    if (options.validation) {
        if (!layer_available("VK_LAYER_KHRONOS_validation")) {
            wlr_log(WLR_ERROR, "vulkan: validation requested but VK_LAYER_KHRONOS_validation "
                               "is not installed (apt install vulkan-validationlayers)");
            return false;
        }
        layers.push_back("VK_LAYER_KHRONOS_validation");
        inst_exts.push_back(VK_EXT_DEBUG_UTILS_EXTENSION_NAME);
    }

    VkInstanceCreateInfo ici{VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO};
    ici.pApplicationInfo = &app;
    ici.enabledLayerCount = static_cast<uint32_t>(layers.size());
    ici.ppEnabledLayerNames = layers.data();
    ici.enabledExtensionCount = static_cast<uint32_t>(inst_exts.size());
    ici.ppEnabledExtensionNames = inst_exts.data();
    if (options.validation)
        ici.pNext = &messenger_info; // also catch errors in vkCreateInstance itself
    VkResult res = vkCreateInstance(&ici, nullptr, &ctx.instance);
    if (res != VK_SUCCESS) {
        wlr_log(WLR_ERROR, "vulkan: vkCreateInstance failed: %s", vk_result_name(res));
        return false;
    }
    if (options.validation) {
        auto create_messenger = reinterpret_cast<PFN_vkCreateDebugUtilsMessengerEXT>(
            vkGetInstanceProcAddr(ctx.instance, "vkCreateDebugUtilsMessengerEXT"));
        if (!create_messenger || create_messenger(ctx.instance, &messenger_info, nullptr,
                                                  &ctx.messenger) != VK_SUCCESS) {
            wlr_log(WLR_ERROR, "vulkan: cannot create the debug-utils messenger");
            return false;
        }
    }

    uint32_t n = 0;
    vkEnumeratePhysicalDevices(ctx.instance, &n, nullptr);
    std::vector<VkPhysicalDevice> devices(n);
    vkEnumeratePhysicalDevices(ctx.instance, &n, devices.data());
    for (VkPhysicalDevice pd : devices) {
        VkPhysicalDeviceProperties p;
        vkGetPhysicalDeviceProperties(pd, &p);
        if (p.apiVersion < VK_API_VERSION_1_2)
            continue;
        if (!options.device_name.empty() && !std::strstr(p.deviceName, options.device_name.c_str()))
            continue;
        ctx.physical = pd;
        ctx.props = p;
        break;
    }
    if (!ctx.physical) {
        wlr_log(WLR_ERROR, "vulkan: no Vulkan 1.2 device%s%s",
                options.device_name.empty() ? "" : " matching ", options.device_name.c_str());
        return false;
    }
    vkGetPhysicalDeviceMemoryProperties(ctx.physical, &ctx.mem_props);

    VkPhysicalDeviceDriverProperties driver{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_DRIVER_PROPERTIES};
    VkPhysicalDeviceExternalMemoryHostPropertiesEXT host_props{
        VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_EXTERNAL_MEMORY_HOST_PROPERTIES_EXT};
    driver.pNext = &host_props;
    VkPhysicalDeviceProperties2 props2{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2};
    props2.pNext = &driver;

    vkEnumerateDeviceExtensionProperties(ctx.physical, nullptr, &n, nullptr);
    std::vector<VkExtensionProperties> exts(n);
    vkEnumerateDeviceExtensionProperties(ctx.physical, nullptr, &n, exts.data());
    std::vector<const char*> dev_exts;
    auto want = [&](const char* name) {
        if (!has_extension(exts, name))
            return false;
        dev_exts.push_back(name);
        return true;
    };
    bool fd_ext = want(VK_KHR_EXTERNAL_MEMORY_FD_EXTENSION_NAME);
    ctx.has_dmabuf = fd_ext && want(VK_EXT_EXTERNAL_MEMORY_DMA_BUF_EXTENSION_NAME);
    // The modifier extension only matters together with dma_buf import.
    ctx.has_modifiers = ctx.has_dmabuf && want(VK_EXT_IMAGE_DRM_FORMAT_MODIFIER_EXTENSION_NAME);
    ctx.has_host_import = want(VK_EXT_EXTERNAL_MEMORY_HOST_EXTENSION_NAME);
    ctx.has_foreign_queue = ctx.has_dmabuf && want(VK_EXT_QUEUE_FAMILY_FOREIGN_EXTENSION_NAME);
    bool calibrated_ext = want(VK_EXT_CALIBRATED_TIMESTAMPS_EXTENSION_NAME);
    vkGetPhysicalDeviceProperties2(ctx.physical, &props2);
    ctx.driver_name = driver.driverName;
    ctx.host_pointer_alignment = host_props.minImportedHostPointerAlignment;

    vkGetPhysicalDeviceQueueFamilyProperties(ctx.physical, &n, nullptr);
    std::vector<VkQueueFamilyProperties> families(n);
    vkGetPhysicalDeviceQueueFamilyProperties(ctx.physical, &n, families.data());
    ctx.queue_family = UINT32_MAX;
    for (uint32_t i = 0; i < n; ++i)
        if (families[i].queueFlags & VK_QUEUE_GRAPHICS_BIT) {
            ctx.queue_family = i;
            break;
        }
    if (ctx.queue_family == UINT32_MAX) {
        wlr_log(WLR_ERROR, "vulkan: device %s has no graphics queue", ctx.props.deviceName);
        return false;
    }
    uint32_t valid_bits = families[ctx.queue_family].timestampValidBits;
    ctx.timestamps = valid_bits > 0;
    ctx.timestamp_mask = valid_bits >= 64 ? ~uint64_t{0} : ((uint64_t{1} << valid_bits) - 1);

    float prio = 1.0f;
    VkDeviceQueueCreateInfo qci{VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO};
    qci.queueFamilyIndex = ctx.queue_family;
    qci.queueCount = 1;
    qci.pQueuePriorities = &prio;
    VkDeviceCreateInfo dci{VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO};
    dci.queueCreateInfoCount = 1;
    dci.pQueueCreateInfos = &qci;
    dci.enabledExtensionCount = static_cast<uint32_t>(dev_exts.size());
    dci.ppEnabledExtensionNames = dev_exts.data();
    res = vkCreateDevice(ctx.physical, &dci, nullptr, &ctx.device);
    if (res != VK_SUCCESS) {
        wlr_log(WLR_ERROR, "vulkan: vkCreateDevice failed: %s", vk_result_name(res));
        return false;
    }
    vkGetDeviceQueue(ctx.device, ctx.queue_family, 0, &ctx.queue);

    if (fd_ext)
        ctx.get_memory_fd_properties = reinterpret_cast<PFN_vkGetMemoryFdPropertiesKHR>(
            vkGetDeviceProcAddr(ctx.device, "vkGetMemoryFdPropertiesKHR"));
    if (ctx.has_host_import)
        ctx.get_host_pointer_properties = reinterpret_cast<PFN_vkGetMemoryHostPointerPropertiesEXT>(
            vkGetDeviceProcAddr(ctx.device, "vkGetMemoryHostPointerPropertiesEXT"));
    ctx.has_dmabuf = ctx.has_dmabuf && ctx.get_memory_fd_properties;
    ctx.has_host_import =
        ctx.has_host_import && ctx.get_host_pointer_properties && ctx.host_pointer_alignment > 0;
    if (calibrated_ext) {
        auto get_domains = reinterpret_cast<PFN_vkGetPhysicalDeviceCalibrateableTimeDomainsEXT>(
            vkGetInstanceProcAddr(ctx.instance, "vkGetPhysicalDeviceCalibrateableTimeDomainsEXT"));
        ctx.get_calibrated_timestamps = reinterpret_cast<PFN_vkGetCalibratedTimestampsEXT>(
            vkGetDeviceProcAddr(ctx.device, "vkGetCalibratedTimestampsEXT"));
        if (get_domains && ctx.get_calibrated_timestamps) {
            get_domains(ctx.physical, &n, nullptr);
            std::vector<VkTimeDomainEXT> domains(n);
            get_domains(ctx.physical, &n, domains.data());
            bool dev = false, mono = false;
            for (auto d : domains) {
                dev |= d == VK_TIME_DOMAIN_DEVICE_EXT;
                mono |= d == VK_TIME_DOMAIN_CLOCK_MONOTONIC_EXT;
            }
            ctx.has_calibrated = dev && mono;
        }
    }
    wlr_log(WLR_INFO,
            "vulkan: %s (%s), api %u.%u.%u, dmabuf import %s, modifiers %s, host import %s "
            "(alignment %llu), calibrated timestamps %s",
            ctx.props.deviceName, ctx.driver_name.c_str(),
            VK_API_VERSION_MAJOR(ctx.props.apiVersion), VK_API_VERSION_MINOR(ctx.props.apiVersion),
            VK_API_VERSION_PATCH(ctx.props.apiVersion), ctx.has_dmabuf ? "yes" : "no",
            ctx.has_modifiers ? "yes" : "no", ctx.has_host_import ? "yes" : "no",
            static_cast<unsigned long long>(ctx.host_pointer_alignment),
            ctx.has_calibrated ? "yes" : "no");
    return true;
}

void destroy_device_context(VkDeviceContext& ctx) {
    if (ctx.device) {
        vkDeviceWaitIdle(ctx.device);
        vkDestroyDevice(ctx.device, nullptr);
        ctx.device = VK_NULL_HANDLE;
    }
    if (ctx.messenger) {
        auto destroy_messenger = reinterpret_cast<PFN_vkDestroyDebugUtilsMessengerEXT>(
            vkGetInstanceProcAddr(ctx.instance, "vkDestroyDebugUtilsMessengerEXT"));
        if (destroy_messenger)
            destroy_messenger(ctx.instance, ctx.messenger, nullptr);
        ctx.messenger = VK_NULL_HANDLE;
    }
    if (ctx.instance) {
        vkDestroyInstance(ctx.instance, nullptr);
        ctx.instance = VK_NULL_HANDLE;
    }
}

} // namespace zcd::render
