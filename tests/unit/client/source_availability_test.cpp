// What each buffer source reports when its device or the compositor's offer
// is missing.  Device paths point into a temporary directory, so the result
// does not depend on this machine's /dev.
#include <gtest/gtest.h>

#include <cstdlib>
#include <drm_fourcc.h>
#include <filesystem>
#include <fstream>
#include <sys/stat.h>
#include <unistd.h>

#include "interconnect_client/sources/buffer_source.hpp"

namespace fs = std::filesystem;

namespace {

class SourceAvailability : public ::testing::Test {
  protected:
    void SetUp() override {
        char tmpl[] = "/tmp/zcc-dev-XXXXXX";
        ASSERT_NE(mkdtemp(tmpl), nullptr);
        root_ = tmpl;
        cfg_.width = 128;
        cfg_.height = 64;
        cfg_.dev_root = root_;
    }
    void TearDown() override { fs::remove_all(root_); }

    // Opaque non-null stand-ins: the makers only test them for presence and
    // never call into Wayland before allocate().
    static wl_shm* fake_shm() { return reinterpret_cast<wl_shm*>(&fake_); }
    static zwp_linux_dmabuf_v1* fake_dmabuf() {
        return reinterpret_cast<zwp_linux_dmabuf_v1*>(&fake_);
    }

