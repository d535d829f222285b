// zc-vfio-dmabuf's device lookup: what it reports for each missing piece,
// against a fake sysfs and /dev in a temporary directory; range parsing.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "interconnect_client/vfio_dmabuf.hpp"

namespace fs = std::filesystem;

namespace {

class VfioLookup : public ::testing::Test {
  protected:
    void SetUp() override {
        char tmpl[] = "/tmp/zcc-vfio-XXXXXX";
        ASSERT_NE(mkdtemp(tmpl), nullptr);
        root_ = tmpl;
        paths_.sysfs = root_ + "/sys";
        paths_.dev = root_ + "/dev";
        dev_dir_ = paths_.sysfs + "/bus/pci/devices/" + kAddr;
        fs::create_directories(dev_dir_);
        fs::create_directories(paths_.sysfs + "/bus/pci/drivers/vfio-pci");
        fs::create_directories(paths_.sysfs + "/bus/pci/drivers/nvme");
        fs::create_directories(paths_.sysfs + "/kernel/iommu_groups/7");
        fs::create_directories(paths_.dev + "/vfio");
    }
    void TearDown() override { fs::remove_all(root_); }

    std::string open_error(const std::string& addr = kAddr) {
        zcd::VfioDevice d;
        std::string err;
        EXPECT_FALSE(zcd::VfioDevice::open(addr, paths_, &d, &err));
        return err;
    }
    void bind(const char* driver) {
        fs::create_symlink(paths_.sysfs + "/bus/pci/drivers/" + driver, dev_dir_ + "/driver");
    }

    static constexpr const char* kAddr = "0000:01:00.1";
    std::string root_, dev_dir_;
    zcd::VfioPaths paths_;
};

TEST_F(VfioLookup, MissingDevice) {
    EXPECT_EQ(open_error("0000:02:00.0"), "PCI device '0000:02:00.0' not found (no " +
                                              paths_.sysfs + "/bus/pci/devices/0000:02:00.0)");
    EXPECT_NE(open_error("../x").find("not found"), std::string::npos);
}

TEST_F(VfioLookup, UnboundAndWrongDriver) {
    EXPECT_EQ(open_error(), "0000:01:00.1 is bound to no driver; bind it to vfio-pci first");
    bind("nvme");
    EXPECT_EQ(open_error(), "0000:01:00.1 is bound to nvme, not vfio-pci");
}

TEST_F(VfioLookup, NoGroupOrCdevNode) {
    bind("vfio-pci");
    fs::create_symlink(paths_.sysfs + "/kernel/iommu_groups/7", dev_dir_ + "/iommu_group");
    EXPECT_NE(
        open_error().find("no VFIO group or cdev for 0000:01:00.1 under " + paths_.dev + "/vfio"),
        std::string::npos);
}

TEST_F(VfioLookup, GroupNodeThatIsNotVfio) {
    bind("vfio-pci");
    fs::create_symlink(paths_.sysfs + "/kernel/iommu_groups/7", dev_dir_ + "/iommu_group");
    // The no-IOMMU group node exists but the container does not.
    std::ofstream(paths_.dev + "/vfio/noiommu-7") << "";
    EXPECT_NE(open_error().find("cannot open " + paths_.dev + "/vfio/vfio"), std::string::npos);
}

TEST(VfioRange, Parses) {
    zcd::DmaRange r;
    std::string err;
    ASSERT_TRUE(zcd::parse_dma_range("0x1000:4096", &r, &err)) << err;
    EXPECT_EQ(r.offset, 0x1000u);
    EXPECT_EQ(r.length, 4096u);
    for (const char* bad : {"", "1000", ":5", "5:", "1:0", "-1:5", "0x:5", "1:2:3",
                            "0xffffffffffffffff:2", "1:99999999999999999999"})
        EXPECT_FALSE(zcd::parse_dma_range(bad, &r, &err)) << bad;
}

} // namespace
