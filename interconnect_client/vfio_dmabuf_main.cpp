// zc-vfio-dmabuf: ask vfio-pci for a dma-buf of BAR ranges of a VFIO device
// (kernel patch 1's uAPI) and hand the fd on: print it, write its number to a
// file (the kernel test importer reads the fd number from the writing
// process), or run a command that inherits it.
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

#include "common/pattern.hpp"
#include "interconnect_client/vfio_dmabuf.hpp"

namespace {

void usage(FILE* to) {
    std::fprintf(to,
                 "usage: zc-vfio-dmabuf --device PCI_ADDR --range OFFSET:LENGTH [options]\n"
                 "       [--exec CMD [ARGS...]]\n"
                 "       zc-vfio-dmabuf --fill-pattern PATTERN --fill-out PATH [--fill-size WxH]\n"
                 "       [--fill-frame N]\n"
                 "\n"
                 "Opens the VFIO device PCI_ADDR (legacy or no-IOMMU group, or iommufd cdev),\n"
                 "probes VFIO_DEVICE_FEATURE_DMA_BUF and exports a dma-buf of the given ranges\n"
                 "of one region (BAR).\n"
                 "\n"
                 "  --device PCI_ADDR       device bound to vfio-pci, e.g. 0000:01:00.1\n"
                 "  --region N              region (BAR) index (default 0)\n"
                 "  --range OFFSET:LENGTH   byte range of the region (repeatable; 0x-hex ok)\n"
                 "  --probe-only            only check that the kernel has the feature\n"
                 "  --fill-pattern PATTERN  before exporting, draw a frame of PATTERN (smpte,\n"
                 "                          gradient, ...; identity stripe included) into the\n"
                 "                          region at the first range's offset, through an\n"
                 "                          mmap of the region\n"
                 "  --fill-size WxH         that frame's size (XRGB8888, default 320x240)\n"
                 "  --fill-frame N          its frame number, in the stripe (default 1)\n"
                 "  --fill-out PATH         also write the frame's bytes to PATH; without\n"
                 "                          --device only that: the frame a device would get\n"
                 "  --write-fd-to PATH      write the fd number + newline to PATH, then print\n"
                 "                          what PATH reads back\n"
                 "  --hold S                keep the device and dma-buf open S seconds before\n"
                 "                          exiting (closing the device revokes the dma-buf)\n"
                 "  --exec CMD [ARGS...]    run CMD as a child with the fd inherited (number\n"
                 "                          in env ZC_DMABUF_FD), keep the device open until\n"
                 "                          it ends, exit with its status (must be last)\n"
                 "  --sysfs-root DIR        where sysfs is (default /sys; for tests)\n"
                 "  --dev-root DIR          where device nodes are (default /dev; for tests)\n"
                 "  --help                  this text\n"
                 "\n"
                 "Exit: 0 done, 1 the device or kernel refused, 2 bad arguments.\n");
}

int bad(const std::string& what) {
    std::fprintf(stderr, "zc-vfio-dmabuf: %s\n", what.c_str());
    return 2;
}

int refused(const std::string& what) {
    std::fprintf(stderr, "zc-vfio-dmabuf: %s\n", what.c_str());
    return 1;
}

} // namespace

