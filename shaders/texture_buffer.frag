#version 450
// Samples client pixels straight from the memory the client gave us, bound
// as a storage buffer: shm pages imported with VK_EXT_external_memory_host,
// or a dmabuf whose stride/offset a linear VkImage cannot express (Vulkan
// without VK_EXT_image_drm_format_modifier picks the row pitch itself).
// The client's stride comes in as a push constant, so no pixel is copied.
// Nearest filtering: exact at 1:1 scale, which is how clients are shown.
#include "push_constants.glsl"

layout(std430, set = 0, binding = 0) readonly buffer Pixels {
    uint words[];
} pixels;

layout(location = 0) in vec2 in_uv;
layout(location = 0) out vec4 out_color;

void main() {
    uvec2 size = pc.buffer_layout.zw;
    ivec2 texel = clamp(ivec2(floor(in_uv * vec2(size))), ivec2(0), ivec2(size) - 1);
    uint word = pixels.words[pc.buffer_layout.x + uint(texel.y) * pc.buffer_layout.y + uint(texel.x)];
    vec4 c = unpackUnorm4x8(word); // bytes in memory order
    if (pc.params.z > 0.5)
        c = c.bgra;                // B,G,R,A in memory -> r,g,b,a
    if (pc.params.y > 0.5)
        c.a = 1.0;
    out_color = c * pc.params.x;
}
