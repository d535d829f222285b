#!/usr/bin/env python3
"""lmem_report_check.py on synthetic artefacts of the x-sriov-lmem pixel check
(kernel/README.md report keys, the device's registers of qemu/README.md): a
consistent run passes; bytes read through the PF's BAR that differ from the
frame, a DPA that is not VF 0's slice offset plus the offset, a frame
zc-verify refuses, a legacy read that differs, a forged range Xe's
translation accepted, and counters that moved differently each fail their
check; a register file that is not the device's fails with one line."""
import os
import struct
import subprocess
import sys
import tempfile

CHECK = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "emulated", "lmem_report_check.py")
VF0, VF1, PF = "0000:02:00.1", "0000:02:00.2", "0000:02:00.0"
BAR = (0xc0000000, 0xc3ffffff)
FORGE = 0xc4000000
W, H = 8, 4
BYTES = W * H * 4
SLICE = 0x4000000  # VF 0's slice offset in the PF's memory

PF_REPORT = f"""importer: {PF}
exp_name: vfio_pci_core
size: {BYTES}
interconnect: iov
exporter: {VF0} bar 2
window: {BAR[0]:#x}-{BAR[1]:#x}
map_ns: 1000
ranges: 1
range: {BAR[0]:#x}-{BAR[0] + BYTES - 1:#x} ok
lmem_vf: 1 offset {SLICE:#x} size 0x4000000
lmem_translate: ok runs 1
dpa: {SLICE:#x}-{SLICE + BYTES - 1:#x}
lmem_region_check: 0
lmem_read: {BYTES}
path: iov
reason: none
attachment_interconnect: iov
held: 0
result: done
"""
LEGACY_REPORT = f"""importer: {VF1}
exp_name: vfio_pci_core
size: {BYTES}
interconnect: none
path: fallback
reason: no-match
map_ns: 2000
fallback_map: ok nents=1
fallback_read: {BYTES}
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
range: {BAR[0]:#x}-{BAR[0] + BYTES - 1:#x} ok
range: {FORGE:#x}-{FORGE + 0xfff:#x} forged rejected -34
lmem_vf: 1 offset {SLICE:#x} size 0x4000000
lmem_translate: error -1 rejected 1
path: fallback
reason: rejected-range
map_ns: 2000
fallback_map: ok nents=1
fallback_read: {BYTES}
attachment_interconnect: none
held: 0
result: done
"""


def stats(matches, failures, maps, fallbacks, rejected):
    return (f"version: 1\ninterconnect: iov\n\tmatches: {matches}\n\tmatch_failures: {failures}\n"
            f"\tmaps: {maps}\n\tunmaps: {maps}\n\tmap_failures: 0\n\tfallbacks: {fallbacks}\n"
            f"\trejected_ranges: {rejected}\n")


def write(d, name, data):
    with open(os.path.join(d, name), "wb" if isinstance(data, bytes) else "w") as f:
        f.write(data)


def make_run(d, **over):
    frame = bytes((i * 7 + 1) % 256 for i in range(BYTES))
    files = {
        "report-pf.txt": PF_REPORT, "report-legacy.txt": LEGACY_REPORT, "report-forged.txt": FORGED_REPORT,
        "written.raw": frame, "frame-pf.raw": frame, "frame-legacy.raw": frame, "frame-forged.raw": b"",
        "stats-before.txt": stats(5, 3, 7, 4, 1),
        # pf: match + map; legacy: match failure + fallback; forged: map + fallback + rejected
        "stats-after.txt": stats(6, 4, 9, 6, 2),
        "bufinfo-held.txt": f"\nDma-buf Objects:\nsize\tflags\tmode\tcount\texp_name\tino\tname\n"
                            f"{BYTES:08d}\t00000002\t00080007\t00000003\tvfio_pci_core\t00000042\t<none>\n"
                            "\tAttached Devices:\nTotal 0 devices attached\n\nTotal 1 objects, 0 bytes\n",
        "bufinfo-after.txt": "\nDma-buf Objects:\nTotal 0 devices attached\n\nTotal 1 objects, 0 bytes\n",
    }
    files.update(over)
    for name, data in files.items():
        write(d, name, data)
    regs = bytearray(4096)
    struct.pack_into("<IIII", regs, 0, 0x4d4d4c5a, 1, 2, 2)
    struct.pack_into("<QQ", regs, 0x100, SLICE, 0x4000000)
    write(d, "regs.bin", bytes(over.get("regs.bin", regs)))


def run(d, verify_rc=0):
    zv = os.path.join(d, "zc-verify")
    with open(zv, "w") as f:
        f.write(f"#!/bin/sh\necho 'fake zc-verify'\nexit {verify_rc}\n")
    os.chmod(zv, 0o755)
    r = subprocess.run([sys.executable, CHECK, "--zc-verify", zv, "--frame", "7", "--size", f"{W}x{H}", d,
                        os.path.join(d, "regs.bin"), VF0, hex(BAR[0]), hex(BAR[1]), hex(FORGE), "0x1000"],
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
        if len(verdicts) != 4 or bad != sorted(failing) or (rc == 0) != (not failing):
            failures.append(f"{label}: failing {bad}, expected {sorted(failing)} (rc {rc})\n{text}")


expect("consistent run", {}, [])
expect("PF read other bytes", {"frame-pf.raw": bytes(BYTES)}, ["lmem.pf-read-pixels"])
expect("DPA not slice + offset", {"report-pf.txt": PF_REPORT.replace(f"dpa: {SLICE:#x}", "dpa: 0x1000")},
       ["lmem.pf-read-pixels"])
expect("zc-verify refuses the frame", {}, ["lmem.pf-read-pixels"], verify_rc=1)
expect("legacy read other bytes", {"frame-legacy.raw": bytes(BYTES)}, ["lmem.legacy-read-pixels"])
# (the counters then disagree too: the report predicts one fallback less)
expect("legacy took the interconnect", {"report-legacy.txt": LEGACY_REPORT.replace("path: fallback", "path: iov")},
       ["lmem.legacy-read-pixels", "lmem.counters-bufinfo-agree"])
expect("Xe translation accepted the forged range",
       {"report-forged.txt": FORGED_REPORT.replace("lmem_translate: error -1 rejected 1", "lmem_translate: ok runs 2")},
       ["lmem.forged-range-rejected"])
expect("counters moved differently", {"stats-after.txt": stats(7, 4, 9, 6, 2)}, ["lmem.counters-bufinfo-agree"])
expect("attachment left behind",
       {"bufinfo-after.txt": "\nDma-buf Objects:\n\tinterconnect=iov\nTotal 1 devices attached\n"},
       ["lmem.counters-bufinfo-agree"])
bad_regs = bytes(4096)
expect("registers of another device", {"regs.bin": bad_regs}, ["lmem.pf-read-pixels"])

for f in failures:
    print("FAIL", f)
print(f"{len(failures)} failure(s)")
sys.exit(1 if failures else 0)
