#!/usr/bin/env python3
"""Judges a `./zcd vm kernel-bench` run and writes kernel-bench.json.

Reads what guest-kernel-bench.sh left in SHARE/kernel/ (facts.txt, one
test-importer report per import, kernel/README.md format) and QEMU's trace
of the emulated VT-d's page-selective IOTLB invalidations. Takes the median
map time of each path, and decides whether the legacy map went through the
IOMMU from three facts that must all hold:

  1. the legacy importer's IOMMU group has a translating default domain
     (DMA or DMA-FQ), so its DMA API hands out IOVAs;
  2. every timed legacy import mapped (vfio-pci's p2pdma check let it
     through the host bridge, the only p2pdma path that uses the IOMMU);
  3. QEMU saw the guest invalidate IOTLB ranges of at least the buffer's
     size, one per legacy unmap, at addresses outside the exporter's BAR:
     IOVAs, not the BAR's bus addresses.

Exit 0 when both paths have samples and the IOMMU was in the legacy path;
1 otherwise (the JSON is still written when there are samples, for reading).
"""
import argparse
import json
import os
import re
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kernel_report_check import parse_report  # noqa: E402

TRANSLATING = ("DMA", "DMA-FQ")
# hw/i386/trace-events: vtd_inv_desc_iotlb_pages "iotlb invalidate domain 0x%x addr 0x%lx
# mask 0x%x" (with the log backend, optionally prefixed "PID@SEC.USEC:")
INVALIDATION_RE = re.compile(r"vtd_inv_desc_iotlb_pages\b.*?domain\s+(?:0x)?([0-9a-fA-F]+)"
                             r"\s+addr\s+(?:0x)?([0-9a-fA-F]+)\s+mask\s+(?:0x)?([0-9a-fA-F]+)")
PAGE = 4096


