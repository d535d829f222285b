#include "app/guest_dmabuf.hpp"

#include <fcntl.h>
#include <linux/udmabuf.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

#include <cerrno>
#include <cstring>

namespace zcd::app {

OutputBuffersFallback output_buffers_fallback(const OutputBuffersProbe& p) {
    if (p.disabled)
        return OutputBuffersFallback::Disabled;
    if (!p.kms)
        return OutputBuffersFallback::NotKms;
    if (!p.virtio_gpu)
        return OutputBuffersFallback::NotVirtioGpu;
    if (!p.udmabuf_opened)
        return OutputBuffersFallback::NoUdmabuf;
    if (!p.udmabuf_created)
        return OutputBuffersFallback::UdmabufFailed;
    if (!p.display_imported)
        return OutputBuffersFallback::ImportFailed;
    return OutputBuffersFallback::None;
}

bool guest_dmabuf_create(int udmabuf_fd, size_t size, GuestDmabuf* out, std::string* error) {
    GuestDmabuf b;
    const auto page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    b.size = (size + page - 1) / page * page;
    auto fail = [&](const char* what) {
        *error = std::string(what) + ": " + std::strerror(errno);
        guest_dmabuf_finish(&b);
        return false;
    };
    b.memfd = memfd_create("zcd-output-buffer", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (b.memfd < 0)
        return fail("memfd_create");
    if (ftruncate(b.memfd, static_cast<off_t>(b.size)) != 0)
        return fail("ftruncate of the memfd");
    // udmabuf requires it: the pages it pins cannot be cut away under the
    // display (and it refuses F_SEAL_WRITE: we render into them).
    if (fcntl(b.memfd, F_ADD_SEALS, F_SEAL_SHRINK) != 0)
        return fail("sealing the memfd against shrinking");
    udmabuf_create create{};
    create.memfd = static_cast<uint32_t>(b.memfd);
    create.flags = UDMABUF_FLAGS_CLOEXEC;
    create.offset = 0;
    create.size = b.size;
    b.dmabuf = ioctl(udmabuf_fd, UDMABUF_CREATE, &create);
    if (b.dmabuf < 0)
        return fail("UDMABUF_CREATE");
    // The renderer writes through the memfd's mapping: the same pages.
    void* map = mmap(nullptr, b.size, PROT_READ | PROT_WRITE, MAP_SHARED, b.memfd, 0);
    if (map == MAP_FAILED)
        return fail("mmap of the memfd");
    b.map = map;
    *out = b;
    return true;
}

void guest_dmabuf_finish(GuestDmabuf* b) {
    if (b->map)
        munmap(b->map, b->size);
    if (b->dmabuf >= 0)
        close(b->dmabuf);
    if (b->memfd >= 0)
        close(b->memfd);
    *b = GuestDmabuf{};
}

namespace {

bool is_virtio_gpu(int drm_fd) {
    drmVersionPtr v = drmGetVersion(drm_fd);
    if (!v)
        return false;
    const bool yes = v->name && std::strcmp(v->name, "virtio_gpu") == 0;
    drmFreeVersion(v);
    return yes;
}

} // namespace

OutputBuffersFallback probe_guest_dmabuf_display(int drm_fd, bool disabled,
                                                 const std::string& udmabuf_path, int* udmabuf_fd,
                                                 std::string* detail) {
    *udmabuf_fd = -1;
    detail->clear();
    OutputBuffersProbe p;
    p.disabled = disabled;
    p.kms = !disabled && drm_fd >= 0 && drmIsKMS(drm_fd);
    p.virtio_gpu = p.kms && is_virtio_gpu(drm_fd);
    int fd = -1;
    if (p.virtio_gpu) {
        fd = open(udmabuf_path.c_str(), O_RDWR | O_CLOEXEC);
        p.udmabuf_opened = fd >= 0;
        if (!p.udmabuf_opened)
            *detail = udmabuf_path + ": " + std::strerror(errno);
    }
    GuestDmabuf probe;
    if (p.udmabuf_opened)
        p.udmabuf_created = guest_dmabuf_create(fd, 1, &probe, detail);
    if (p.udmabuf_created) {
        // What wlroots' DRM backend does with each output buffer: on
        // virtio-gpu with blob this creates a guest blob resource.
        uint32_t handle = 0;
        p.display_imported = drmPrimeFDToHandle(drm_fd, probe.dmabuf, &handle) == 0;
        if (p.display_imported)
            drmCloseBufferHandle(drm_fd, handle);
        else
            *detail = std::string("PRIME import into the KMS device: ") + std::strerror(errno) +
                      " (virtio-gpu needs the blob feature: QEMU blob=true)";
    }
    guest_dmabuf_finish(&probe);
    const OutputBuffersFallback f = output_buffers_fallback(p);
    if (f == OutputBuffersFallback::None) {
        *udmabuf_fd = fd;
        *detail = "guest dma-bufs from " + udmabuf_path + ", imported by virtio_gpu";
    } else {
        if (fd >= 0)
            close(fd);
        if (detail->empty())
            *detail = std::string(to_string(f));
    }
    return f;
}

} // namespace zcd::app
