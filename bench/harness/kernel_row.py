"""Kernel row: map through the IOV interconnect vs the legacy DMA map, timed
by the kernel test importer inside an emulated VM (vm/emulated/).

`./zcd vm kernel-bench` (when vm/zcd-vm.sh offers it, the bench runs it)
writes out/vm-kernel-bench/kernel-bench.json: 64 MiB of the x-sriov-lmem
VF's memory exported by vfio-pci, the legacy importer behind QEMU's emulated
IOMMU:
  {"size_bytes": N, "interconnect_map_ns": T1, "legacy_map_ns": T2,
   "repeats": R, "interconnect_samples": N1, "legacy_samples": N2,
   "interconnect_map_ns_quartiles": [Q1, Q3], "legacy_map_ns_quartiles": [..],
   "legacy_through_iommu": true, "iommu_evidence": "...", "cpu": "...",
   "note": "..."}
(vm/README.md, "Kernel bench"). Without that step, the older file of the
emulated test is read: out/vm-emulated/share/kernel/kernel-bench.json, with
only the first five keys (an nvme VF BAR of 16 KiB, no IOMMU); the row then
says how old it is. Both times always come from the same importer in the
same guest, so their ratio is a same-run figure.
"""
import datetime
import json
import os
import subprocess

from rows import measured, missing

G = "kernel: interconnect map vs legacy DMA map (test importer, emulated VM)"
TARGET_BYTES = 64 << 20
VM_TIMEOUT_S = 3600


def run(args, run_dir):
    rid = "kernel.interconnect_over_legacy_map"
    label = "interconnect map time / legacy DMA map time"
    vm = os.path.join(args.root, "vm", "zcd-vm.sh")
    bench_json = os.path.join(args.root, "out", "vm-kernel-bench", "kernel-bench.json")
    share = os.path.join(args.root, "out", "vm-emulated", "share")
    candidates = [os.path.join(share, "kernel", "kernel-bench.json"),
                  os.path.join(share, "kernel-bench.json")]
    result = next((c for c in candidates if os.path.exists(c)), candidates[0])
    source = None
    if not os.access(vm, os.X_OK):
        return [missing(rid, G, label, "vm/zcd-vm.sh missing (VM scripts not in this checkout)")]
    help_text = subprocess.run([vm, "--help"], capture_output=True, text=True).stdout
    if "kernel-bench" in help_text:
        print("bench: kernel row: ./zcd vm kernel-bench (emulated VM, may take minutes)",
              flush=True)
        log = os.path.join(run_dir, "vm-kernel-bench.log")
        # Builds the guest kernel and QEMU first when the cache lacks them.
        with open(log, "w") as f:
            try:
                p = subprocess.run([vm, "kernel-bench"], stdout=f, stderr=subprocess.STDOUT,
                                   timeout=VM_TIMEOUT_S)
                rc = p.returncode
            except subprocess.TimeoutExpired:
                rc = f"timeout ({VM_TIMEOUT_S} s)"
        if rc != 0:
            return [missing(rid, G, label, f"./zcd vm kernel-bench failed ({rc}); "
                            f"log {os.path.relpath(log, args.root)}")]
        source = "./zcd vm kernel-bench in this run"
        result = bench_json
    elif os.path.exists(result):
        mtime = datetime.datetime.fromtimestamp(os.path.getmtime(result), datetime.timezone.utc)
        source = f"last ./zcd vm emulated-test ({mtime.isoformat(timespec='minutes')})"
    else:
        return [missing(rid, G, label, prerequisite_report(args, result))]
    try:
        with open(result) as f:
            k = json.load(f)
        ic, legacy = float(k["interconnect_map_ns"]), float(k["legacy_map_ns"])
        size = int(k["size_bytes"])
    except (OSError, ValueError, KeyError, TypeError) as e:
        return [missing(rid, G, label, f"{os.path.relpath(result, args.root)} unreadable: {e}")]
    if legacy <= 0 or ic <= 0:
        return [missing(rid, G, label, "kernel-bench.json has a zero time")]
    details = {"interconnect_map_us": ic / 1e3, "legacy_map_us": legacy / 1e3,
               "size_bytes": size, "repeats": k.get("repeats"), "source": source}
    for key in ("interconnect_samples", "legacy_samples", "interconnect_map_ns_quartiles",
                "legacy_map_ns_quartiles", "legacy_through_iommu", "iommu_evidence", "cpu"):
        if key in k:
            details[key] = k[key]
    if k.get("note"):
        details["vm_note"] = k["note"]
    if size != TARGET_BYTES:
        label += f" ({size} bytes: the emulated VF BAR is smaller than 64 MiB)"
    if "legacy_through_iommu" not in k:
        path = "legacy map without an IOMMU"
    elif k["legacy_through_iommu"]:
        path = "legacy map through the emulated IOMMU"
    else:
        path = "legacy map NOT shown to go through the IOMMU"
    counts = ""
    if "interconnect_samples" in k and "legacy_samples" in k:
        counts = f", medians of {k['interconnect_samples']} / {k['legacy_samples']} maps"
    return [measured(rid, G, label, ic / legacy, "x",
                     note=f"{ic / 1e3:.1f} / {legacy / 1e3:.1f} us, {size} bytes{counts}; {path}",
                     **details)]


def prerequisite_report(args, result):
    """Name the first missing piece of the chain, most basic first."""
    cache = os.environ.get("ZCD_CACHE", "/var/cache/zcdisplay")
    bz = os.path.join(cache, "kernel", "out-vm", "arch", "x86", "boot", "bzImage")
    if not os.path.exists(bz):
        return ("the series' VM kernel is not built (no $ZCD_CACHE/kernel/out-vm/arch/x86/boot/"
                "bzImage; ./zcd kernel build-vm)")
    kreadme = os.path.join(args.root, "kernel", "README.md")
    if not os.path.exists(kreadme) or "map_ns" not in open(kreadme, errors="replace").read():
        return ("the kernel test importer does not report map times yet (kernel/README.md "
                "documents no map_ns), and ./zcd vm has no kernel-bench step")
    return (f"no {os.path.relpath(result, args.root)}: ./zcd vm has no kernel-bench step and "
            "no emulated-test has written one")
