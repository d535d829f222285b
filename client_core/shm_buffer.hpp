// wl_shm memory: memfds sealed against shrinking (zc-compositor imports only
// such pools without a copy, since their pages cannot vanish under the
// renderer), and a ring of XRGB8888 wl_shm buffers in one pool.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

struct wl_buffer;
struct wl_shm;

namespace zcd::wlc {

// A memfd of `size` bytes, F_SEAL_SHRINK, mapped read-write.
class SealedMemfd {
  public:
    SealedMemfd() = default;
    SealedMemfd(const SealedMemfd&) = delete;
    SealedMemfd& operator=(const SealedMemfd&) = delete;
    ~SealedMemfd();

    // false + one line ("memfd: ...", "seal: ...", "mmap: ...") on failure.
    bool init(const char* name, size_t size, std::string* error);
    int fd() const { return fd_; }
    void* data() const { return map_; }
    size_t size() const { return size_; }
    // Gives the fd to the caller (who closes it) and unmaps the memory
    // unless take_mapping() took it.
    int release();
    // Gives the mapping to the caller (who munmaps size() bytes).
    void* take_mapping() {
        void* m = map_;
        map_ = nullptr;
        return m;
    }

  private:
    int fd_ = -1;
    void* map_ = nullptr;
    size_t size_ = 0;
};

struct ShmBuffer {
    wl_buffer* buffer = nullptr;
    uint32_t* pixels = nullptr; // XRGB8888
    uint32_t stride_px = 0;
    bool busy = false; // attached and not yet released by the compositor
};

struct ShmRingConfig {
    uint32_t width = 0, height = 0;
    uint32_t count = 0;
    const char* name = "zcd-shm";
    // Each buffer starts on a page, so a compositor can host-import each
    // one; off: buffers are packed (what zc-bench-client has always sent).
    bool page_aligned = false;
    // The ring clears `busy` on wl_buffer.release; off when the caller adds
    // its own release listener (a wl_buffer takes only one).
    bool track_release = true;
};

class ShmRing {
  public:
    ShmRing() = default;
    ShmRing(const ShmRing&) = delete;
    ShmRing& operator=(const ShmRing&) = delete;
    ~ShmRing() { finish(); }

    // false + one line on failure.
    bool init(wl_shm* shm, const ShmRingConfig& cfg, std::string* error);
    // Destroys the wl_buffers (before the connection goes) and unmaps.
    void finish();

    ShmBuffer* acquire(); // a buffer the compositor does not hold; may be null
    std::vector<ShmBuffer>& buffers() { return buffers_; }
    uint32_t width() const { return width_; }
    uint32_t height() const { return height_; }

  private:
    std::vector<ShmBuffer> buffers_;
    void* map_ = nullptr;
    size_t map_size_ = 0;
    uint32_t width_ = 0, height_ = 0;
};

} // namespace zcd::wlc
