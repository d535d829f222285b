#version 450
// One unit quad, drawn as a 4-vertex triangle strip with no vertex buffer.
// wlroots hands us a 3x3 row-major matrix mapping the unit square to output
// pixels; the renderer pre-multiplies its projection (pixels -> Vulkan NDC,
// y down) so only two rows matter here.
#include "push_constants.glsl"

layout(location = 0) out vec2 out_uv;

void main() {
    vec2 unit = vec2(float(gl_VertexIndex & 1), float((gl_VertexIndex >> 1) & 1));
    vec3 p = vec3(unit, 1.0);
    gl_Position = vec4(dot(pc.mat_row0.xyz, p), dot(pc.mat_row1.xyz, p), 0.0, 1.0);
    out_uv = pc.uv_offset_scale.xy + unit * pc.uv_offset_scale.zw;
}
