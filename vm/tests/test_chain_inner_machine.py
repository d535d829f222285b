#!/usr/bin/env python3
"""inner_machine.py (the seed chain's qtest driver) against a real QEMU with
no vfio and no /dev/udmabuf: Debian's QEMU, stopped under TCG (-S; its
package has no qtest accelerator, but the qtest protocol works), ivshmem in
the VF's place and virtio-gpu without blob.  The driver must number the
switch's buses, put the stand-in and virtio-gpu behind two downstream ports
inside their bridges' windows, negotiate VERSION_1, read the display info,
write the frame into the stand-in's BAR 2 and read it back equal, and then
fail with one line because the device offers no RESOURCE_BLOB."""
import os
import re
import shutil
import subprocess
import sys
import tempfile

here = os.path.dirname(os.path.abspath(__file__))
INNER = os.path.join(here, "..", "chain", "inner_machine.py")
failures = []

qemu = shutil.which("qemu-system-x86_64")
if not qemu:
    print("FAIL qemu-system-x86_64 not installed")
    sys.exit(1)
with tempfile.TemporaryDirectory() as d:
    frame = os.path.join(d, "frame.raw")
    with open(frame, "wb") as f:
        f.write(bytes((i * 13 + 5) % 256 for i in range(64 * 16 * 4)))
    r = subprocess.run([sys.executable, INNER, "--qemu", qemu, "--stand-in", "--accel", "tcg", "--no-blob",
                        "--frame-raw", frame, "--size", "64x16", "--out", d],
                       capture_output=True, text=True, timeout=120, check=False)
    with open(os.path.join(d, "inner-report.txt"), encoding="utf-8") as f:
        report = f.read()
    rep = dict(line.split(": ", 1) for line in report.splitlines() if ": " in line)
    if r.returncode != 1 or "RESOURCE_BLOB" not in rep.get("error", ""):
        failures.append(f"want exit 1 and the missing blob feature, got {r.returncode}: {rep.get('error')}")
    ids = [hop.split()[1] for hop in rep.get("vf_path", "").split(" -> ")]
    if ids != ["8086:3420", "104c:8232", "104c:8233", "1af4:1110"]:
        failures.append(f"stand-in path {rep.get('vf_path')}")
    gpu = [hop.split()[1] for hop in rep.get("gpu_path", "").split(" -> ")]
    if gpu != ["8086:3420", "104c:8232", "104c:8233", "1af4:1050"] or \
            rep.get("gpu_path", "").split(" -> ")[2] == rep.get("vf_path", "").split(" -> ")[2]:
        failures.append(f"virtio-gpu path {rep.get('gpu_path')}")
    # every BAR below a bridge lies inside that bridge's window
    windows = {}
    for line in report.splitlines():
        m = re.match(r"pci: (\S+) \S+ bridge (0x[0-9a-f]+)-(0x[0-9a-f]+)", line)
        if m:
            windows[m.group(1)] = (int(m.group(2), 16), int(m.group(3), 16))
    for hop_path in (rep.get("vf_path", ""), rep.get("gpu_path", "")):
        hops = [h.split()[0] for h in hop_path.split(" -> ")]
        bars = re.search(rf"pci: {re.escape(hops[-1])} \S+ (.*)", report)
        for start, size in re.findall(r"bar\d=(0x[0-9a-f]+)\+(0x[0-9a-f]+)", bars.group(1) if bars else ""):
            lo, hi = int(start, 16), int(start, 16) + int(size, 16) - 1
            for b in hops[:-1]:
                w = windows.get(b)
                if not w or lo < w[0] or hi > w[1]:
                    failures.append(f"{hops[-1]} BAR {lo:#x}-{hi:#x} outside bridge {b} window {w}")
    if not re.match(r"offered 0x[0-9a-f]+ accepted 0x100000000$", rep.get("virtio_features", "")):
        failures.append(f"features {rep.get('virtio_features')}")
    if rep.get("scanout0") != "enabled 1 at 0,0 64x16":
        failures.append(f"display info {rep.get('scanout0')}")
    if rep.get("frame_readback") != "equal":
        failures.append(f"frame read back: {rep.get('frame_readback')}")
    if rep.get("qemu_exit") != "0":
        failures.append(f"QEMU did not quit cleanly: {rep.get('qemu_exit')}")
    if failures:
        failures.append("report:\n" + report + r.stderr)

for f in failures:
    print("FAIL", f)
print(f"{len(failures)} failure(s)")
sys.exit(1 if failures else 0)
