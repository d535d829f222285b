// zc-inner-scanout: the seed chain's inner-guest program (vm/README.md, "The
// seed chain"), in place of a compositor.  It plays the seed's guest: a frame
// in the VF's memory, shared with virtio-gpu and scanned out.
//
//   1. asks the VF's driver (zcd-vf-lmem, test equipment standing in for
//      Xe's VF driver) for a dma-buf of the VF's memory BAR at --offset;
//   2. maps it and draws the frame there (common/pattern: the identity stripe
//      zc-verify reads), then reads it back;
//   3. imports the dma-buf into virtio-gpu with PRIME (drm/virtio attaches
//      it dynamically, pins it, maps it and sends RESOURCE_CREATE_BLOB with
//      the BAR's guest-physical addresses), adds a framebuffer and sets it as
//      the CRTC's scanout (SET_SCANOUT_BLOB), marks it dirty (RESOURCE_FLUSH);
//   4. says "ready" and keeps everything open until killed (the host side
//      takes its screendump and the dma-buf QEMU made meanwhile).
//
// Prints "zcd-inner: KEY: VALUE" lines (times: ms, CLOCK_MONOTONIC).  Exit:
// 1 when a step fails (the line "zcd-inner: error: ..." says which), 2 on bad
// arguments.
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <string>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <vector>

#include <drm_fourcc.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

#include "common/pattern.hpp"
#include "vm/chain/vf-lmem/zcd_vf_lmem_uapi.h"

namespace {

void usage(FILE* to) {
    std::fprintf(to,
                 "usage: zc-inner-scanout [options]\n"
                 "\n"
                 "Inside the chain's inner guest: a dma-buf of the VF's memory (zcd-vf-lmem),\n"
                 "a frame drawn into it, imported into virtio-gpu and scanned out.\n"
                 "\n"
                 "  --vf-device PATH   the VF driver's node (default /dev/zcd-vf-lmem)\n"
                 "  --card PATH        virtio-gpu's DRM node (default /dev/dri/card0)\n"
                 "  --offset N         the frame's offset in the VF's memory BAR (page-aligned,\n"
                 "                     0x-hex ok; default 0x10000)\n"
                 "  --size WxH         frame and mode size (XRGB8888; default 320x240)\n"
                 "  --pattern P        pattern (common/pattern.hpp; default smpte)\n"
                 "  --frame N          frame number in the identity stripe (default 1)\n"
                 "  --no-hold          exit after the scanout instead of waiting to be killed\n"
                 "  --help             this text\n"
                 "\n"
                 "Exit: 0 done (with --no-hold), 1 a step failed, 2 bad arguments.\n");
}

double now_ms() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

void put(const char* key, const std::string& value) {
    std::printf("zcd-inner: %s: %s\n", key, value.c_str());
    std::fflush(stdout);
}

void put_ms(const char* key, double t0) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3f", now_ms() - t0);
    put(key, buf);
}

int fail(const std::string& what) {
    put("error", what);
    return 1;
}

std::string errno_text(const char* call) { return std::string(call) + ": " + std::strerror(errno); }

// The connected connector with a WxH mode, and a CRTC its encoder can drive.
struct Output {
    uint32_t connector = 0, crtc = 0;
    drmModeModeInfo mode{};
};

bool find_output(int card, uint32_t w, uint32_t h, Output* out, std::string* why) {
    drmModeRes* res = drmModeGetResources(card);
    if (!res) {
        *why = errno_text("drmModeGetResources");
        return false;
    }
    bool found = false;
    for (int i = 0; i < res->count_connectors && !found; i++) {
        drmModeConnector* c = drmModeGetConnector(card, res->connectors[i]);
        if (!c)
            continue;
        if (c->connection == DRM_MODE_CONNECTED) {
            for (int m = 0; m < c->count_modes && !found; m++) {
                if (c->modes[m].hdisplay != w || c->modes[m].vdisplay != h)
                    continue;
                for (int e = 0; e < c->count_encoders && !found; e++) {
                    drmModeEncoder* enc = drmModeGetEncoder(card, c->encoders[e]);
                    if (!enc)
                        continue;
                    for (int k = 0; k < res->count_crtcs; k++) {
                        if (enc->possible_crtcs & (1u << k)) {
                            out->connector = c->connector_id;
                            out->crtc = res->crtcs[k];
                            out->mode = c->modes[m];
                            found = true;
                            break;
                        }
                    }
                    drmModeFreeEncoder(enc);
                }
            }
        }
        drmModeFreeConnector(c);
    }
    drmModeFreeResources(res);
    if (!found)
        *why = "no connected connector with a " + std::to_string(w) + "x" + std::to_string(h) +
               " mode and a CRTC for it";
    return found;
}

} // namespace

