// The client core's parts that need no compositor: the sealed memfd every
// client's shm pool comes from (zc-compositor imports only pools sealed
// against shrinking without a copy) and the deadline arithmetic of the
// dispatch loop.
#include <gtest/gtest.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "client_core/frame_loop.hpp"
#include "client_core/shm_buffer.hpp"

namespace {

TEST(SealedMemfd, IsSealedAgainstShrinkingAndWritable) {
    zcd::wlc::SealedMemfd mem;
    std::string err;
    ASSERT_TRUE(mem.init("client-core-test", 3 * 4096 + 100, &err)) << err;
    EXPECT_EQ(mem.size(), 3u * 4096 + 100);
    const int seals = fcntl(mem.fd(), F_GET_SEALS);
    EXPECT_TRUE(seals & F_SEAL_SHRINK);
    EXPECT_FALSE(seals & F_SEAL_GROW); // a pool may grow (wl_shm_pool.resize)
    EXPECT_NE(ftruncate(mem.fd(), 4096), 0);
    EXPECT_EQ(errno, EPERM);
    static_cast<unsigned char*>(mem.data())[mem.size() - 1] = 0x5a;
    struct stat st {};
    ASSERT_EQ(fstat(mem.fd(), &st), 0);
    EXPECT_EQ(st.st_size, off_t(3 * 4096 + 100));
}

TEST(SealedMemfd, ReleaseHandsOverTheFdAndKeepsTheContent) {
    zcd::wlc::SealedMemfd mem;
    std::string err;
    ASSERT_TRUE(mem.init("client-core-test", 4096, &err)) << err;
    std::memset(mem.data(), 0x7e, 4096);
    const int fd = mem.release();
    ASSERT_GE(fd, 0);
    EXPECT_EQ(mem.fd(), -1);
    EXPECT_EQ(mem.data(), nullptr);
    unsigned char byte = 0;
    EXPECT_EQ(pread(fd, &byte, 1, 4095), 1);
    EXPECT_EQ(byte, 0x7e);
    close(fd);
}

TEST(FrameLoop, MsUntilIsZeroOncePassed) {
    using clock = std::chrono::steady_clock;
    EXPECT_EQ(zcd::wlc::ms_until(clock::now() - std::chrono::seconds(1)), 0);
    const int left = zcd::wlc::ms_until(clock::now() + std::chrono::seconds(2));
    EXPECT_GT(left, 1900);
    EXPECT_LE(left, 2000);
}

} // namespace
