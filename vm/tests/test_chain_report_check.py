#!/usr/bin/env python3
"""chain_report_check.py on synthetic artefacts of the seed chain (the inner
machine's report, QEMU's trace, the consumer's line, the test importer's
reports of kernel/README.md, hold states, bufinfo, counters): a consistent run
passes every check; a dma-buf range that is not the blob's, a blob QEMU did not
export through vfio, a wrong inner topology, a screendump zc-verify refuses,
bytes the PF read that differ, a forged range accepted, counters that moved
differently and a shutdown that did not revoke each fail their check."""
import os
import struct
import subprocess
import sys
import tempfile

here = os.path.dirname(os.path.abspath(__file__))
CHECK = os.path.join(here, "..", "chain", "chain_report_check.py")

VF0, VF1, PF = "0000:02:00.1", "0000:02:00.2", "0000:02:00.0"
BAR = (0xc0000000, 0xc3ffffff)
FORGE = 0xc4000000
W, H = 8, 4
BYTES = W * H * 4
SLICE = 0x4000000
OFF = 0x10000
INNER_BAR = 0xc0000000

PF_REPORT = f"""importer: {PF}
exp_name: vfio_pci_core
size: {BYTES}
interconnect: iov
exporter: {VF0} bar 2
window: {BAR[0]:#x}-{BAR[1]:#x}
map_ns: 1000
ranges: 1
range: {BAR[0] + OFF:#x}-{BAR[0] + OFF + BYTES - 1:#x} ok
lmem_vf: 1 offset {SLICE:#x} size 0x4000000
lmem_translate: ok runs 1
dpa: {SLICE + OFF:#x}-{SLICE + OFF + BYTES - 1:#x}
lmem_region_check: 0
lmem_read: {BYTES}
path: iov
reason: none
attachment_interconnect: iov
held: 1
result: done
"""

LEGACY_REPORT = f"""importer: {VF1}
exp_name: vfio_pci_core
size: {BYTES}
interconnect: none
path: fallback
reason: no-match
map_ns: 2000
fallback_map: error -22
attachment_interconnect: none
held: 0
result: done
"""
FORGED_REPORT = f"""importer: {PF}
exp_name: vfio_pci_core
size: {BYTES}
interconnect: iov
exporter: {VF0} bar 2
window: {BAR[0]:#x}-{BAR[1]:#x}
map_ns: 1000
ranges: 1
range: {BAR[0] + OFF:#x}-{BAR[0] + OFF + BYTES - 1:#x} ok
range: {FORGE:#x}-{FORGE + 0xfff:#x} forged rejected -34
lmem_vf: 1 offset {SLICE:#x} size 0x4000000
lmem_translate: error -1 rejected 1
path: fallback
reason: rejected-range
map_ns: 2000
fallback_map: error -22
attachment_interconnect: none
held: 0
result: done
"""


def stats(matches, failures, maps, unmaps, fallbacks, rejected):
    return (f"version: 1\ninterconnect: iov\n\tmatches: {matches}\n\tmatch_failures: {failures}\n"
            f"\tmaps: {maps}\n\tunmaps: {unmaps}\n\tmap_failures: 0\n\tfallbacks: {fallbacks}\n"
            f"\trejected_ranges: {rejected}\n")


INNER = f"""inner_machine: -accel qtest: qtest driver, no guest CPU or kernel
qemu_pid: 4242
ms_qemu_start: 900.0
vf_path: 00:01.0 8086:3420 -> 01:00.0 104c:8232 -> 02:00.0 104c:8233 -> 03:00.0 1b36:00f1
gpu_path: 00:01.0 8086:3420 -> 01:00.0 104c:8232 -> 02:01.0 104c:8233 -> 04:00.0 1af4:1050
vf_bar2: {INNER_BAR:#x}+0x4000000
virtio_features: offered 0x130000008 accepted 0x100000008
scanout0: enabled 1 at 0,0 {W}x{H}
ms_frame_write: 4.0
frame_readback: equal
blob_entries: {INNER_BAR + OFF:#x}+0x40 {INNER_BAR + OFF + 0x40:#x}+0x40
ms_blob_create: 12.5
blob_create: OK_NODATA
ms_set_scanout_blob: 3.0
set_scanout_blob: OK_NODATA
ms_resource_flush: 2.0
resource_flush: OK_NODATA
ms_screendump: 50.0
screendump: SHOT
then_status: 0
qemu_exit: 0
result: pass
"""
CMDLINE = (f"qemu -machine q35,memory-backend=mem -accel \\\n    qtest -m 128M -object "
           f"memory-backend-memfd,id=mem,size=128M,share=on -device vfio-pci,host={VF0},bus=downstream1 "
           "-device virtio-gpu-pci,blob=true,max_outputs=1\n")
