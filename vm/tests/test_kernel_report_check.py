#!/usr/bin/env python3
"""kernel_report_check.py on synthetic importer artefacts (kernel/README.md
report format, docs/kernel-debugfs.md counters): a consistent run passes;
an unrelated importer whose fallback failed, an importer with no p2pdma path
that was mapped anyway, a wrong range, a forged range that was accepted or left the attachment
naming the interconnect, counters that moved differently (among them a
fallback after a match also counted as a match) and a leaked attachment
each fail their check."""
import json
import os
import subprocess
import sys
import tempfile

CHECK = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "emulated", "kernel_report_check.py")
VF, PF, PEER, ROOT_NVME = "0000:03:00.1", "0000:03:00.0", "0000:04:00.0", "0000:00:05.0"
BAR = ("0xfe000000", "0xfe003fff")
FORGE = ("0xfe004000", "0x1000")

REPORTS = {
    "iov": f"""importer: {PF}
exp_name: vfio_pci_core
size: 16384
interconnect: iov
exporter: {VF} bar 0
window: 0xfe000000-0xfe003fff
ranges: 1
range: 0xfe000000-0xfe003fff ok
path: iov
reason: none
attachment_interconnect: iov
result: done
""",
    "unrelated": f"""importer: {PEER}
exp_name: vfio_pci_core
size: 16384
interconnect: none
path: fallback
reason: no-match
fallback_map: ok nents=1
attachment_interconnect: none
result: done
""",
    "no-p2p": f"""importer: {ROOT_NVME}
exp_name: vfio_pci_core
size: 16384
interconnect: none
path: fallback
reason: no-match
fallback_map: error -22
attachment_interconnect: none
result: done
""",
    "forged": f"""importer: {PF}
exp_name: vfio_pci_core
size: 16384
interconnect: iov
exporter: {VF} bar 0
window: 0xfe000000-0xfe003fff
ranges: 1
range: 0xfe000000-0xfe003fff ok
range: 0xfe004000-0xfe004fff forged rejected -34
path: fallback
reason: rejected-range
fallback_map: ok nents=1
attachment_interconnect: none
result: done
""",
}


def stats(matches, failures, maps, fallbacks, rejected):
    return (f"version: 1\ninterconnect: iov\n\tmatches: {matches}\n\tmatch_failures: {failures}\n"
            f"\tmaps: {maps}\n\tunmaps: {maps}\n\tmap_failures: 0\n\tfallbacks: {fallbacks}\n"
            f"\trejected_ranges: {rejected}\n")


BUFINFO = ("\nDma-buf Objects:\nsize    \tflags   \tmode    \tcount   \texp_name\tino     \tname\n"
           "00016384\t00000002\t00080007\t00000002\tvfio_pci_core\t00000007\t<none>\n"
           "\tAttached Devices:\n{attached}Total {n} devices attached\n\n\nTotal 1 objects, 16384 bytes\n")


def run_case(d, reports, after_stats, bufinfo_after):
    files = {f"report-{k}.txt": v for k, v in reports.items()}
    files["stats-before.txt"] = stats(1, 0, 1, 0, 0)
    files["stats-after.txt"] = after_stats
    files["bufinfo-held.txt"] = BUFINFO.format(attached="", n=0)
    files["bufinfo-after.txt"] = bufinfo_after
    for f in os.listdir(d):
        os.unlink(os.path.join(d, f))
    for name, text in files.items():
        with open(os.path.join(d, name), "w") as f:
            f.write(text)
    out = subprocess.run([sys.executable, CHECK, d, VF, *BAR, *FORGE], capture_output=True, text=True)
    return {line.split("\t")[0]: line.split("\t")[1] for line in out.stdout.splitlines() if "\t" in line}


