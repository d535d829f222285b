#!/usr/bin/env python3
"""Judges the kernel-path artefacts of the emulated guest.

Input: the directory guest-importer-steps.sh filled (report-{iov,unrelated,
no-p2p,forged}.txt, stats-{before,after}.txt, bufinfo-{held,after}.txt), the VF's
PCI address, its BAR 0 as sysfs gives it, and the forged range.  Report keys
are those of kernel/README.md (test importer); counters follow
docs/kernel-debugfs.md.  Prints one "NAME<TAB>pass|fail<TAB>DETAIL" line per
check; exit 0 when all pass.
"""
import json
import os
import statistics
import sys

CHECKS = ["kernel.iov-import-ranges", "kernel.unrelated-fallback", "kernel.no-p2p-path-refused",
          "kernel.forged-range-rejected", "kernel.counters-agree", "kernel.bufinfo-agree"]
IMPORTS = ("iov", "unrelated", "no-p2p", "forged")
EINVAL = 22


def read(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError:
        return None


def parse_report(text):
    """Report -> dict of first values, plus the list of 'range:' lines."""
    report, ranges = {}, []
    for line in (text or "").splitlines():
        key, sep, value = line.partition(":")
        if not sep:
            continue
        key, value = key.strip(), value.split("#")[0].strip()
        if key == "range":
            ranges.append(value)
        else:
            report.setdefault(key, value)
    report["_ranges"] = ranges
    return report


def parse_span(text):
    """'0xa-0xb ...' -> (a, b) inclusive."""
    lo, _, hi = text.split()[0].partition("-")
    return int(lo, 16), int(hi, 16)


def parse_stats(text):
    """interconnect_stats -> {interconnect: {key: int}} (docs/kernel-debugfs.md)."""
    stats, current = {}, None
    for line in (text or "").splitlines():
        if line.startswith("interconnect:"):
            current = stats.setdefault(line.split(":", 1)[1].strip(), {})
        elif line.startswith("\t") and current is not None and ":" in line:
            key, value = line.strip().split(":", 1)
            try:
                current[key.strip()] = int(value)
            except ValueError:
                pass
    return stats


def expected_deltas(reports):
    """What each report predicts for the iov counters."""
    d = dict.fromkeys(["matches", "match_failures", "maps", "unmaps", "map_failures",
                       "fallbacks", "rejected_ranges"], 0)
    for r in reports:
        if r.get("interconnect") == "iov":
            # A match counts when the importer kept it (detach): one that
            # fell back afterwards counts as a fallback only.
            if r.get("path") == "iov":
                d["matches"] += 1
            if "map_error" in r:
                d["map_failures"] += 1
            else:
                d["maps"] += 1
                d["unmaps"] += 1  # nothing stays attached after an import
        elif r.get("reason") == "no-match":
            d["match_failures"] += 1
        if r.get("path") == "fallback":
            d["fallbacks"] += 1
        d["rejected_ranges"] += sum(1 for x in r["_ranges"] if "rejected" in x.split())
    return d


def main():
    if len(sys.argv) != 7 or sys.argv[1] in ("-h", "--help"):
        print("usage: kernel_report_check.py DIR VF BAR-START BAR-END FORGE-START FORGE-LENGTH",
              file=sys.stderr)
        return 2
    d, vf = sys.argv[1], sys.argv[2]
    bar = (int(sys.argv[3], 16), int(sys.argv[4], 16))
    forge = (int(sys.argv[5], 16), int(sys.argv[5], 16) + int(sys.argv[6], 16) - 1)
    verdicts = {}

    def verdict(name, ok, detail):
        verdicts[name] = ("pass" if ok else "fail", detail)

    raw = {n: read(os.path.join(d, f"report-{n}.txt")) for n in IMPORTS}
    reports = {n: parse_report(raw[n]) for n in IMPORTS}
    iov, unrel, no_p2p, forged = (reports[n] for n in IMPORTS)

    # 1. The PF's import: IOV, exporter = our VF's BAR 0, ranges = exactly that BAR.
    if raw["iov"] is None:
        verdict(CHECKS[0], False, "no import report")
    else:
        spans = [parse_span(x) for x in iov["_ranges"] if x.split()[-1] == "ok"]
        problems = []
        if iov.get("interconnect") != "iov" or iov.get("path") != "iov":
            problems.append(f"interconnect={iov.get('interconnect')} path={iov.get('path')} "
                            f"reason={iov.get('reason')}")
        if iov.get("exporter", "").split()[:1] != [vf]:
            problems.append(f"exporter '{iov.get('exporter')}' is not {vf}")
        if "window" in iov and parse_span(iov["window"]) != bar:
            problems.append(f"window {iov['window']} != sysfs BAR0 {bar[0]:#x}-{bar[1]:#x}")
        if spans != [bar] or len(iov["_ranges"]) != 1:
            problems.append(f"ranges {iov['_ranges']} != sysfs BAR0 {bar[0]:#x}-{bar[1]:#x}")
        if iov.get("result") != "done":
            problems.append(f"result {iov.get('result')}")
        verdict(CHECKS[0], not problems, "; ".join(problems) or
                f"interconnect iov, 1 range {bar[0]:#x}-{bar[1]:#x} = /sys/bus/pci/devices/{vf}/resource BAR0")

    # 2. An unrelated importer behind the PF's switch: no match, the
    #    exporter's p2pdma-checked sg_table map.
    if raw["unrelated"] is None:
        verdict(CHECKS[1], False, "no import report (no unrelated device?)")
    else:
        ok = (unrel.get("interconnect") == "none" and unrel.get("path") == "fallback"
              and unrel.get("reason") == "no-match"
              and unrel.get("fallback_map", "").startswith("ok") and unrel.get("result") == "done")
        verdict(CHECKS[1], ok, f"importer {unrel.get('importer')}: interconnect={unrel.get('interconnect')} "
                f"path={unrel.get('path')} reason={unrel.get('reason')} fallback_map={unrel.get('fallback_map')}")

    # 3. An importer p2pdma cannot reach from the VF: no match, and the
    #    fallback map is refused rather than handing out an unusable address.
    if raw["no-p2p"] is None:
        verdict(CHECKS[2], False, "no import report (no nvme on the root complex?)")
    else:
        ok = (no_p2p.get("interconnect") == "none" and no_p2p.get("path") == "fallback"
              and no_p2p.get("reason") == "no-match"
              and no_p2p.get("fallback_map") == f"error -{EINVAL}")
        verdict(CHECKS[2], ok, f"importer {no_p2p.get('importer')}: interconnect={no_p2p.get('interconnect')} "
                f"path={no_p2p.get('path')} reason={no_p2p.get('reason')} "
                f"fallback_map={no_p2p.get('fallback_map')}")

    # 4. The forged range: rejected with -ERANGE, the import falls back.
    if raw["forged"] is None:
        verdict(CHECKS[3], False, "no import report")
    else:
        forged_lines = [x for x in forged["_ranges"] if "forged" in x.split()]
        rejected = [x for x in forged_lines if "rejected" in x.split()]
        ok = (len(rejected) == 1 and parse_span(rejected[0]) == forge
              and forged.get("reason") == "rejected-range" and forged.get("path") == "fallback"
              and forged.get("attachment_interconnect") == "none")
        verdict(CHECKS[3], ok, f"forged {forge[0]:#x}-{forge[1]:#x}: {forged_lines or 'no forged range line'}; "
                f"path={forged.get('path')} reason={forged.get('reason')} "
                f"attachment left with interconnect={forged.get('attachment_interconnect')}")

    # 5. Counters moved exactly as the three reports predict.
    before = parse_stats(read(os.path.join(d, "stats-before.txt"))).get("iov")
    after = parse_stats(read(os.path.join(d, "stats-after.txt"))).get("iov")
    if before is None or after is None:
        verdict(CHECKS[4], False, "no 'interconnect: iov' block in interconnect_stats")
    else:
        want = expected_deltas([reports[n] for n in IMPORTS if raw[n] is not None])
        got = {k: after.get(k, 0) - before.get(k, 0) for k in want}
        verdict(CHECKS[4], got == want, f"deltas {got}" + ("" if got == want else f" != predicted {want}"))

    # 6. bufinfo: the held buffer is listed with its exporter and size, and no
    #    attachment is left after the imports.
    held, after_text = read(os.path.join(d, "bufinfo-held.txt")), read(os.path.join(d, "bufinfo-after.txt"))
    size = bar[1] - bar[0] + 1
    exp_name = iov.get("exp_name", "vfio")
    rows = [line.split() for line in (held or "").splitlines()]
    listed = any(len(r) >= 5 and r[0].isdigit() and int(r[0]) == size and r[4] == exp_name for r in rows)
    leaked = [line for line in (after_text or "").splitlines() if "interconnect=" in line]
    totals = [line for line in (after_text or "").splitlines() if line.startswith("Total") and "attached" in line]
    attached_after = sum(int(t.split()[1]) for t in totals if t.split()[1].isdigit())
    ok = listed and not leaked and attached_after == 0 and held is not None
    verdict(CHECKS[5], ok, f"buffer of {size} bytes from {exp_name} {'listed' if listed else 'NOT listed'}; "
            f"attachments after the imports: {attached_after}" + (f", leaked {leaked}" if leaked else ""))

    # The bench's kernel row: median map time of the timing imports (the
    # checked imports' own times when there are none), interconnect vs legacy.
    def map_times(kind, first):
        times = []
        for name in sorted(os.listdir(d)):
            if name.startswith(f"report-timing-{kind}-"):
                r = parse_report(read(os.path.join(d, name)))
                if r.get("map_ns", "").isdigit() and r.get("path") == ("iov" if kind == "iov" else "fallback"):
                    times.append(int(r["map_ns"]))
        if not times and first.get("map_ns", "").isdigit():
            times.append(int(first["map_ns"]))
        return times

    ic_times, legacy_times = map_times("iov", iov), map_times("unrelated", unrel)
    if ic_times and legacy_times:
        try:
            bench = {"size_bytes": bar[1] - bar[0] + 1,
                     "interconnect_map_ns": statistics.median(ic_times),
                     "legacy_map_ns": statistics.median(legacy_times),
                     "repeats": min(len(ic_times), len(legacy_times)),
                     "note": "emulated VF BAR 0 (nvme VF), importer = PF vs unrelated device; medians"}
            with open(os.path.join(d, "kernel-bench.json"), "w", encoding="utf-8") as f:
                json.dump(bench, f)
        except OSError as e:
            print(f"kernel_report_check: kernel-bench.json not written: {e}", file=sys.stderr)

    for name in CHECKS:
        status, detail = verdicts[name]
        print(f"{name}\t{status}\t{detail}")
    return 0 if all(v[0] == "pass" for v in verdicts.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
