#version 450
// Samples a VkImage texture (copied shm/dmabuf pixels, or a dmabuf imported
// as a linear image).  Opaque formats get alpha forced to 1 by the image
// view's swizzle, so this shader only applies the wlroots alpha.  The sampler
// is nearest (renderer/pipelines.cpp), as texture_buffer.frag's fetch is.
#include "push_constants.glsl"

layout(set = 0, binding = 0) uniform sampler2D tex;
layout(location = 0) in vec2 in_uv;
layout(location = 0) out vec4 out_color;

void main() {
    // Client buffers are premultiplied (wl_shm/linux-dmabuf convention).
    out_color = texture(tex, in_uv) * pc.params.x;
}
