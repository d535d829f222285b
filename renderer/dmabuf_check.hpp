// Validation of client dmabuf attributes before anything is handed to the
// driver.  Pure: takes the attributes and the fd's size, returns the
// fallback reason to record (None = looks importable).
#pragma once

#include <cstdint>
#include <string>

#include "common/import_path.hpp"

namespace zcd::render {

struct DmabufPlaneDesc {
    int64_t fd_size = -1; // lseek(fd, 0, SEEK_END); -1 = not a valid fd
    uint32_t offset = 0;
    uint32_t stride = 0;
};

struct DmabufDesc {
    uint32_t width = 0, height = 0;
    uint32_t drm_format = 0;
    uint64_t modifier = 0;
    int n_planes = 0;
    DmabufPlaneDesc planes[4];
};

struct DmabufVerdict {
    FallbackReason reason = FallbackReason::None;
    std::string detail; // one line for the log, "" when importable
};

// can_import_modifiers: the device has VK_EXT_image_drm_format_modifier.
DmabufVerdict check_dmabuf(const DmabufDesc& desc, bool can_import_modifiers);

// Bytes a linear single-plane image occupies from its offset.
uint64_t linear_extent_bytes(uint32_t stride, uint32_t width, uint32_t height,
                             uint32_t bytes_per_pixel);

} // namespace zcd::render