int main(int argc, char** argv) {
    std::string device, write_fd_to, fill_out;
    std::optional<zcd::Pattern> fill;
    uint32_t fill_w = 320, fill_h = 240;
    uint64_t fill_frame = 1;
    uint32_t region = 0;
    unsigned hold_s = 0;
    bool probe_only = false;
    std::vector<zcd::DmaRange> ranges;
    std::vector<char*> exec_argv;
    zcd::VfioPaths paths;
    for (int i = 1; i < argc; ++i) {
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
        } else if (a == "--device") {
            if (!value(&device))
                return bad("--device needs a PCI address");
        } else if (a == "--region") {
            if (!value(&v) || v.empty() || v.find_first_not_of("0123456789") != std::string::npos ||
                v.size() > 9)
                return bad("--region needs a region index");
            region = uint32_t(std::stoul(v));
        } else if (a == "--range") {
            zcd::DmaRange r;
            std::string err;
            if (!value(&v))
                return bad("--range needs OFFSET:LENGTH");
            if (!zcd::parse_dma_range(v, &r, &err))
                return bad(err);
            ranges.push_back(r);
        } else if (a == "--fill-pattern") {
            std::string err;
            if (!value(&v))
                return bad("--fill-pattern needs a pattern");
            fill = zcd::parse_pattern(v, &err);
            if (!fill)
                return bad("--fill-pattern: " + err);
        } else if (a == "--fill-size") {
            unsigned w = 0, h = 0;
            char end = 0;
            if (!value(&v) || std::sscanf(v.c_str(), "%ux%u%c", &w, &h, &end) != 2 || w == 0 ||
                h == 0 || w > 16384 || h > 16384)
                return bad("--fill-size needs WxH (1..16384 each)");
            fill_w = w;
            fill_h = h;
        } else if (a == "--fill-frame") {
            if (!value(&v) || v.empty() || v.find_first_not_of("0123456789") != std::string::npos ||
                v.size() > 9)
                return bad("--fill-frame needs a frame number");
            fill_frame = std::stoull(v);
        } else if (a == "--fill-out") {
            if (!value(&fill_out))
                return bad("--fill-out needs a path");
        } else if (a == "--probe-only") {
            probe_only = true;
        } else if (a == "--write-fd-to") {
            if (!value(&write_fd_to))
                return bad("--write-fd-to needs a path");
        } else if (a == "--hold") {
            if (!value(&v) || v.empty() || v.find_first_not_of("0123456789") != std::string::npos ||
                v.size() > 6)
                return bad("--hold needs seconds");
            hold_s = unsigned(std::stoul(v));
        } else if (a == "--sysfs-root") {
            if (!value(&paths.sysfs))
                return bad("--sysfs-root needs a directory");
        } else if (a == "--dev-root") {
            if (!value(&paths.dev))
                return bad("--dev-root needs a directory");
        } else if (a == "--exec") {
            for (++i; i < argc; ++i)
                exec_argv.push_back(argv[i]);
            if (exec_argv.empty())
                return bad("--exec needs a command");
        } else {
            return bad("unknown argument '" + a + "' (see --help)");
        }
    }
    // No device: only render the frame (what --fill-pattern would draw) into
    // --fill-out, for a test that writes it into device memory another way.
    if (device.empty() && fill && !fill_out.empty() && ranges.empty() && !probe_only &&
        write_fd_to.empty() && exec_argv.empty()) {
        std::vector<uint32_t> px = zcd::render_pattern(*fill, fill_frame, fill_w, fill_h);
        size_t bytes = px.size() * sizeof(uint32_t);
        FILE* f = std::fopen(fill_out.c_str(), "wb");
        if (!f || std::fwrite(px.data(), 1, bytes, f) != bytes || std::fclose(f) != 0)
            return refused("cannot write " + fill_out + ": " + std::strerror(errno));
        std::printf("rendered %s frame %llu, %ux%u XRGB8888, %zu bytes into %s\n",
                    zcd::to_string(*fill).c_str(), static_cast<unsigned long long>(fill_frame),
                    fill_w, fill_h, bytes, fill_out.c_str());
        return 0;
    }
    if (device.empty())
        return bad("--device PCI_ADDR is required (see --help)");
    if (!probe_only && ranges.empty())
        return bad("at least one --range OFFSET:LENGTH is required (see --help)");
    if (!write_fd_to.empty() && !exec_argv.empty())
        return bad("--write-fd-to and --exec exclude each other");

    zcd::VfioDevice dev;
    std::string err;
    if (!zcd::VfioDevice::open(device, paths, &dev, &err))
        return refused(err);
    if (!dev.probe_dmabuf(&err))
        return refused(err);
    if (probe_only) {
        std::printf("%s (%s): VFIO_DEVICE_FEATURE_DMA_BUF supported\n", device.c_str(),
                    dev.how().c_str());
        return 0;
    }
    if (fill) {
        std::vector<uint32_t> px = zcd::render_pattern(*fill, fill_frame, fill_w, fill_h);
        size_t bytes = px.size() * sizeof(uint32_t);
        if (!dev.write_region(region, ranges[0].offset, px.data(), bytes, &err))
            return refused(err);
        if (!fill_out.empty()) {
            FILE* f = std::fopen(fill_out.c_str(), "wb");
            if (!f || std::fwrite(px.data(), 1, bytes, f) != bytes || std::fclose(f) != 0)
                return refused("cannot write " + fill_out + ": " + std::strerror(errno));
        }
        std::printf("filled region %u at %llu: %s frame %llu, %ux%u XRGB8888, %zu bytes\n", region,
                    static_cast<unsigned long long>(ranges[0].offset),
                    zcd::to_string(*fill).c_str(), static_cast<unsigned long long>(fill_frame),
                    fill_w, fill_h, bytes);
    }
    int fd = dev.export_dmabuf(region, ranges, &err);
    if (fd < 0)
        return refused(err);
    uint64_t total = 0;
    for (const auto& r : ranges)
        total += r.length;
    struct stat st {};
    fstat(fd, &st);
    std::printf("dmabuf fd %d: %s (%s) region %u, %zu range(s), %llu bytes, inode %llu\n", fd,
                device.c_str(), dev.how().c_str(), region, ranges.size(),
                static_cast<unsigned long long>(total), static_cast<unsigned long long>(st.st_ino));
    std::fflush(stdout);

    if (!write_fd_to.empty()) {
        FILE* f = std::fopen(write_fd_to.c_str(), "w");
        if (!f)
            return refused("cannot open " + write_fd_to + ": " + std::strerror(errno));
        int w = std::fprintf(f, "%d\n", fd);
        if (std::fclose(f) != 0 || w < 0)
            return refused("writing the fd number to " + write_fd_to + ": " + std::strerror(errno));
        f = std::fopen(write_fd_to.c_str(), "r");
        if (!f)
            return refused("cannot read back " + write_fd_to + ": " + std::strerror(errno));
        char line[4096];
        while (std::fgets(line, sizeof line, f))
            std::fputs(line, stdout);
        std::fclose(f);
        std::fflush(stdout);
    }
    if (!exec_argv.empty()) {
        // The command runs as a child while this process keeps the VFIO
        // device open: closing the device revokes its dma-bufs, so exec()ing
        // (which closes the O_CLOEXEC device fd) would hand over a dead fd.
        int kept = dup(fd); // without O_CLOEXEC: inherited by the child
        if (kept < 0)
            return refused(std::string("dup: ") + std::strerror(errno));
        setenv("ZC_DMABUF_FD", std::to_string(kept).c_str(), 1);
        exec_argv.push_back(nullptr);
        std::fflush(nullptr);
        pid_t child = fork();
        if (child < 0)
            return refused(std::string("fork: ") + std::strerror(errno));
        if (child == 0) {
            execvp(exec_argv[0], exec_argv.data());
            std::fprintf(stderr, "zc-vfio-dmabuf: cannot run %s: %s\n", exec_argv[0],
                         std::strerror(errno));
            _exit(127);
        }
        close(kept);
        int status = 0;
        while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
        }
        if (WIFEXITED(status))
            return WEXITSTATUS(status);
        std::fprintf(stderr, "zc-vfio-dmabuf: %s ended by signal %d\n", exec_argv[0],
                     WIFSIGNALED(status) ? WTERMSIG(status) : 0);
        return 1;
    }
    if (hold_s > 0)
        sleep(hold_s);
    return 0;
}
