#!/usr/bin/env python3
"""kernel_bench_report.py on synthetic bench artefacts (kernel/README.md
report format, QEMU's vtd_inv_desc_iotlb_pages trace lines): a run whose
legacy importer is translated and whose unmaps QEMU saw at IOVAs gives the
medians and legacy_through_iommu; an identity domain, invalidations at the
BAR's own address, too few invalidations, a legacy map that failed and a
guest that stopped early are each reported, not passed."""
import json
import os
import subprocess
import sys
import tempfile

REPORT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "emulated", "kernel_bench_report.py")
PF, VF, NVME = "0000:01:00.0", "0000:01:00.1", "0000:02:00.0"
BAR = 0x800000000
SIZE = 64 << 20
IOVA = 0xfc000000


def iov_report(ns):
    return (f"importer: {PF}\nexp_name: vfio_pci_core\nsize: {SIZE}\ninterconnect: iov\n"
            f"exporter: {VF} bar 2\nmap_ns: {ns}\nranges: 1\npath: iov\nreason: none\nresult: done\n")


def legacy_report(ns, ok=True):
    fb = "ok nents=1" if ok else "error -22"
    return (f"importer: {NVME}\nexp_name: vfio_pci_core\nsize: {SIZE}\ninterconnect: none\n"
            f"path: fallback\nreason: no-match\nmap_ns: {ns}\nfallback_map: {fb}\nresult: done\n")


def trace_line(addr, mask=0xe, domain=3):
    return f"12@1.5:vtd_inv_desc_iotlb_pages iotlb invalidate domain 0x{domain:x} addr 0x{addr:x} mask 0x{mask:x}\n"


def run(group="DMA", legacy_ok=True, trace_addr=IOVA, invalidations=None, error="", repeats=3):
    with tempfile.TemporaryDirectory() as d:
        kdir = os.path.join(d, "share", "kernel")
        os.makedirs(kdir)
        with open(os.path.join(kdir, "facts.txt"), "w") as f:
            f.write(f"cpu_vendor: AuthenticAMD\ncpu_family: 23\nvf0: {VF}\n"
                    f"vf0_bar2: 0x{BAR:016x}-0x{BAR + SIZE - 1:016x}\nlegacy: {NVME}\n"
                    f"legacy_group_type: {group}\nbytes: {SIZE}\nrepeats: {repeats}\n")
        if error:
            with open(os.path.join(kdir, "error.txt"), "w") as f:
                f.write(error + "\n")
        else:
            files = {"report-warmup-iov.txt": iov_report(9000),
                     "report-warmup-legacy.txt": legacy_report(90000)}
            for i in range(1, repeats + 1):
                files[f"report-iov-{i}.txt"] = iov_report(1000 * i)
                files[f"report-legacy-{i}.txt"] = legacy_report(10000 * i, legacy_ok or i > 1)
            for name, text in files.items():
                with open(os.path.join(kdir, name), "w") as f:
                    f.write(text)
        trace = os.path.join(d, "vtd-trace.log")
        n = repeats + 1 if invalidations is None else invalidations
        with open(trace, "w") as f:
            f.write(trace_line(0x1000, mask=0))  # the nvme driver's own small unmaps
            f.writelines(trace_line(trace_addr) for _ in range(n))
        out = os.path.join(d, "kernel-bench.json")
        p = subprocess.run([sys.executable, REPORT, "--share", os.path.join(d, "share"), "--trace", trace,
                            "--cpu", "max,vendor=AuthenticAMD,family=23", "--out", out],
                           capture_output=True, text=True)
        bench = None
        if os.path.exists(out):
            with open(out) as f:
                bench = json.load(f)
        return p.returncode, p.stdout + p.stderr, bench


failures = 0
checks = 0


def expect(cond, what, output=""):
    global failures, checks
    checks += 1
    print(("ok - " if cond else "not ok - ") + what)
    if not cond:
        failures += 1
        print("  " + output.replace("\n", "\n  "))


rc, out, bench = run()
expect(rc == 0 and bench is not None, "a translated legacy importer passes", out)
if bench:
    expect(bench["interconnect_map_ns"] == 2000 and bench["legacy_map_ns"] == 20000,
           "medians of the timed imports only (warm-ups left out)", json.dumps(bench))
    expect(bench["interconnect_samples"] == 3 and bench["legacy_samples"] == 3 and bench["repeats"] == 3,
           "sample counts", json.dumps(bench))
    expect(bench["size_bytes"] == SIZE and bench["legacy_through_iommu"] is True,
           "64 MiB, legacy through the IOMMU", json.dumps(bench))
    expect(bench["legacy_iovas"] == [f"0x{IOVA:x}"] and "AuthenticAMD family 23" in bench["cpu"],
           "IOVAs and vCPU named", json.dumps(bench))

rc, out, bench = run(group="identity")
expect(rc == 1 and bench and bench["legacy_through_iommu"] is False and "identity" in out,
       "an identity domain is not the IOMMU path", out)

rc, out, bench = run(trace_addr=BAR)
expect(rc == 1 and bench and not bench["legacy_through_iommu"],
       "invalidations at the BAR's own address are not IOVAs", out)

rc, out, bench = run(invalidations=3)
expect(rc == 1 and "not one per legacy unmap" in out, "fewer invalidations than legacy unmaps (the warm-up counts)", out)

rc, out, bench = run(legacy_ok=False)
expect(rc == 1 and "did not map" in out and bench and bench["legacy_samples"] == 2,
       "a legacy import that did not map is reported", out)

rc, out, bench = run(error="binding VF 0 0000:01:00.1 to vfio-pci failed")
expect(rc == 1 and bench is None and "vfio-pci failed" in out, "a guest error is named, no JSON", out)

print(f"1..{checks}")
sys.exit(1 if failures else 0)
