"""Kernel row: map through the IOV interconnect vs the legacy DMA map, timed
by the kernel test importer inside the emulated VM (vm/emulated/).

The VM step writes out/vm-emulated/share/kernel/kernel-bench.json:
  {"size_bytes": N, "interconnect_map_ns": T1, "legacy_map_ns": T2,
   "repeats": R, "note": "..."}
Both times come from the same importer in the same guest, so their ratio is
a same-run figure even when the file is from the last emulated-test rather
than from this bench run (the row then says how old it is).
"""
import datetime
import json
import os
import subprocess

from rows import measured, missing

G = "kernel: interconnect map vs legacy DMA map (test importer, emulated VM)"
TARGET_BYTES = 64 << 20


def run(args, run_dir):
    rid = "kernel.interconnect_over_legacy_map"
    label = "interconnect map time / legacy DMA map time"
    vm = os.path.join(args.root, "vm", "zcd-vm.sh")
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
        with open(log, "w") as f:
            try:
                p = subprocess.run([vm, "kernel-bench"], stdout=f, stderr=subprocess.STDOUT,
                                   timeout=900)
                rc = p.returncode
            except subprocess.TimeoutExpired:
                rc = "timeout (900 s)"
        if rc != 0:
            return [missing(rid, G, label, f"./zcd vm kernel-bench failed ({rc}); "
                            f"log {os.path.relpath(log, args.root)}")]
        source = "./zcd vm kernel-bench in this run"
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
    if k.get("note"):
        details["vm_note"] = k["note"]
    if size != TARGET_BYTES:
        label += f" ({size} bytes: the emulated VF BAR is smaller than 64 MiB)"
    return [measured(rid, G, label, ic / legacy, "x",
                     note=f"{ic / 1e3:.1f} / {legacy / 1e3:.1f} us, {size} bytes", **details)]


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