def main():
    # matches +1: the forged import fell back after its match (a fallback
    # only); match failures +2 and fallbacks +3 with the two unrelated importers
    good_after = stats(2, 2, 3, 3, 1)
    clean = BUFINFO.format(attached="", n=0)
    failures = 0

    def expect(name, got, failing):
        nonlocal failures
        for check, status in got.items():
            want = "fail" if check in failing else "pass"
            if status != want:
                print(f"FAIL: {name}: {check} is {status}, expected {want}")
                failures += 1
        if len(got) != 6:
            print(f"FAIL: {name}: {len(got)} verdicts, expected 6")
            failures += 1

    with tempfile.TemporaryDirectory() as d:
        expect("consistent run", run_case(d, REPORTS, good_after, clean), set())
        unmapped = dict(REPORTS, unrelated=REPORTS["unrelated"].replace("fallback_map: ok nents=1",
                                                                        "fallback_map: error -22"))
        expect("unrelated fallback refused", run_case(d, unmapped, good_after, clean),
               {"kernel.unrelated-fallback"})
        mapped = dict(REPORTS, **{"no-p2p": REPORTS["no-p2p"].replace("fallback_map: error -22",
                                                                      "fallback_map: ok nents=1")})
        expect("no p2pdma path but mapped", run_case(d, mapped, good_after, clean),
               {"kernel.no-p2p-path-refused"})
        wrong = dict(REPORTS, iov=REPORTS["iov"].replace("0xfe000000-0xfe003fff ok", "0xfe000000-0xfe000fff ok"))
        expect("wrong range", run_case(d, wrong, good_after, clean), {"kernel.iov-import-ranges"})
        accepted = dict(REPORTS, forged=REPORTS["forged"].replace("forged rejected -34", "forged ok")
                        .replace("path: fallback", "path: iov").replace("reason: rejected-range", "reason: none")
                        .replace("attachment_interconnect: none", "attachment_interconnect: iov"))
        expect("forged accepted", run_case(d, accepted, stats(3, 2, 3, 2, 0), clean),
               {"kernel.forged-range-rejected"})
        kept = dict(REPORTS, forged=REPORTS["forged"].replace("attachment_interconnect: none",
                                                              "attachment_interconnect: iov"))
        expect("fallback kept the interconnect", run_case(d, kept, good_after, clean),
               {"kernel.forged-range-rejected"})
        expect("counters off", run_case(d, REPORTS, stats(2, 2, 3, 3, 0), clean), {"kernel.counters-agree"})
        expect("fallback counted as a match too", run_case(d, REPORTS, stats(3, 2, 3, 3, 1), clean),
               {"kernel.counters-agree"})
        leaked = BUFINFO.format(attached=f"\t{PF} interconnect=iov\n", n=1)
        expect("leaked attachment", run_case(d, REPORTS, good_after, leaked), {"kernel.bufinfo-agree"})
        # The bench row: medians of the timing imports; a timing import that
        # took the wrong path does not count.
        timed = dict(REPORTS)
        for i, (ic, legacy) in enumerate([(100, 900), (300, 700), (200, 800), (5, 1)], 1):
            wrong = i == 4
            timed[f"timing-iov-{i}"] = REPORTS["iov"].replace(
                "path: iov", "path: fallback" if wrong else "path: iov") + f"map_ns: {ic}\n"
            timed[f"timing-unrelated-{i}"] = REPORTS["unrelated"].replace(
                "path: fallback", "path: iov" if wrong else "path: fallback") + f"map_ns: {legacy}\n"
        run_case(d, timed, good_after, clean)
        try:
            with open(os.path.join(d, "kernel-bench.json")) as f:
                bench = json.load(f)
        except (OSError, ValueError) as e:
            bench = {"error": str(e)}
        want = {"interconnect_map_ns": 200, "legacy_map_ns": 800, "repeats": 3, "size_bytes": 16384}
        if {k: bench.get(k) for k in want} != want:
            print(f"FAIL: bench medians: {bench}, expected {want}")
            failures += 1
    print("all assertions passed" if not failures else f"{failures} assertion(s) failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
