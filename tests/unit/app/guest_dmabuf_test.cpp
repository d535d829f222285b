// The output buffers' fallback rules and the guest dma-buf steps that can
// run without a KMS device or /dev/udmabuf (the build machines have
// neither; the emulated VM runs the rest: vm/emulated, compositor.*).
#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "app/guest_dmabuf.hpp"

namespace zcd::app {
namespace {

int open_fds() {
    int n = 0;
    DIR* d = opendir("/proc/self/fd");
    while (d && readdir(d))
        ++n;
    if (d)
        closedir(d);
    return n;
}

OutputBuffersProbe all_passing() {
    OutputBuffersProbe p;
    p.kms = p.virtio_gpu = p.udmabuf_opened = p.udmabuf_created = p.display_imported = true;
    return p;
}

TEST(GuestDmabuf, EveryStepPassingMeansGuestDmabufs) {
    EXPECT_EQ(output_buffers_fallback(all_passing()), OutputBuffersFallback::None);
}

TEST(GuestDmabuf, TheFirstFailingStepIsTheReason) {
    OutputBuffersProbe p = all_passing();
    p.display_imported = false;
    EXPECT_EQ(output_buffers_fallback(p), OutputBuffersFallback::ImportFailed);
    p.udmabuf_created = false;
    EXPECT_EQ(output_buffers_fallback(p), OutputBuffersFallback::UdmabufFailed);
    p.udmabuf_opened = false;
    EXPECT_EQ(output_buffers_fallback(p), OutputBuffersFallback::NoUdmabuf);
    p.virtio_gpu = false;
    EXPECT_EQ(output_buffers_fallback(p), OutputBuffersFallback::NotVirtioGpu);
    p.kms = false;
    EXPECT_EQ(output_buffers_fallback(p), OutputBuffersFallback::NotKms);
    // --output-buffers wlroots wins over everything the probe would find.
    OutputBuffersProbe off = all_passing();
    off.disabled = true;
    EXPECT_EQ(output_buffers_fallback(off), OutputBuffersFallback::Disabled);
}

TEST(GuestDmabuf, ReasonNamesAreDistinct) {
    for (int i = 0; i < kOutputBuffersFallbackCount; ++i)
        for (int j = i + 1; j < kOutputBuffersFallbackCount; ++j)
            EXPECT_NE(to_string(static_cast<OutputBuffersFallback>(i)),
                      to_string(static_cast<OutputBuffersFallback>(j)));
    EXPECT_EQ(to_string(OutputBuffersFallback::NoUdmabuf), "no_udmabuf");
    EXPECT_EQ(to_string(OutputBuffersFallback::ImportFailed), "import_failed");
}

// A device that is not udmabuf refuses UDMABUF_CREATE: one line saying so,
// and nothing of the half-made buffer left open.
TEST(GuestDmabuf, CreateOnANonUdmabufDeviceFailsCleanly) {
    const int fake = open("/dev/null", O_RDWR | O_CLOEXEC);
    ASSERT_GE(fake, 0);
    const int before = open_fds();
    GuestDmabuf b;
    std::string error;
    EXPECT_FALSE(guest_dmabuf_create(fake, 4096, &b, &error));
    EXPECT_EQ(error.rfind("UDMABUF_CREATE: ", 0), 0u) << error;
    EXPECT_EQ(b.memfd, -1);
    EXPECT_EQ(b.dmabuf, -1);
    EXPECT_EQ(b.map, nullptr);
    EXPECT_EQ(open_fds(), before);
    close(fake);
}

TEST(GuestDmabuf, FinishingAnEmptyBufferIsANoOp) {
    GuestDmabuf b;
    guest_dmabuf_finish(&b);
    EXPECT_EQ(b.memfd, -1);
}

// No DRM fd (headless, nested) or one that is not KMS: wlroots' allocator,
// as before, and no udmabuf fd is kept.
TEST(GuestDmabuf, ProbeWithoutKmsFallsBackWithoutOpeningUdmabuf) {
    int fd = 123;
    std::string detail = "stale";
    EXPECT_EQ(probe_guest_dmabuf_display(-1, false, "/nonexistent/udmabuf", &fd, &detail),
              OutputBuffersFallback::NotKms);
    EXPECT_EQ(fd, -1);
    EXPECT_EQ(detail, "not_kms");
    const int not_drm = open("/dev/null", O_RDWR | O_CLOEXEC);
    ASSERT_GE(not_drm, 0);
    EXPECT_EQ(probe_guest_dmabuf_display(not_drm, false, "/nonexistent/udmabuf", &fd, &detail),
              OutputBuffersFallback::NotKms);
    EXPECT_EQ(fd, -1);
    close(not_drm);
}

TEST(GuestDmabuf, ProbeTurnedOffSaysDisabled) {
    int fd = 0;
    std::string detail;
    EXPECT_EQ(probe_guest_dmabuf_display(-1, true, "/dev/udmabuf", &fd, &detail),
              OutputBuffersFallback::Disabled);
    EXPECT_EQ(fd, -1);
}

} // namespace
} // namespace zcd::app
