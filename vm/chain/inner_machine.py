#!/usr/bin/env python3
"""The chain's inner machine: the seed's guest side, driven over qtest
(default) or, with --inner guest, a real guest (inner_guest.py).

Starts QEMU (the project's) with the topology of `./zcd vm run` (PCIe root
port, x3130 upstream port, two xio3130 downstream ports: the VF passed through
with vfio-pci on one, virtio-gpu-pci blob=true on the other; RAM from
memory-backend-memfd share=on) but `-accel qtest`: no guest CPU and no guest
kernel.  This script is the guest instead, over QEMU's qtest protocol: it
numbers the buses and assigns BARs (pci_setup.py), drives virtio-gpu
(virtio_gpu_driver.py), writes the frame into the VF's memory BAR at the
guest-physical address the inner machine sees, creates a blob resource over
those addresses (blob_mem GUEST), scans it out and flushes it, as a guest's
drm/virtio does when it imports a VF dma-buf.  Then it asks QEMU (QMP) for a
screendump, runs the --then command while the machine is up (the outer side's
consumer, which with --scanout-socket receives the scanout's dma-buf from
QEMU's socket), and shuts the machine down.

Report: OUT/inner-report.txt, "key: value" lines; stage times in ms on
CLOCK_MONOTONIC of the machine this runs on.  Exit 0 when every step passed.
"""
import argparse
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
import inner_guest  # noqa: E402
from inner_qemu import qmp, quit_qemu, seed_machine_args, trace_args  # noqa: E402
import pci_setup  # noqa: E402
from qtest_wire import Qtest, QtestError  # noqa: E402
from virtio_gpu_driver import VIRTIO_GPU_F_RESOURCE_BLOB, VirtioGpu, VirtioGpuError  # noqa: E402

MMIO_BASE = 0xC0000000      # BARs and bridge windows, below the 4 GiB boundary
QUEUE_RAM = 0x00100000      # virtqueue and command buffers, inner-guest RAM
VIRTIO_GPU_ID = (0x1AF4, 0x1050)
# What stands in the VF's place: the x-sriov-lmem VF through vfio-pci, or,
# for a host without vfio (--stand-in), ivshmem-plain's shared-memory BAR.
VF_ID = (0x1B36, 0x00F1)
STAND_IN_ID = (0x1AF4, 0x1110)
VF_MEM_BAR = 2


def now_ms():
    return time.clock_gettime(time.CLOCK_MONOTONIC) * 1000.0


def qemu_args(a, qtest_sock, qmp_sock, scanout_sock=None):
    if a.stand_in:
        passthrough = ["-object", "memory-backend-memfd,id=standin,size=64M,share=on",
                       "-device", "ivshmem-plain,memdev=standin,bus=downstream1"]
    else:
        passthrough = ["-device", f"vfio-pci,host={a.vf},bus=downstream1"]
    accel = ["-accel", "qtest"] if a.accel == "qtest" else ["-accel", a.accel, "-S"]
    return [*seed_machine_args(a, accel, passthrough, a.blob, scanout_sock),
            "-qmp", f"unix:{qmp_sock},server=on,wait=off",
            "-qtest", f"unix:{qtest_sock}", "-qtest-log", "/dev/null",
            *trace_args(a.trace)]


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--qemu", required=True)
    ap.add_argument("--vf", help="PCI address of the VF bound to vfio-pci (outer machine)")
    ap.add_argument("--stand-in", action="store_true",
                    help="ivshmem-plain in the VF's place (a host without vfio; tests the driver)")
    ap.add_argument("--accel", default="qtest",
                    help="qtest (default); 'tcg' runs stopped (-S) for a QEMU without qtest accel")
    ap.add_argument("--no-blob", dest="blob", action="store_false",
                    help="virtio-gpu without blob=true (a host without /dev/udmabuf)")
    ap.add_argument("--inner", choices=("qtest", "guest"), default="qtest",
                    help="qtest: this script drives the machine (no guest CPU); guest: the series' "
                         "kernel boots under nested TCG and zc-inner-scanout scans out (inner_guest.py)")
    ap.add_argument("--kernel", help="--inner guest: the guest kernel (bzImage)")
    ap.add_argument("--vf-ko", help="--inner guest: the VF's test driver zcd_vf_lmem.ko")
    ap.add_argument("--bin", help="--inner guest: the directory holding zc-inner-scanout")
    ap.add_argument("--init", default=os.path.join(here, "inner-init.sh"),
                    help="--inner guest: the guest's PID 1 (default vm/chain/inner-init.sh)")
    ap.add_argument("--frame", type=int, default=1, help="--inner guest: the frame number the guest draws")
    ap.add_argument("--boot-timeout", type=int, default=1500,
                    help="--inner guest: seconds from QEMU's start to the scanout (default 1500)")
    ap.add_argument("--memory", help="guest RAM (default 128M; --inner guest 512M)")
    ap.add_argument("--frame-raw", required=True, help="the frame's bytes (XRGB8888)")
    ap.add_argument("--size", required=True, type=lambda s: tuple(int(v) for v in s.split("x")))
    ap.add_argument("--blob-offset", type=lambda s: int(s, 0), default=0x10000,
                    help="where in the VF's memory BAR the frame goes (page-aligned)")
    ap.add_argument("--entries", type=int, default=2, help="blob entries the frame is cut into")
    ap.add_argument("--trace", action="append", default=[], help="QEMU trace event to enable")
    ap.add_argument("--then", default="", help="shell command run while the machine is up")
    ap.add_argument("--scanout-socket", action="store_true",
                    help="virtio-gpu sends its scanout's dma-buf to a unix socket (x-scanout-dmabuf-chardev, "
                         "qemu/ patch 9); its path in CHAIN_SCANOUT_SOCK for --then")
    ap.add_argument("--out", required=True)
    a = ap.parse_args(argv)
    if not a.stand_in and not a.vf:
        ap.error("--vf or --stand-in is required")
    if a.inner == "guest" and (a.stand_in or not a.kernel or not a.vf_ko or not a.bin):
        ap.error("--inner guest needs --vf, --kernel, --vf-ko and --bin")
    if a.memory is None:
        a.memory = "512M" if a.inner == "guest" else "128M"
    return a


