// Shared by every pipeline: one push-constant block (96 bytes, well under the
// 128 bytes Vulkan guarantees).  renderer/pipelines.hpp mirrors it.
layout(push_constant) uniform PushConstants {
    vec4 mat_row0;        // xyz: first row of the pixel->NDC * wlroots matrix
    vec4 mat_row1;        // xyz: second row
    vec4 uv_offset_scale; // uv = offset + unit * scale (normalised texture coords)
    vec4 color;           // solid quads: premultiplied colour
    vec4 params;          // x: alpha, y: 1 = opaque format (ignore alpha channel),
                          // z: 1 = bytes are B,G,R,A (ARGB8888/XRGB8888 in memory)
    uvec4 buffer_layout;  // buffer textures: x word offset, y stride in words, z width, w height
} pc;
