#include "interconnect_client/vfio_dmabuf.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <utility>

#include "interconnect_client/vfio_uapi.hpp"

namespace zcd {

namespace fs = std::filesystem;

namespace {

std::string link_basename(const fs::path& p) {
    std::error_code ec;
    fs::path target = fs::read_symlink(p, ec);
    return ec ? std::string() : target.filename().string();
}

bool fail(std::string* error, std::string what) {
    if (error)
        *error = std::move(what);
    return false;
}

std::string errno_text() {
    return std::strerror(errno);
}

bool parse_u64(const std::string& s, uint64_t* v) {
    if (s.empty() || s[0] == '-' || s[0] == '+' || s[0] == ' ')
        return false;
    errno = 0;
    char* end = nullptr;
    unsigned long long x = std::strtoull(s.c_str(), &end, 0);
    if (errno != 0 || end != s.c_str() + s.size())
        return false;
    *v = x;
    return true;
}

} // namespace

VfioDevice::VfioDevice(VfioDevice&& o) noexcept {
    *this = std::move(o);
}

VfioDevice& VfioDevice::operator=(VfioDevice&& o) noexcept {
    if (this != &o) {
        reset();
        container_fd_ = std::exchange(o.container_fd_, -1);
        group_fd_ = std::exchange(o.group_fd_, -1);
        iommufd_ = std::exchange(o.iommufd_, -1);
        device_fd_ = std::exchange(o.device_fd_, -1);
        how_ = std::move(o.how_);
    }
    return *this;
}

VfioDevice::~VfioDevice() {
    reset();
}

void VfioDevice::reset() {
    // The device fd goes first: it holds the group and container busy.
    for (int* fd : {&device_fd_, &group_fd_, &container_fd_, &iommufd_})
        if (*fd >= 0) {
            ::close(*fd);
            *fd = -1;
        }
}

bool VfioDevice::open(const std::string& addr, const VfioPaths& paths, VfioDevice* out,
                      std::string* error) {
    const fs::path devdir = fs::path(paths.sysfs) / "bus/pci/devices" / addr;
    std::error_code ec;
    if (addr.empty() || addr.find('/') != std::string::npos || !fs::exists(devdir, ec))
        return fail(error, "PCI device '" + addr + "' not found (no " + devdir.string() + ")");
    const std::string driver = link_basename(devdir / "driver");
    if (driver.empty())
        return fail(error, addr + " is bound to no driver; bind it to vfio-pci first");
    if (driver != "vfio-pci")
        return fail(error, addr + " is bound to " + driver + ", not vfio-pci");

    VfioDevice d;
    const std::string group = link_basename(devdir / "iommu_group");
    const fs::path vfio_dir = fs::path(paths.dev) / "vfio";
    fs::path group_node;
    bool noiommu = false;
    if (!group.empty()) {
        if (fs::exists(vfio_dir / group, ec)) {
            group_node = vfio_dir / group;
        } else if (fs::exists(vfio_dir / ("noiommu-" + group), ec)) {
            group_node = vfio_dir / ("noiommu-" + group);
            noiommu = true;
        }
    }
    if (!group_node.empty()) {
        d.container_fd_ = ::open((vfio_dir / "vfio").c_str(), O_RDWR | O_CLOEXEC);
        if (d.container_fd_ < 0)
            return fail(error, "cannot open " + (vfio_dir / "vfio").string() + ": " + errno_text());
        d.group_fd_ = ::open(group_node.c_str(), O_RDWR | O_CLOEXEC);
        if (d.group_fd_ < 0)
            return fail(error, "cannot open " + group_node.string() + ": " + errno_text());
        vfio_group_status status{};
        status.argsz = sizeof status;
        if (ioctl(d.group_fd_, VFIO_GROUP_GET_STATUS, &status) < 0)
            return fail(error,
                        "VFIO_GROUP_GET_STATUS on " + group_node.string() + ": " + errno_text());
        if (!(status.flags & VFIO_GROUP_FLAGS_VIABLE))
            return fail(error, "VFIO group " + group +
                                   " is not viable: bind every device of the group to vfio-pci");
        if (ioctl(d.group_fd_, VFIO_GROUP_SET_CONTAINER, &d.container_fd_) < 0)
            return fail(error, "VFIO_GROUP_SET_CONTAINER: " + errno_text());
        const int types[] = {noiommu ? VFIO_NOIOMMU_IOMMU : VFIO_TYPE1v2_IOMMU, VFIO_TYPE1_IOMMU};
        bool set = false;
        for (int t : types)
            if (ioctl(d.container_fd_, VFIO_SET_IOMMU, t) == 0) {
                set = true;
                break;
            }
        if (!set)
            return fail(error, "VFIO_SET_IOMMU: " + errno_text());
        d.device_fd_ = ioctl(d.group_fd_, VFIO_GROUP_GET_DEVICE_FD, addr.c_str());
        if (d.device_fd_ < 0)
            return fail(error, "VFIO_GROUP_GET_DEVICE_FD " + addr + ": " + errno_text());
        d.how_ = (noiommu ? "noiommu group " : "group ") + group;
        *out = std::move(d);
        return true;
    }

    // No group node: the iommufd character device (/dev/vfio/devices/vfioN).
    std::string cdev;
    for (const auto& e : fs::directory_iterator(devdir / "vfio-dev", ec))
        cdev = e.path().filename().string();
    if (cdev.empty())
        return fail(error, "no VFIO group or cdev for " + addr + " under " + vfio_dir.string() +
                               " (vfio-pci bound but its device node is missing)");
    const fs::path node = vfio_dir / "devices" / cdev;
    d.device_fd_ = ::open(node.c_str(), O_RDWR | O_CLOEXEC);
    if (d.device_fd_ < 0)
        return fail(error, "cannot open " + node.string() + ": " + errno_text());
    d.iommufd_ = ::open((fs::path(paths.dev) / "iommu").c_str(), O_RDWR | O_CLOEXEC);
    vfio_device_bind_iommufd bind{};
    bind.argsz = sizeof bind;
    bind.iommufd = d.iommufd_; // -1 (no /dev/iommu) binds a no-IOMMU device
    if (ioctl(d.device_fd_, VFIO_DEVICE_BIND_IOMMUFD, &bind) < 0)
        return fail(error, "VFIO_DEVICE_BIND_IOMMUFD on " + node.string() + ": " + errno_text());
    d.how_ = "cdev " + cdev;
    *out = std::move(d);
    return true;
}

bool VfioDevice::probe_dmabuf(std::string* error) const {
    vfio_device_feature probe{};
    probe.argsz = sizeof probe;
    probe.flags = VFIO_DEVICE_FEATURE_PROBE | VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_DMA_BUF;
    if (ioctl(device_fd_, VFIO_DEVICE_FEATURE, &probe) == 0)
        return true;
    if (errno == ENOTTY || errno == EINVAL || errno == EOPNOTSUPP)
        return fail(error, "running kernel lacks VFIO_DEVICE_FEATURE_DMA_BUF (vfio-pci dma-buf "
                           "export: Linux 6.19+ or the zcdisplay kernel series)");
    return fail(error, "VFIO_DEVICE_FEATURE probe: " + errno_text());
}

int VfioDevice::export_dmabuf(uint32_t region_index, const std::vector<DmaRange>& ranges,
                              std::string* error) const {
    if (ranges.empty()) {
        fail(error, "no range given");
        return -1;
    }
    const size_t size = sizeof(vfio_device_feature) + sizeof(vfio_device_feature_dma_buf) +
                        ranges.size() * sizeof(vfio_region_dma_range);
    // uint64_t storage keeps the ranges' 64-bit fields aligned.
    std::vector<uint64_t> buf((size + 7) / 8, 0);
    auto* feature = reinterpret_cast<vfio_device_feature*>(buf.data());
    feature->argsz = uint32_t(size);
    feature->flags = VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_DMA_BUF;
    auto* req = reinterpret_cast<vfio_device_feature_dma_buf*>(feature->data);
    req->region_index = region_index;
    req->open_flags = O_RDWR | O_CLOEXEC;
    req->flags = 0;
    req->nr_ranges = uint32_t(ranges.size());
    for (size_t i = 0; i < ranges.size(); ++i) {
        req->dma_ranges[i].offset = ranges[i].offset;
        req->dma_ranges[i].length = ranges[i].length;
    }
    int fd = ioctl(device_fd_, VFIO_DEVICE_FEATURE, buf.data());
    if (fd < 0) {
        fail(error, "VFIO_DEVICE_FEATURE_DMA_BUF (region " + std::to_string(region_index) +
                        "): " + errno_text());
        return -1;
    }
    return fd;
}

bool parse_dma_range(const std::string& text, DmaRange* out, std::string* error) {
    size_t colon = text.find(':');
    DmaRange r;
    if (colon == std::string::npos || !parse_u64(text.substr(0, colon), &r.offset) ||
        !parse_u64(text.substr(colon + 1), &r.length))
        return fail(error, "range '" + text + "' is not OFFSET:LENGTH");
    if (r.length == 0)
        return fail(error, "range '" + text + "' has zero length");
    if (r.offset + r.length < r.offset)
        return fail(error, "range '" + text + "' overflows 64 bits");
    *out = r;
    return true;
}

bool VfioDevice::write_region(uint32_t region_index, uint64_t offset, const void* data, size_t len,
                              std::string* error) const {
    vfio_region_info info{};
    info.argsz = sizeof info;
    info.index = region_index;
    if (ioctl(device_fd_, VFIO_DEVICE_GET_REGION_INFO, &info) < 0) {
        *error = "VFIO_DEVICE_GET_REGION_INFO for region " + std::to_string(region_index) + ": " +
                 std::strerror(errno);
        return false;
    }
    if (offset > info.size || len > info.size - offset) {
        *error = "region " + std::to_string(region_index) + " has " + std::to_string(info.size) +
                 " bytes, too small for " + std::to_string(len) + " at " + std::to_string(offset);
        return false;
    }
    if (!(info.flags & VFIO_REGION_INFO_FLAG_MMAP)) {
        *error = "region " + std::to_string(region_index) + " cannot be mmapped";
        return false;
    }
    long page = sysconf(_SC_PAGESIZE);
    uint64_t start = offset - offset % uint64_t(page);
    size_t map_len = size_t(offset - start) + len;
    void* m = mmap(nullptr, map_len, PROT_READ | PROT_WRITE, MAP_SHARED, device_fd_,
                   off_t(info.offset + start));
    if (m == MAP_FAILED) {
        *error = "mmap of region " + std::to_string(region_index) + ": " + std::strerror(errno);
        return false;
    }
    std::memcpy(static_cast<char*>(m) + (offset - start), data, len);
    munmap(m, map_len);
    return true;
}

} // namespace zcd
