// Render pass, pipelines and descriptor sets.  One render pass (B8G8R8A8,
// load + store, colour-attachment layout in and out) serves every target and,
// later, the overlay; three pipelines share one push-constant block:
// solid quads, image textures and buffer-sampled (zero-copy) textures.
#include <array>

#include "renderer/vulkan_renderer.hpp"
#include "shaders/quad.vert.spv.hpp"
#include "shaders/solid.frag.spv.hpp"
#include "shaders/texture.frag.spv.hpp"
#include "shaders/texture_buffer.frag.spv.hpp"

namespace zcd::render {

namespace {

constexpr uint32_t kSetsPerPool = 256;

VkShaderModule make_module(VkDevice dev, const uint32_t* words, size_t bytes) {
    VkShaderModuleCreateInfo ci{VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO};
    ci.codeSize = bytes;
    ci.pCode = words;
    VkShaderModule m = VK_NULL_HANDLE;
    vkCreateShaderModule(dev, &ci, nullptr, &m);
    return m;
}

VkPipeline make_pipeline(VulkanRenderer& r, VkPipelineLayout layout, VkShaderModule vert,
                         VkShaderModule frag) {
    std::array<VkPipelineShaderStageCreateInfo, 2> stages{};
    stages[0] = {VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO};
    stages[0].stage = VK_SHADER_STAGE_VERTEX_BIT;
    stages[0].module = vert;
    stages[0].pName = "main";
    stages[1] = {VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO};
    stages[1].stage = VK_SHADER_STAGE_FRAGMENT_BIT;
    stages[1].module = frag;
    stages[1].pName = "main";

    VkPipelineVertexInputStateCreateInfo vertex_input{
        VK_STRUCTURE_TYPE_PIPELINE_VERTEX_INPUT_STATE_CREATE_INFO};
    VkPipelineInputAssemblyStateCreateInfo assembly{
        VK_STRUCTURE_TYPE_PIPELINE_INPUT_ASSEMBLY_STATE_CREATE_INFO};
    assembly.topology = VK_PRIMITIVE_TOPOLOGY_TRIANGLE_STRIP;
    VkPipelineViewportStateCreateInfo viewport{
        VK_STRUCTURE_TYPE_PIPELINE_VIEWPORT_STATE_CREATE_INFO};
    viewport.viewportCount = 1;
    viewport.scissorCount = 1;
    VkPipelineRasterizationStateCreateInfo raster{
        VK_STRUCTURE_TYPE_PIPELINE_RASTERIZATION_STATE_CREATE_INFO};
    raster.polygonMode = VK_POLYGON_MODE_FILL;
    raster.cullMode = VK_CULL_MODE_NONE; // wlroots matrices may flip the quad
    raster.lineWidth = 1.0f;
    VkPipelineMultisampleStateCreateInfo multisample{
        VK_STRUCTURE_TYPE_PIPELINE_MULTISAMPLE_STATE_CREATE_INFO};
    multisample.rasterizationSamples = VK_SAMPLE_COUNT_1_BIT;
    // Premultiplied alpha, as wlroots' GLES2 renderer blends.
    VkPipelineColorBlendAttachmentState blend{};
    blend.blendEnable = VK_TRUE;
    blend.srcColorBlendFactor = VK_BLEND_FACTOR_ONE;
    blend.dstColorBlendFactor = VK_BLEND_FACTOR_ONE_MINUS_SRC_ALPHA;
    blend.colorBlendOp = VK_BLEND_OP_ADD;
    blend.srcAlphaBlendFactor = VK_BLEND_FACTOR_ONE;
    blend.dstAlphaBlendFactor = VK_BLEND_FACTOR_ONE_MINUS_SRC_ALPHA;
    blend.alphaBlendOp = VK_BLEND_OP_ADD;
    blend.colorWriteMask = VK_COLOR_COMPONENT_R_BIT | VK_COLOR_COMPONENT_G_BIT |
                           VK_COLOR_COMPONENT_B_BIT | VK_COLOR_COMPONENT_A_BIT;
    VkPipelineColorBlendStateCreateInfo blend_state{
        VK_STRUCTURE_TYPE_PIPELINE_COLOR_BLEND_STATE_CREATE_INFO};
    blend_state.attachmentCount = 1;
    blend_state.pAttachments = &blend;
    std::array dynamic_states{VK_DYNAMIC_STATE_VIEWPORT, VK_DYNAMIC_STATE_SCISSOR};
    VkPipelineDynamicStateCreateInfo dynamic{VK_STRUCTURE_TYPE_PIPELINE_DYNAMIC_STATE_CREATE_INFO};
    dynamic.dynamicStateCount = dynamic_states.size();
    dynamic.pDynamicStates = dynamic_states.data();

    VkGraphicsPipelineCreateInfo ci{VK_STRUCTURE_TYPE_GRAPHICS_PIPELINE_CREATE_INFO};
    ci.stageCount = stages.size();
    ci.pStages = stages.data();
    ci.pVertexInputState = &vertex_input;
    ci.pInputAssemblyState = &assembly;
    ci.pViewportState = &viewport;
    ci.pRasterizationState = &raster;
    ci.pMultisampleState = &multisample;
    ci.pColorBlendState = &blend_state;
    ci.pDynamicState = &dynamic;
    ci.layout = layout;
    ci.renderPass = r.render_pass;
    VkPipeline p = VK_NULL_HANDLE;
    vkCreateGraphicsPipelines(r.vk.device, VK_NULL_HANDLE, 1, &ci, nullptr, &p);
    return p;
}

VkPipelineLayout make_layout(VkDevice dev, VkDescriptorSetLayout set_layout /* may be null */) {
    VkPushConstantRange range{VK_SHADER_STAGE_VERTEX_BIT | VK_SHADER_STAGE_FRAGMENT_BIT, 0,
                              sizeof(PushConstants)};
    VkPipelineLayoutCreateInfo ci{VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO};
    ci.setLayoutCount = set_layout ? 1 : 0;
    ci.pSetLayouts = &set_layout;
    ci.pushConstantRangeCount = 1;
    ci.pPushConstantRanges = &range;
    VkPipelineLayout l = VK_NULL_HANDLE;
    vkCreatePipelineLayout(dev, &ci, nullptr, &l);
    return l;
}

VkDescriptorSetLayout make_set_layout(VkDevice dev, VkDescriptorType type) {
    VkDescriptorSetLayoutBinding b{};
    b.binding = 0;
    b.descriptorType = type;
    b.descriptorCount = 1;
    b.stageFlags = VK_SHADER_STAGE_FRAGMENT_BIT;
    VkDescriptorSetLayoutCreateInfo ci{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO};
    ci.bindingCount = 1;
    ci.pBindings = &b;
    VkDescriptorSetLayout l = VK_NULL_HANDLE;
    vkCreateDescriptorSetLayout(dev, &ci, nullptr, &l);
    return l;
}

} // namespace

bool create_pipelines(VulkanRenderer& r) {
    VkDevice dev = r.vk.device;
    VkAttachmentDescription color{};
    color.format = VK_FORMAT_B8G8R8A8_UNORM;
    color.samples = VK_SAMPLE_COUNT_1_BIT;
    // wlroots redraws only damaged regions: what is outside must survive.
    color.loadOp = VK_ATTACHMENT_LOAD_OP_LOAD;
    color.storeOp = VK_ATTACHMENT_STORE_OP_STORE;
    color.stencilLoadOp = VK_ATTACHMENT_LOAD_OP_DONT_CARE;
    color.stencilStoreOp = VK_ATTACHMENT_STORE_OP_DONT_CARE;
    color.initialLayout = VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL;
    color.finalLayout = VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL;
    VkAttachmentReference ref{0, VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL};
    VkSubpassDescription subpass{};
    subpass.pipelineBindPoint = VK_PIPELINE_BIND_POINT_GRAPHICS;
    subpass.colorAttachmentCount = 1;
    subpass.pColorAttachments = &ref;
    VkRenderPassCreateInfo rp{VK_STRUCTURE_TYPE_RENDER_PASS_CREATE_INFO};
    rp.attachmentCount = 1;
    rp.pAttachments = &color;
    rp.subpassCount = 1;
    rp.pSubpasses = &subpass;
    if (vkCreateRenderPass(dev, &rp, nullptr, &r.render_pass) != VK_SUCCESS)
        return false;

    r.image_set_layout = make_set_layout(dev, VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER);
    r.buffer_set_layout = make_set_layout(dev, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER);
    r.image_layout = make_layout(dev, r.image_set_layout);
    r.buffer_layout = make_layout(dev, r.buffer_set_layout);
    r.solid_layout = make_layout(dev, VK_NULL_HANDLE);

    // Nearest, like texture_buffer.frag: a client's pixels must look the
    // same whichever path imported them.  Linear filtering blends each texel
    // with its neighbour at output scale 2 (samples fall a quarter texel off
    // centre), so a zero-copy image differed from the same frame copied into
    // a storage buffer.  Clients are shown at integer scales.
    VkSamplerCreateInfo sci{VK_STRUCTURE_TYPE_SAMPLER_CREATE_INFO};
    sci.magFilter = VK_FILTER_NEAREST;
    sci.minFilter = VK_FILTER_NEAREST;
    sci.mipmapMode = VK_SAMPLER_MIPMAP_MODE_NEAREST;
    sci.addressModeU = sci.addressModeV = sci.addressModeW = VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_EDGE;
    sci.maxLod = 0.0f;
    vkCreateSampler(dev, &sci, nullptr, &r.sampler);

    VkShaderModule vert = make_module(dev, shaders::k_quad_vert, sizeof(shaders::k_quad_vert));
    VkShaderModule solid = make_module(dev, shaders::k_solid_frag, sizeof(shaders::k_solid_frag));
    VkShaderModule tex = make_module(dev, shaders::k_texture_frag, sizeof(shaders::k_texture_frag));
    VkShaderModule buf =
        make_module(dev, shaders::k_texture_buffer_frag, sizeof(shaders::k_texture_buffer_frag));
    if (vert && solid && tex && buf && r.image_layout && r.buffer_layout && r.solid_layout) {
        r.solid_pipeline = make_pipeline(r, r.solid_layout, vert, solid);
        r.image_pipeline = make_pipeline(r, r.image_layout, vert, tex);
        r.buffer_pipeline = make_pipeline(r, r.buffer_layout, vert, buf);
    }
    for (VkShaderModule m : {vert, solid, tex, buf})
        if (m)
            vkDestroyShaderModule(dev, m, nullptr);
    return r.solid_pipeline && r.image_pipeline && r.buffer_pipeline && r.sampler;
}

void destroy_pipelines(VulkanRenderer& r) {
    VkDevice dev = r.vk.device;
    for (VkPipeline p : {r.solid_pipeline, r.image_pipeline, r.buffer_pipeline})
        if (p)
            vkDestroyPipeline(dev, p, nullptr);
    for (VkPipelineLayout l : {r.solid_layout, r.image_layout, r.buffer_layout})
        if (l)
            vkDestroyPipelineLayout(dev, l, nullptr);
    for (VkDescriptorSetLayout l : {r.image_set_layout, r.buffer_set_layout})
        if (l)
            vkDestroyDescriptorSetLayout(dev, l, nullptr);
    for (VkDescriptorPool p : r.descriptor_pools)
        vkDestroyDescriptorPool(dev, p, nullptr);
    r.descriptor_pools.clear();
    if (r.sampler)
        vkDestroySampler(dev, r.sampler, nullptr);
    if (r.render_pass)
        vkDestroyRenderPass(dev, r.render_pass, nullptr);
}

bool allocate_descriptor_set(VulkanRenderer& r, VkDescriptorSetLayout layout,
                             VkDescriptorPool* pool, VkDescriptorSet* set) {
    VkDescriptorSetAllocateInfo ai{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO};
    ai.descriptorSetCount = 1;
    ai.pSetLayouts = &layout;
    if (!r.descriptor_pools.empty()) {
        ai.descriptorPool = r.descriptor_pools.back();
        if (vkAllocateDescriptorSets(r.vk.device, &ai, set) == VK_SUCCESS) {
            *pool = ai.descriptorPool;
            return true;
        }
    }
    // The last pool is full (or there is none yet): add one.  Pools are
    // never shrunk; sets are freed back to the pool they came from.
    std::array<VkDescriptorPoolSize, 2> sizes{{
        {VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, kSetsPerPool},
        {VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, kSetsPerPool},
    }};
    VkDescriptorPoolCreateInfo pci{VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO};
    pci.flags = VK_DESCRIPTOR_POOL_CREATE_FREE_DESCRIPTOR_SET_BIT;
    pci.maxSets = kSetsPerPool;
    pci.poolSizeCount = sizes.size();
    pci.pPoolSizes = sizes.data();
    VkDescriptorPool p = VK_NULL_HANDLE;
    if (vkCreateDescriptorPool(r.vk.device, &pci, nullptr, &p) != VK_SUCCESS)
        return false;
    r.descriptor_pools.push_back(p);
    ai.descriptorPool = p;
    if (vkAllocateDescriptorSets(r.vk.device, &ai, set) != VK_SUCCESS)
        return false;
    *pool = p;
    return true;
}

void free_descriptor_set(VulkanRenderer& r, VkDescriptorPool pool, VkDescriptorSet set) {
    if (pool && set)
        vkFreeDescriptorSets(r.vk.device, pool, 1, &set);
}

} // namespace zcd::render