    std::string root_;
    zcd::SourceConfig cfg_;
    static inline int fake_ = 0;
};

TEST_F(SourceAvailability, UdmabufMissingDevice) {
    std::string why;
    EXPECT_EQ(zcd::make_udmabuf_source(cfg_, {}, &why), nullptr);
    EXPECT_EQ(why, "udmabuf: " + root_ + "/udmabuf not present");
}

TEST_F(SourceAvailability, UdmabufRegularFileIsNotADevice) {
    std::ofstream(root_ + "/udmabuf") << "x";
    std::string why;
    EXPECT_EQ(zcd::make_udmabuf_source(cfg_, {}, &why), nullptr);
    EXPECT_EQ(why, "udmabuf: " + root_ + "/udmabuf is not a character device");
}

TEST_F(SourceAvailability, UdmabufNeedsTheCompositorsDmabufOffer) {
    // Any character device passes the device check; /dev/null is one.
    fs::create_symlink("/dev/null", root_ + "/udmabuf");
    std::string why;
    zcd::CompositorOffer offer;
    EXPECT_EQ(zcd::make_udmabuf_source(cfg_, offer, &why), nullptr);
    EXPECT_EQ(why, "udmabuf: compositor does not offer zwp_linux_dmabuf_v1");

    offer.dmabuf = fake_dmabuf();
    offer.dmabuf_formats = {{DRM_FORMAT_ARGB8888, DRM_FORMAT_MOD_LINEAR}};
    EXPECT_EQ(zcd::make_udmabuf_source(cfg_, offer, &why), nullptr);
    EXPECT_NE(why.find("udmabuf: compositor does not advertise XR24 with modifier 0x0"),
              std::string::npos)
        << why;

    offer.dmabuf_formats.push_back({DRM_FORMAT_XRGB8888, DRM_FORMAT_MOD_INVALID});
    auto src = zcd::make_udmabuf_source(cfg_, offer, &why);
    ASSERT_NE(src, nullptr) << why;
    EXPECT_STREQ(src->name(), "udmabuf");
    EXPECT_TRUE(src->is_dmabuf());
    EXPECT_EQ(src->modifier(), DRM_FORMAT_MOD_INVALID); // implicit is all that was offered

    offer.dmabuf_formats.push_back({DRM_FORMAT_XRGB8888, DRM_FORMAT_MOD_LINEAR});
    src = zcd::make_udmabuf_source(cfg_, offer, &why);
    ASSERT_NE(src, nullptr) << why;
    EXPECT_EQ(src->modifier(), DRM_FORMAT_MOD_LINEAR);
}

TEST_F(SourceAvailability, GbmWithoutRenderNodes) {
    std::string why;
    EXPECT_EQ(zcd::make_gbm_source(cfg_, {}, &why), nullptr);
    EXPECT_EQ(why, "gbm: no render node under " + root_ + "/dri");
    fs::create_directory(root_ + "/dri");
    std::ofstream(root_ + "/dri/card0") << "";
    EXPECT_EQ(zcd::make_gbm_source(cfg_, {}, &why), nullptr);
    EXPECT_EQ(why, "gbm: no render node under " + root_ + "/dri");
}

TEST_F(SourceAvailability, GbmMainDeviceThatIsNotDrmFallsBackToScanning) {
    // linux-dmabuf v4 named a main device that is no DRM device (/dev/null).
    struct stat st {};
    ASSERT_EQ(stat("/dev/null", &st), 0);
    zcd::CompositorOffer offer;
    offer.main_device = st.st_rdev;
    std::string why;
    EXPECT_EQ(zcd::make_gbm_source(cfg_, offer, &why), nullptr);
    EXPECT_EQ(why, "gbm: no render node under " + root_ + "/dri");
}

TEST_F(SourceAvailability, GbmExplicitDevice) {
    std::string why;
    cfg_.gbm_device = root_ + "/renderD200";
    EXPECT_EQ(zcd::make_gbm_source(cfg_, {}, &why), nullptr);
    EXPECT_EQ(why, "gbm: " + root_ + "/renderD200 not present");
    std::ofstream(cfg_.gbm_device) << "";
    EXPECT_EQ(zcd::make_gbm_source(cfg_, {}, &why), nullptr);
    EXPECT_EQ(why, "gbm: " + root_ + "/renderD200 is not a device node");
}

TEST_F(SourceAvailability, GbmFoundNodeThatIsNotDrm) {
    // A render node name that is no DRM device: found, but refused.
    fs::create_directory(root_ + "/dri");
    fs::create_symlink("/dev/null", root_ + "/dri/renderD128");
    std::string why;
    EXPECT_EQ(zcd::make_gbm_source(cfg_, {}, &why), nullptr);
    EXPECT_EQ(why.rfind("gbm: ", 0), 0u) << why;
    EXPECT_NE(why.find(root_ + "/dri/renderD128"), std::string::npos) << why;
}

TEST_F(SourceAvailability, VulkanWithoutDriver) {
    // Point the loader at a driver manifest that does not exist.
    const std::string none = root_ + "/no-icd.json";
    setenv("VK_DRIVER_FILES", none.c_str(), 1);
    setenv("VK_ICD_FILENAMES", none.c_str(), 1);
    std::string why;
    EXPECT_EQ(zcd::make_vulkan_source(cfg_, {}, &why), nullptr);
    unsetenv("VK_DRIVER_FILES");
    unsetenv("VK_ICD_FILENAMES");
    EXPECT_TRUE(why == "vulkan: no Vulkan device" || why.rfind("vulkan: no Vulkan driver", 0) == 0)
        << why;
}

TEST_F(SourceAvailability, ShmNeedsWlShm) {
    std::string why;
    EXPECT_EQ(zcd::make_shm_source(cfg_, {}, &why), nullptr);
    EXPECT_EQ(why, "shm: compositor does not offer wl_shm");
    zcd::CompositorOffer offer;
    offer.shm = fake_shm();
    auto src = zcd::make_shm_source(cfg_, offer, &why);
    ASSERT_NE(src, nullptr);
    EXPECT_FALSE(src->is_dmabuf());
}

TEST_F(SourceAvailability, AutoFallsBackToShmAndSaysWhyInOrder) {
    setenv("VK_DRIVER_FILES", (root_ + "/no-icd.json").c_str(), 1);
    zcd::CompositorOffer offer;
    offer.shm = fake_shm();
    auto choice = zcd::choose_source("auto", cfg_, offer);
    unsetenv("VK_DRIVER_FILES");
    ASSERT_NE(choice.source, nullptr);
    EXPECT_STREQ(choice.source->name(), "shm");
    ASSERT_EQ(choice.rejected.size(), 3u);
    EXPECT_EQ(choice.rejected[0].rfind("gbm: ", 0), 0u);
    EXPECT_EQ(choice.rejected[1].rfind("vulkan: ", 0), 0u);
    EXPECT_EQ(choice.rejected[2], "udmabuf: " + root_ + "/udmabuf not present");
}

TEST_F(SourceAvailability, ExplicitUnavailableSourceGivesItsReasonOnly) {
    auto choice = zcd::choose_source("udmabuf", cfg_, {});
    EXPECT_EQ(choice.source, nullptr);
    ASSERT_EQ(choice.rejected.size(), 1u);
    EXPECT_EQ(choice.rejected[0], "udmabuf: " + root_ + "/udmabuf not present");
    choice = zcd::choose_source("auto", cfg_, {}); // nothing at all offered
    EXPECT_EQ(choice.source, nullptr);
    EXPECT_EQ(choice.rejected.size(), 4u);
}

} // namespace
