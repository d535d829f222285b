// VFIO uAPI that this machine's installed kernel headers predate.  Layouts
// and numbers are those of upstream include/uapi/linux/vfio.h (dma-buf export
// merged for 6.19, cdev binding since 6.6); the zcdisplay kernel series keeps
// them identical.  Each block is guarded so newer headers win.
#pragma once

#include <linux/types.h>
#include <linux/vfio.h>

#ifndef VFIO_DEVICE_FEATURE_DMA_BUF
#define VFIO_DEVICE_FEATURE_DMA_BUF 11

struct vfio_region_dma_range {
    __u64 offset;
    __u64 length;
};

struct vfio_device_feature_dma_buf {
    __u32 region_index;
    __u32 open_flags;
    __u32 flags; // must be 0
    __u32 nr_ranges;
    struct vfio_region_dma_range dma_ranges[];
};
#endif

#ifndef VFIO_DEVICE_BIND_IOMMUFD
struct vfio_device_bind_iommufd {
    __u32 argsz;
    __u32 flags;
    __s32 iommufd; // -1 for a no-IOMMU device
    __u32 out_devid;
};
#define VFIO_DEVICE_BIND_IOMMUFD _IO(VFIO_TYPE, VFIO_BASE + 18)
#endif