def read(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError:
        return None


def facts_of(text):
    facts = {}
    for line in (text or "").splitlines():
        key, sep, value = line.partition(":")
        if sep:
            facts.setdefault(key.strip(), value.strip())
    return facts


def samples(kdir, kind, path):
    """map_ns of every report-KIND-N.txt whose import took PATH; the names of
    those that did not."""
    times, bad = [], []
    names = sorted((n for n in os.listdir(kdir) if re.fullmatch(rf"report-{kind}-\d+\.txt", n)),
                   key=lambda n: int(re.search(r"(\d+)\.txt$", n).group(1)))
    for name in names:
        r = parse_report(read(os.path.join(kdir, name)))
        ok = r.get("path") == path and r.get("map_ns", "").isdigit()
        if path == "fallback":
            ok = ok and r.get("fallback_map", "").startswith("ok")
        if ok:
            times.append(int(r["map_ns"]))
        else:
            bad.append(f"{name}: path {r.get('path', '?')}, {r.get('fallback_map') or r.get('result', '?')}")
    return times, bad


def invalidations(trace_text, min_bytes):
    """(domain, addr, bytes) of the page-selective invalidations covering at
    least min_bytes."""
    found = []
    for m in INVALIDATION_RE.finditer(trace_text or ""):
        domain, addr, mask = (int(g, 16) for g in m.groups())
        size = PAGE << mask
        if size >= min_bytes:
            found.append((domain, addr, size))
    return found


def spread(times):
    if len(times) < 2:
        return None
    q = statistics.quantiles(times, n=4)
    return [q[0], q[2]]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--share", required=True, help="the VM's output share (holds kernel/)")
    ap.add_argument("--trace", required=True, help="QEMU's vtd_inv_desc_iotlb_pages trace log")
    ap.add_argument("--cpu", default="", help="the -cpu model QEMU ran")
    ap.add_argument("--out", required=True, help="kernel-bench.json to write")
    a = ap.parse_args()

    kdir = os.path.join(a.share, "kernel")
    facts = facts_of(read(os.path.join(kdir, "facts.txt")))
    error = (read(os.path.join(kdir, "error.txt")) or "").strip()
    if not os.path.isdir(kdir) or not facts:
        print(f"kernel-bench: the guest wrote no results ({error or 'see console.log'})", file=sys.stderr)
        return 1
    ic, ic_bad = samples(kdir, "iov", "iov")
    legacy, legacy_bad = samples(kdir, "legacy", "fallback")
    warm = parse_report(read(os.path.join(kdir, "report-warmup-legacy.txt")))
    warm_mapped = warm.get("path") == "fallback" and warm.get("fallback_map", "").startswith("ok")
    size = int(facts.get("bytes", "0"))
    if error or not ic or not legacy:
        why = error or "; ".join((ic_bad + legacy_bad)[:3]) or "no timed imports"
        print(f"kernel-bench: no samples for both paths: {why}", file=sys.stderr)
        return 1

    # Did the legacy map go through the IOMMU?
    group = facts.get("legacy_group_type", "none")
    bar = [int(x, 16) for x in facts.get("vf0_bar2", "0x0-0x0").split("-")]
    trace_text = read(a.trace)
    big = invalidations(trace_text, size)
    outside = [(d, addr, s) for d, addr, s in big if addr + s <= bar[0] or addr > bar[1]]
    legacy_imports = len(legacy) + (1 if warm_mapped else 0)
    reasons = []
    if group not in TRANSLATING:
        reasons.append(f"the legacy importer's IOMMU domain is '{group}', not translating")
    if legacy_bad:
        reasons.append(f"{len(legacy_bad)} legacy imports did not map ({legacy_bad[0]})")
    if trace_text is None:
        reasons.append("no QEMU trace of IOTLB invalidations")
    elif len(outside) < legacy_imports:
        reasons.append(f"QEMU saw {len(outside)} invalidations of >= {size} bytes outside the BAR, "
                       f"not one per legacy unmap ({legacy_imports})")
    through_iommu = not reasons
    iovas = sorted({f"0x{addr:x}" for _, addr, _ in outside})
    domains = sorted({f"0x{d:x}" for d, _, _ in outside})
    if through_iommu:
        evidence = (f"legacy importer's IOMMU domain {group}; {len(outside)} IOTLB invalidations of "
                    f">= {size} bytes at IOVA {', '.join(iovas[:4])} (domain {', '.join(domains)}), "
                    f"the exporter's BAR is at 0x{bar[0]:x}")
    else:
        evidence = "; ".join(reasons)

    cpu = f"{facts.get('cpu_vendor', '?')} family {facts.get('cpu_family', '?')}"
    bench = {
        "size_bytes": size,
        "interconnect_map_ns": statistics.median(ic),
        "legacy_map_ns": statistics.median(legacy),
        "repeats": min(len(ic), len(legacy)),
        "interconnect_samples": len(ic),
        "legacy_samples": len(legacy),
        "interconnect_map_ns_quartiles": spread(ic),
        "legacy_map_ns_quartiles": spread(legacy),
        "legacy_through_iommu": through_iommu,
        "iommu_evidence": evidence,
        "legacy_iovas": iovas,
        "exporter_bar": facts.get("vf0_bar2", ""),
        "legacy_importer": f"{facts.get('legacy', '?')} (nvme on its own root port, IOMMU domain {group})",
        "cpu": cpu + (f" (-cpu {a.cpu})" if a.cpu else ""),
        "source": "./zcd vm kernel-bench",
        "note": ("x-sriov-lmem VF 0 memory BAR exported by vfio-pci; importer = PF (IOV interconnect) vs "
                 "an nvme controller on another root port (vfio-pci's sg_table map through the host "
                 "bridge and QEMU's emulated VT-d); QEMU TCG, debug guest kernel; medians"),
    }
    with open(a.out, "w", encoding="utf-8") as f:
        json.dump(bench, f, indent=1)
    print(f"kernel-bench: {size} bytes, medians of {len(ic)} / {len(legacy)} maps: "
          f"interconnect {bench['interconnect_map_ns'] / 1e3:.1f} us, legacy {bench['legacy_map_ns'] / 1e3:.1f} us "
          f"(ratio {bench['interconnect_map_ns'] / bench['legacy_map_ns']:.4f})")
    print(f"kernel-bench: legacy map through the IOMMU: {'yes' if through_iommu else 'NOT SHOWN'}: {evidence}")
    print(f"kernel-bench: vCPU {bench['cpu']}; wrote {a.out}")
    return 0 if through_iommu else 1


if __name__ == "__main__":
    sys.exit(main())
