#!/usr/bin/env python3
"""inner_guest.py's reading of the inner guest's console (synthetic): the
"zcd-inner:" lines become report entries, the VF driver's map lines the
blob's entries, and a command counts as answered OK_NODATA only when the
guest's call returned, QEMU traced the command and drm/virtio logged no error
response; its QEMU command line has the seed's topology and boots a kernel."""
import os
import sys
import tempfile
from types import SimpleNamespace

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "chain"))
import inner_guest  # noqa: E402

CONSOLE = """[    3.1] random kernel line
zcd-inner: init_uptime_s: 40.1
zcd-inner: vf_path: 00:01.0 8086:3420 -> 01:00.0 104c:8232 -> 02:00.0 104c:8233 -> 03:00.0 1b36:00f1
zcd-inner: ms_prime_import: 12.000
zcd-inner: dmesg: [   50.1] virtio-pci 0000:04:00.0: zcd-vf-lmem: pin
zcd-inner: dmesg: [   50.2] virtio-pci 0000:04:00.0: zcd-vf-lmem: map entry 0: dma 0x00000000c0010000 len 0x4b000 (phys 0x00000000c0010000)
zcd-inner: dmesg: [   50.3] virtio-pci 0000:04:00.0: zcd-vf-lmem: unpin
zcd-inner: ms_set_crtc: 30.000\r
zcd-inner: ready: 1
zcd-inner: driver_report: logged
"""

failures = []


def check(label, got, want):
    if got != want:
        failures.append(f"{label}: got {got!r}, want {want!r}")


with tempfile.TemporaryDirectory() as d:
    path = os.path.join(d, "console.log")
    with open(path, "w", encoding="utf-8") as f:
        f.write(CONSOLE)
    lines = inner_guest.console_lines(path)
    kv = dict(reversed(lines))
    check("keys", [k for k, _ in lines][:3], ["init_uptime_s", "vf_path", "ms_prime_import"])
    check("carriage return dropped", kv["ms_set_crtc"], "30.000")
    report, entries, errors = inner_guest.guest_report(lines)
    r = dict(report)
    check("entries", entries, [(0xc0010000, 0x4b000)])
    check("blob_entries", r["blob_entries"], "0xc0010000+0x4b000")
    check("driver saw", r["vf_driver_saw"], "pin, map entry, unpin")
    check("no errors", errors, [])
    check("dmesg lines not in the report", "dmesg" in r, False)
    traced = {"virtio_gpu_cmd_res_create_blob"}
    check("answered", inner_guest.answered(traced, "virtio_gpu_cmd_res_create_blob", [], "ms_prime_import", kv),
          "OK_NODATA")
    check("untraced", inner_guest.answered(traced, "virtio_gpu_cmd_res_flush", [], "ms_set_crtc", kv),
          "QEMU did not trace virtio_gpu_cmd_res_flush")
    check("not reached", inner_guest.answered(traced, "virtio_gpu_cmd_res_create_blob", [], "ms_dirty_fb", kv),
          "not reached (ms_dirty_fb missing)")
    bad = CONSOLE.replace("zcd-inner: ready", "zcd-inner: dmesg: [drm:virtio_gpu_dequeue_ctrl_func] *ERROR* "
                          "response 0x1203 (command 0x10c)\nzcd-inner: ready")
    with open(path, "w", encoding="utf-8") as f:
        f.write(bad)
    _, _, errors = inner_guest.guest_report(inner_guest.console_lines(path))
    check("error response seen", len(errors), 1)
    check("error answer", inner_guest.answered(traced, "virtio_gpu_cmd_res_create_blob", errors, "ms_prime_import",
                                               kv).startswith("error response"), True)

a = SimpleNamespace(size=(320, 240), init="/x/inner-init.sh", vf_ko="/b/zcd_vf_lmem.ko", bin="/b/bin", frame=7,
                    blob_offset=0x10000, trace=["virtio_gpu_vfio_dmabuf"], qemu="qemu", memory="512M",
                    vf="0000:01:00.1", kernel="/k/bzImage")
args = inner_guest.qemu_args(a, "/s/qmp.sock", "/o/console.log")
text = " ".join(args)
for want in ("-accel tcg", "memory-backend-memfd,id=mem,size=512M,share=on", "vfio-pci,host=0000:01:00.1,bus=downstream1",
             "virtio-gpu-pci,blob=true", "bus=downstream2", "x3130-upstream", "-kernel /k/bzImage",
             "zcd.frame=7", "zcd.offset=0x10000", "init=/x/inner-init.sh", "enable=virtio_gpu_vfio_dmabuf"):
    check(f"command line has {want}", want in text, True)

# with the scanout socket (qemu/ patch 9): a listening chardev and virtio-gpu's property naming it
text = " ".join(inner_guest.qemu_args(a, "/s/qmp.sock", "/o/console.log", "/s/scanout.sock"))
for want in ("-chardev socket,id=scanout,path=/s/scanout.sock,server=on,wait=off",
             "bus=downstream2,x-scanout-dmabuf-chardev=scanout"):
    check(f"command line has {want}", want in text, True)
check("no scanout socket unless asked", "x-scanout-dmabuf-chardev" in " ".join(args), False)

for f in failures:
    print("FAIL", f)
print(f"{len(failures)} failure(s)")
sys.exit(1 if failures else 0)