QEMU_LOG = ("4242@1.000000:virtio_gpu_cmd_res_create_blob res 0x1, size 128\n"
            "4242@1.000001:vfio_device_create_dmabuf_fd  (0000:02:00.1) region 2, 1 ranges: dma-buf fd 31\n"
            "4242@1.000002:virtio_gpu_vfio_dmabuf res 0x1, 1 ranges, dma-buf fd 31\n"
            "4242@1.000003:virtio_gpu_cmd_set_scanout_blob id 0, res 0x1, w 8, h 4, x 0, y 0\n"
            "4242@1.000004:virtio_gpu_scanout_dmabuf_send scanout 0, res 0x1, dma-buf fd 31: -1\n"
            "4242@1.000100:virtio_gpu_scanout_dmabuf_send scanout 0, res 0x1, dma-buf fd 31: 48\n")
CONSUMER = ("dmabuf_from_qemu: socket /tmp/zcd-chain-x/scanout.sock: magic 0x4f53435a version 1 scanout 0 "
            f"resource 1 {W}x{H} stride {W * 4} offset 0 fourcc XR24 size {BYTES}; fd 3: exp_name vfio_pci_core, "
            f"{BYTES} bytes, inode 42; QEMU (pid 4242) holds it as fd 31\n")
BUFINFO_HELD = ("\nDma-buf Objects:\nsize\tflags\tmode\tcount\texp_name\tino\tname\n"
                f"{BYTES:08d}\t00000002\t00080007\t00000003\tvfio_pci_core\t00000042\t<none>\n"
                "\tAttached Devices:\nTotal 0 devices attached\n\nTotal 1 objects, 0 bytes\n")
BUFINFO_EMPTY = "\nDma-buf Objects:\nsize\tflags\tmode\tcount\texp_name\tino\tname\n\nTotal 0 objects, 0 bytes\n"


def write(d, name, data):
    with open(os.path.join(d, name), "wb" if isinstance(data, bytes) else "w") as f:
        f.write(data)


def make_run(d, **over):
    frame = bytes((i * 7 + 1) % 256 for i in range(BYTES))
    rgb = bytearray(W * H * 3)
    rgb[0::3], rgb[1::3], rgb[2::3] = frame[2::4], frame[1::4], frame[0::4]
    files = {
        "inner-report.txt": INNER,
        "inner-cmdline.txt": CMDLINE, "inner-qemu.log": QEMU_LOG,
        "consumer.log": CONSUMER,
        "screendump.ppm": f"P6\n{W} {H}\n255\n".encode() + bytes(rgb),
        "report-pf.txt": PF_REPORT, "report-legacy.txt": LEGACY_REPORT, "report-forged.txt": FORGED_REPORT,
        "written.raw": frame, "frame-pf.raw": frame,
        "stats-before.txt": stats(5, 3, 7, 7, 4, 1),
        # forged: map + unmap + fallback + rejected; legacy: match failure + fallback; pf: map (held:
        # its match counts at detach, with its unmap)
        "stats-after.txt": stats(5, 4, 9, 8, 6, 2),
        "stats-released.txt": stats(6, 4, 9, 9, 6, 2),
        "bufinfo-held.txt": BUFINFO_HELD,
        "hold-while-up.txt": "held: 1\nrevoked: 0\n", "hold-after-shutdown.txt": "held: 1\nrevoked: 1\n",
        "bufinfo-released.txt": BUFINFO_EMPTY, "ms-import-pf.txt": "3.250\n",
    }
    files.update(over)
    files["inner-report.txt"] = files["inner-report.txt"].replace("SHOT", os.path.join(d, "screendump.ppm"))
    for name, data in files.items():
        write(d, name, data)
    regs = bytearray(4096)
    struct.pack_into("<IIII", regs, 0, 0x4d4d4c5a, 1, 2, 2)
    struct.pack_into("<QQ", regs, 0x100, SLICE, 0x4000000)
    write(d, "regs.bin", bytes(regs))