def split_entries(addr, size, n):
    """N page-aligned pieces of [addr, addr+size), as a guest's pages are."""
    page = 4096
    pages = (size + page - 1) // page
    n = max(1, min(n, pages))
    cuts = [addr + (pages * i // n) * page for i in range(n)] + [addr + size]
    return [(cuts[i], cuts[i + 1] - cuts[i]) for i in range(n)]


class Report:
    def __init__(self, path):
        self.path = path
        self.lines = []

    def put(self, key, value):
        self.lines.append(f"{key}: {value}")
        print(f"chain-inner: {key}: {value}", flush=True)
        with open(self.path, "w", encoding="utf-8") as f:
            f.write("\n".join(self.lines) + "\n")


def run(a, rep, qemu_log):
    w, h = a.size
    with open(a.frame_raw, "rb") as f:
        frame = f.read()
    if len(frame) != w * h * 4:
        raise RuntimeError(f"{a.frame_raw} has {len(frame)} bytes, {w}x{h} XRGB8888 needs {w * h * 4}")
    # Sockets on a local file system: OUT may be a 9p share (the outer VM's),
    # where a unix socket bound by one process is not reachable by another.
    sock_dir = tempfile.mkdtemp(prefix="zcd-chain-")
    qtest_sock = os.path.join(sock_dir, "qtest.sock")
    qmp_sock = os.path.join(sock_dir, "qmp.sock")
    scanout_sock = os.path.join(sock_dir, "scanout.sock") if a.scanout_socket else None
    listener = Qtest.listen(qtest_sock)
    args = qemu_args(a, qtest_sock, qmp_sock, scanout_sock)
    with open(os.path.join(a.out, "inner-cmdline.txt"), "w", encoding="utf-8") as f:
        f.write(" \\\n    ".join(shlex.quote(x) for x in args) + "\n")
    t0 = now_ms()
    proc = subprocess.Popen(args, stdout=qemu_log, stderr=qemu_log)
    rep.put("qemu_pid", proc.pid)
    try:
        qt = Qtest(listener)
    except OSError as e:
        proc.kill()
        proc.wait(timeout=30)
        raise RuntimeError(f"QEMU did not connect to qtest (status {proc.returncode}): {e}") from e
    rep.put("ms_qemu_start", f"{now_ms() - t0:.1f}")
    try:
        steps(a, rep, qt, proc, qmp_sock, frame, scanout_sock)
    finally:
        qt.close()
        rep.put("qemu_exit", quit_qemu(qmp_sock, proc, 60))
        shutil.rmtree(sock_dir, ignore_errors=True)


def steps(a, rep, qt, proc, qmp_sock, frame, scanout_sock=None):
    w, h = a.size
    t = now_ms()
    cfg, top = pci_setup.enumerate_and_assign(qt, MMIO_BASE)
    rep.put("ms_pci_enumerate", f"{now_ms() - t:.1f}")
    for top_fn in top:
        for fn in top_fn.walk():
            bars = " ".join(f"bar{i}={b['addr']:#x}+{b['size']:#x}" for i, b in sorted(fn.bars.items()))
            rep.put("pci", f"{fn.name()} {fn.vendor:04x}:{fn.device:04x}"
                    f"{' bridge ' + '%#x-%#x' % fn.window if fn.is_bridge else ''} {bars}".rstrip())
    gpu_fn = pci_setup.find(top, *VIRTIO_GPU_ID)
    vf_fn = pci_setup.find(top, *(STAND_IN_ID if a.stand_in else VF_ID))
    if gpu_fn is None or vf_fn is None:
        raise RuntimeError(f"inner machine lacks {'virtio-gpu' if gpu_fn is None else 'the VF'}")
    path = pci_setup.path_to(top, vf_fn)
    gpu_path = pci_setup.path_to(top, gpu_fn)
    rep.put("vf_path", " -> ".join(f"{f.name()} {f.vendor:04x}:{f.device:04x}" for f in path + [vf_fn]))
    rep.put("gpu_path", " -> ".join(f"{f.name()} {f.vendor:04x}:{f.device:04x}" for f in gpu_path + [gpu_fn]))
    bar = vf_fn.bars.get(VF_MEM_BAR)
    if bar is None:
        raise RuntimeError(f"the VF {vf_fn.name()} has no BAR {VF_MEM_BAR}")
    rep.put("vf_bar2", f"{bar['addr']:#x}+{bar['size']:#x}")

    gpu = VirtioGpu(qt, cfg, gpu_fn, QUEUE_RAM)
    offered, accepted = gpu.init(1 << VIRTIO_GPU_F_RESOURCE_BLOB)
    rep.put("virtio_features", f"offered {offered:#x} accepted {accepted:#x}")
    modes = gpu.display_info()
    rep.put("scanout0", "enabled %d at %d,%d %dx%d" % modes[0])

    # The frame goes into the VF's memory at the address the inner machine sees.
    gpa = bar["addr"] + a.blob_offset
    if a.blob_offset + len(frame) > bar["size"]:
        raise RuntimeError("the frame does not fit in the VF's BAR at --blob-offset")
    t = now_ms()
    qt.write_bytes(gpa, frame)
    rep.put("ms_frame_write", f"{now_ms() - t:.1f}")
    back = qt.read_bytes(gpa, len(frame))
    rep.put("frame_readback", "equal" if back == frame else "differs")
    if back != frame:
        raise RuntimeError("the frame read back through the VF's BAR differs from what was written")

    if not gpu.has(VIRTIO_GPU_F_RESOURCE_BLOB):
        raise RuntimeError("virtio-gpu did not offer VIRTIO_GPU_F_RESOURCE_BLOB (blob=true?)")
    entries = split_entries(gpa, len(frame), a.entries)
    rep.put("blob_entries", " ".join(f"{x:#x}+{n:#x}" for x, n in entries))
    rep.put("ms_blob_create", f"{gpu.create_blob(1, entries, len(frame)) * 1000:.1f}")
    rep.put("blob_create", "OK_NODATA")
    rep.put("ms_set_scanout_blob", f"{gpu.set_scanout_blob(0, 1, w, h) * 1000:.1f}")
    rep.put("set_scanout_blob", "OK_NODATA")
    rep.put("ms_resource_flush", f"{gpu.flush(1, w, h) * 1000:.1f}")
    rep.put("resource_flush", "OK_NODATA")

    t = now_ms()
    shot = os.path.join(a.out, "screendump.ppm")
    qmp(qmp_sock, "screendump", {"filename": shot, "format": "ppm"})
    rep.put("ms_screendump", f"{now_ms() - t:.1f}")
    rep.put("screendump", shot)

    if a.then:
        env = dict(os.environ, CHAIN_QEMU_PID=str(proc.pid), CHAIN_BLOB_BYTES=str(len(frame)),
                   CHAIN_BLOB_OFFSET=f"{a.blob_offset:#x}", CHAIN_SCANOUT_SOCK=scanout_sock or "")
        t = now_ms()
        r = subprocess.run(a.then, shell=True, env=env, check=False)
        rep.put("then_status", r.returncode)
        rep.put("ms_then", f"{now_ms() - t:.1f}")

    # A guest's teardown: scanout off, resource gone.
    rep.put("ms_disable_scanout", f"{gpu.disable_scanout(0) * 1000:.1f}")
    rep.put("ms_resource_unref", f"{gpu.unref(1) * 1000:.1f}")
    rep.put("qtest_commands", qt.commands)


def main(argv):
    a = parse_args(argv)
    os.makedirs(a.out, exist_ok=True)
    rep = Report(os.path.join(a.out, "inner-report.txt"))
    if a.inner == "guest":
        rep.put("inner_machine", "guest: the series' kernel under nested TCG, zcd-vf-lmem and zc-inner-scanout")
    else:
        rep.put("inner_machine", f"-accel {a.accel}: qtest driver, no guest CPU or kernel")
    ok = True
    with open(os.path.join(a.out, "inner-qemu.log"), "wb") as qemu_log:
        try:
            if a.inner == "guest":
                sock_dir = tempfile.mkdtemp(prefix="zcd-chain-")
                try:
                    inner_guest.run(a, rep, qemu_log, sock_dir)
                finally:
                    shutil.rmtree(sock_dir, ignore_errors=True)
            else:
                run(a, rep, qemu_log)
        except (RuntimeError, OSError, QtestError, VirtioGpuError, subprocess.TimeoutExpired) as e:
            rep.put("error", str(e))
            ok = False
    rep.put("result", "pass" if ok else "fail")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
