// Host-side helper for kernel patch 1: open a VFIO PCI device (legacy group,
// no-IOMMU group or iommufd cdev) and ask vfio-pci for a dma-buf of ranges of
// one of its regions (BARs) through VFIO_DEVICE_FEATURE_DMA_BUF.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace zcd {

struct DmaRange {
    uint64_t offset = 0;
    uint64_t length = 0;
};

// Where the helper looks; tests point both at a temporary directory.
struct VfioPaths {
    std::string sysfs = "/sys";
    std::string dev = "/dev";
};

// An open VFIO device: the fds it needs to stay usable.  Movable, closes on
// destruction.
class VfioDevice {
  public:
    VfioDevice() = default;
    VfioDevice(VfioDevice&& o) noexcept;
    VfioDevice& operator=(VfioDevice&& o) noexcept;
    VfioDevice(const VfioDevice&) = delete;
    VfioDevice& operator=(const VfioDevice&) = delete;
    ~VfioDevice();

    int fd() const { return device_fd_; }
    const std::string& how() const { return how_; } // "group 5", "noiommu group 0", "cdev vfio0"

    // Opens `pci_address` (e.g. 0000:01:00.1).  false + one-line *error when
    // the device is missing, not bound to vfio-pci, or cannot be opened.
    static bool open(const std::string& pci_address, const VfioPaths& paths, VfioDevice* out,
                     std::string* error);

    // VFIO_DEVICE_FEATURE_PROBE for the dma-buf feature.  false + *error
    // ("running kernel lacks VFIO_DEVICE_FEATURE_DMA_BUF ...") when absent.
    bool probe_dmabuf(std::string* error) const;

    // Writes `len` bytes at `offset` of region `region_index` through an
    // mmap of the region, as a program drawing into a VF's memory BAR does.
    // false + one-line *error when the region is too small or not mappable.
    bool write_region(uint32_t region_index, uint64_t offset, const void* data, size_t len,
                      std::string* error) const;

    // The dma-buf fd (O_CLOEXEC | O_RDWR), or -1 with *error.
    int export_dmabuf(uint32_t region_index, const std::vector<DmaRange>& ranges,
                      std::string* error) const;

  private:
    void reset();
    int container_fd_ = -1, group_fd_ = -1, iommufd_ = -1, device_fd_ = -1;
    std::string how_;
};

// "OFFSET:LENGTH" with decimal or 0x-hex numbers, length > 0, no overflow.
bool parse_dma_range(const std::string& text, DmaRange* out, std::string* error);

} // namespace zcd