def run(d, verify_rc=0):
    zv = os.path.join(d, "zc-verify")
    with open(zv, "w") as f:
        f.write(f"#!/bin/sh\necho 'fake zc-verify'\nexit {verify_rc}\n")
    os.chmod(zv, 0o755)
    r = subprocess.run([sys.executable, CHECK, "--zc-verify", zv, "--frame", "7", "--size", f"{W}x{H}",
                        "--blob-offset", hex(OFF), d, os.path.join(d, "regs.bin"), VF0, hex(BAR[0]),
                        hex(BAR[1]), hex(FORGE), "0x1000"],
                       capture_output=True, text=True, check=False)
    verdicts = {}
    for line in r.stdout.splitlines():
        name, status, detail = line.split("\t", 2)
        verdicts[name] = (status, detail)
    return r.returncode, verdicts, r.stdout + r.stderr


failures = []


def expect(label, over, failing, verify_rc=0):
    with tempfile.TemporaryDirectory() as d:
        make_run(d, **over)
        rc, verdicts, text = run(d, verify_rc)
        bad = sorted(n for n, (s, _) in verdicts.items() if s != "pass")
        if len(verdicts) != 10 or bad != sorted(failing) or (rc == 0) != (not failing):
            failures.append(f"{label}: failing {bad}, expected {sorted(failing)} (rc {rc})\n{text}")


expect("consistent run", {}, [])
# the stage times, machine-readable for the bench (bench/harness/chain_rows.py)
with tempfile.TemporaryDirectory() as d:
    make_run(d)
    run(d)
    import json
    with open(os.path.join(d, "timings.json"), encoding="utf-8") as f:
        t = json.load(f)
    st = t.get("stages", {})
    if (t.get("inner") != "qtest" or st.get("blob_create_ms", {}).get("value") != 12.5
            or st.get("interconnect_map_ms", {}).get("value") != 0.001
            or st.get("qemu_blob_to_dmabuf_ms", {}).get("value") != 0.001
            or st.get("pf_import_first_read_ms", {}).get("value") != 3.25 or len(st) != 8):
        failures.append(f"timings.json: {t}")
expect("dma-buf range is not the blob's",
       {"report-pf.txt": PF_REPORT.replace(f"range: {BAR[0] + OFF:#x}", f"range: {BAR[0]:#x}")},
       ["chain.qemu-vfio-dmabuf"])
# (without the trace QEMU's export time is missing too)
expect("blob not exported through vfio", {"inner-qemu.log": "qemu-system-x86_64: warning: not linear\n"},
       ["chain.qemu-vfio-dmabuf", "chain.stage-timings"])
# the scanout's dma-buf over QEMU's socket (qemu/ patch 9)
expect("no message on the scanout socket",
       {"consumer.log": "dmabuf_from_qemu: no message from QEMU within 30 s (got 0 bytes)\n"},
       ["chain.qemu-vfio-dmabuf"])
expect("socket header is not the scanout", {"consumer.log": CONSUMER.replace(f"{W}x{H}", f"{W}x{H + 1}")},
       ["chain.qemu-vfio-dmabuf"])
expect("socket header is not XRGB8888", {"consumer.log": CONSUMER.replace("XR24", "AR24")},
       ["chain.qemu-vfio-dmabuf"])
expect("received dma-buf is another of QEMU's fds", {"consumer.log": CONSUMER.replace("as fd 31", "as fd 40")},
       ["chain.qemu-vfio-dmabuf"])
expect("received dma-buf is not the one bufinfo lists", {"consumer.log": CONSUMER.replace("inode 42", "inode 43")},
       ["chain.qemu-vfio-dmabuf"])
