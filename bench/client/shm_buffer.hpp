// A ring of wl_shm buffers for zc-bench-client, in one memfd-backed pool.
#pragma once

#include <cstdint>
#include <vector>

#include <wayland-client.h>

namespace zcd::bench {

struct ShmBuffer {
    wl_buffer* buffer = nullptr;
    uint32_t* pixels = nullptr; // XRGB8888, stride = width * 4
    bool busy = false;          // attached and not yet released by the compositor
};

class ShmBufferRing {
  public:
    // Creates `count` buffers of width x height.  Returns false and prints one
    // line on failure (memfd, ftruncate, mmap).
    bool init(wl_shm* shm, uint32_t width, uint32_t height, int count);
    void finish();
    ~ShmBufferRing() { finish(); }

    ShmBuffer* acquire(); // a buffer the compositor does not hold; may be null
    uint32_t width() const { return width_; }
    uint32_t height() const { return height_; }

  private:
    static void on_release(void* data, wl_buffer* buffer);
    std::vector<ShmBuffer> buffers_;
    void* map_ = nullptr;
    size_t map_size_ = 0;
    uint32_t width_ = 0, height_ = 0;
};

} // namespace zcd::bench