int main(int argc, char** argv) {
    std::string vf_device = "/dev/zcd-vf-lmem", card_path = "/dev/dri/card0";
    uint64_t offset = 0x10000, frame = 1;
    uint32_t w = 320, h = 240;
    bool hold = true;
    std::string pattern_text = "smpte";
    for (int i = 1; i < argc; i++) {
        std::string a = argv[i];
        auto value = [&](std::string* v) {
            if (i + 1 >= argc)
                return false;
            *v = argv[++i];
            return true;
        };
        std::string v;
        if (a == "--help" || a == "-h") {
            usage(stdout);
            return 0;
        } else if (a == "--vf-device" && value(&v)) {
            vf_device = v;
        } else if (a == "--card" && value(&v)) {
            card_path = v;
        } else if (a == "--offset" && value(&v)) {
            offset = std::stoull(v, nullptr, 0);
        } else if (a == "--size" && value(&v)) {
            if (std::sscanf(v.c_str(), "%ux%u", &w, &h) != 2 || !w || !h || w > 16384 ||
                h > 16384) {
                std::fprintf(stderr, "zc-inner-scanout: --size needs WxH (1..16384 each)\n");
                return 2;
            }
        } else if (a == "--pattern" && value(&v)) {
            pattern_text = v;
        } else if (a == "--frame" && value(&v)) {
            frame = std::stoull(v);
        } else if (a == "--no-hold") {
            hold = false;
        } else {
            std::fprintf(stderr, "zc-inner-scanout: bad option '%s' (see --help)\n", a.c_str());
            return 2;
        }
    }
    std::string err;
    auto pattern = zcd::parse_pattern(pattern_text, &err);
    if (!pattern) {
        std::fprintf(stderr, "zc-inner-scanout: --pattern: %s\n", err.c_str());
        return 2;
    }
    const size_t bytes = static_cast<size_t>(w) * h * 4;
    const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    const size_t buf_size = (bytes + page - 1) / page * page;

    // 1. The VF driver exports the BAR range (the VF's LMEM) as a dma-buf.
    int vf = open(vf_device.c_str(), O_RDWR | O_CLOEXEC);
    if (vf < 0)
        return fail(errno_text(("open " + vf_device).c_str()));
    zcd_vf_lmem_export req{};
    req.offset = offset;
    req.size = buf_size;
    double t = now_ms();
    if (ioctl(vf, ZCD_VF_LMEM_EXPORT, &req) != 0)
        return fail(errno_text("ZCD_VF_LMEM_EXPORT"));
    put_ms("ms_vf_export", t);
    char line[128];
    std::snprintf(line, sizeof line, "%#llx+%#zx (BAR offset %#llx), fd %d",
                  static_cast<unsigned long long>(req.phys), buf_size,
                  static_cast<unsigned long long>(offset), req.fd);
    put("vf_dmabuf", line);

    // 2. The frame, drawn into the VF's memory through the dma-buf's mmap.
    void* map = mmap(nullptr, buf_size, PROT_READ | PROT_WRITE, MAP_SHARED, req.fd, 0);
    if (map == MAP_FAILED)
        return fail(errno_text("mmap of the dma-buf"));
    std::vector<uint32_t> px = zcd::render_pattern(*pattern, frame, w, h);
    t = now_ms();
    std::memcpy(map, px.data(), bytes);
    put_ms("ms_frame_write", t);
    std::vector<uint32_t> back(px.size());
    std::memcpy(back.data(), map, bytes);
    put("frame_readback", back == px ? "equal" : "differs");
    if (back != px)
        return fail("the frame read back through the dma-buf's mmap differs");

    // 3. virtio-gpu: PRIME import (the blob), framebuffer, scanout, flush.
    int card = open(card_path.c_str(), O_RDWR | O_CLOEXEC);
    if (card < 0)
        return fail(errno_text(("open " + card_path).c_str()));
    drmVersion* ver = drmGetVersion(card);
    put("drm_driver", ver ? ver->name : "?");
    drmFreeVersion(ver);
    uint32_t handle = 0;
    t = now_ms();
    if (drmPrimeFDToHandle(card, req.fd, &handle) != 0)
        return fail(errno_text("drmPrimeFDToHandle"));
    put_ms("ms_prime_import", t);
    put("gem_handle", std::to_string(handle));
    uint32_t handles[4] = {handle}, pitches[4] = {w * 4}, offsets[4] = {0}, fb = 0;
    t = now_ms();
    if (drmModeAddFB2(card, w, h, DRM_FORMAT_XRGB8888, handles, pitches, offsets, &fb, 0) != 0)
        return fail(errno_text("drmModeAddFB2"));
    put_ms("ms_add_fb", t);
    Output o;
    if (!find_output(card, w, h, &o, &err))
        return fail(err);
    t = now_ms();
    if (drmModeSetCrtc(card, o.crtc, fb, 0, 0, &o.connector, 1, &o.mode) != 0)
        return fail(errno_text("drmModeSetCrtc"));
    put_ms("ms_set_crtc", t);
    t = now_ms();
    if (drmModeDirtyFB(card, fb, nullptr, 0) != 0 && errno != ENOSYS)
        return fail(errno_text("drmModeDirtyFB"));
    put_ms("ms_dirty_fb", t);
    std::snprintf(line, sizeof line, "fb %u on crtc %u connector %u, %ux%u XRGB8888, frame %llu",
                  fb, o.crtc, o.connector, w, h, static_cast<unsigned long long>(frame));
    put("scanout", line);
    put("ready", "1");

    // 4. Hold the scanout until the host side is done and stops the machine.
    while (hold)
        pause();
    drmModeRmFB(card, fb);
    close(card);
    munmap(map, buf_size);
    close(req.fd);
    close(vf);
    return 0;
}