expect("QEMU never sent the message",
       {"inner-qemu.log": QEMU_LOG.replace("dma-buf fd 31: 48", "dma-buf fd 31: -1")},
       ["chain.qemu-vfio-dmabuf"])
expect("VF not behind the switch",
       {"inner-report.txt": INNER.replace("vf_path: 00:01.0 8086:3420 -> 01:00.0 104c:8232 -> 02:00.0 104c:8233 -> ",
                                          "vf_path: ")},
       ["chain.inner-topology"])
expect("zc-verify refuses the frames", {}, ["chain.screendump-pixels", "chain.pf-read-pixels"], verify_rc=1)
expect("PF read other bytes", {"frame-pf.raw": bytes(BYTES)}, ["chain.pf-read-pixels"])
expect("Xe translation accepted the forged range",
       {"report-forged.txt": FORGED_REPORT.replace("lmem_translate: error -1 rejected 1", "lmem_translate: ok runs 2")},
       ["chain.forged-range-rejected"])
expect("counters moved differently", {"stats-after.txt": stats(7, 4, 9, 8, 6, 2)}, ["chain.counters-agree"])
expect("match never counted", {"stats-released.txt": stats(5, 4, 9, 9, 6, 2)}, ["chain.counters-agree"])
expect("shutdown did not revoke", {"hold-after-shutdown.txt": "held: 1\nrevoked: 0\n"}, ["chain.shutdown-revokes"])
expect("buffer leaked after release", {"bufinfo-released.txt": BUFINFO_HELD}, ["chain.shutdown-revokes"])
expect("no trace of the blob command", {"inner-qemu.log": QEMU_LOG.split("\n", 1)[1]}, ["chain.stage-timings"])
expect("no PF import time", {"ms-import-pf.txt": ""}, ["chain.stage-timings"])
expect("blob refused", {"inner-report.txt": INNER.replace("blob_create: OK_NODATA", "blob_create: ERR_UNSPEC")},
       ["chain.blob-scanout"])
# The inner machine as a real guest (inner_guest.py): its report keys, the
# command line of a kernel under TCG.
INNER_GUEST = (INNER.replace("inner_machine: -accel qtest: qtest driver, no guest CPU or kernel",
                             "inner_machine: guest: the series' kernel under nested TCG, zcd-vf-lmem and "
                             "zc-inner-scanout\nkernel: 7.3.4+\nvf_dmabuf: 0xc0010000+0x80 (BAR offset 0x10000), fd 3")
               .replace(f"blob_entries: {INNER_BAR + OFF:#x}+0x40 {INNER_BAR + OFF + 0x40:#x}+0x40",
                        f"blob_entries: {INNER_BAR + OFF:#x}+0x80\nvf_driver_saw: pin, map entry, unpin")
               + "s_boot_to_scanout: 900.5\n")
CMDLINE_GUEST = CMDLINE.replace("-accel \\\n    qtest", "-accel tcg -cpu max").replace(
    "-device virtio-gpu-pci", "-kernel bzImage -device virtio-gpu-pci")
expect("guest: consistent run", {"inner-report.txt": INNER_GUEST, "inner-cmdline.txt": CMDLINE_GUEST}, [])
expect("guest: command line of the qtest machine", {"inner-report.txt": INNER_GUEST}, ["chain.inner-topology"])
expect("guest: the driver's map is not at the frame",
       {"inner-report.txt": INNER_GUEST.replace(f"blob_entries: {INNER_BAR + OFF:#x}", f"blob_entries: {INNER_BAR:#x}"),
        "inner-cmdline.txt": CMDLINE_GUEST}, ["chain.blob-scanout"])
expect("guest: an error response in the guest's log",
       {"inner-report.txt": INNER_GUEST.replace("set_scanout_blob: OK_NODATA",
                                                "set_scanout_blob: error response: response 0x1200 (command 0x108)"),
        "inner-cmdline.txt": CMDLINE_GUEST}, ["chain.blob-scanout"])

for f in failures:
    print("FAIL", f)
print(f"{len(failures)} failure(s)")
sys.exit(1 if failures else 0)
