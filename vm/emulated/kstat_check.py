#!/usr/bin/env python3
"""Checks that zc-compositor's --stats-json carries the kernel counters it read.

usage: kstat_check.py STATS.json SIDE=COUNTERS-FILE...   (SIDE: guest or host)

The stats' "kernel" object (docs/stats-json.md) holds, per side, the last
snapshot the compositor read for its overlay (--kstat for the guest kernel,
--host-kstat for the host agent): interconnect_maps, fallbacks and
rejected_ranges summed over the interconnects.  Each COUNTERS-FILE is a
snapshot in the debugfs text format (docs/kernel-debugfs.md) taken when the
compositor ran; the sums must be equal.  Prints one line; exit 0 pass, 1
fail, 2 bad input.
"""
import json
import sys

FIELDS = {"interconnect_maps": "maps", "fallbacks": "fallbacks", "rejected_ranges": "rejected_ranges"}


def sums(text):
    """Sums each counter over the file's interconnects; None if it has none."""
    if not text.startswith("version: 1\n"):
        return None
    total = {k: 0 for k in FIELDS}
    seen = False
    for line in text.splitlines()[1:]:
        if line.startswith("interconnect:"):
            seen = True
            continue
        key, sep, value = line.strip().partition(":")
        for out, name in FIELDS.items():
            if sep and key == name:
                total[out] += int(value)
    return total if seen else None


def main():
    if len(sys.argv) < 3 or sys.argv[1] in ("-h", "--help"):
        print("usage: kstat_check.py STATS.json SIDE=COUNTERS-FILE...", file=sys.stderr)
        return 2
    try:
        with open(sys.argv[1], encoding="utf-8") as f:
            kernel = json.load(f).get("kernel") or {}
    except (OSError, ValueError) as e:
        print(f"kstat_check: cannot read {sys.argv[1]}: {e}")
        return 2
    said = []
    for arg in sys.argv[2:]:
        side, _, path = arg.partition("=")
        if side not in ("guest", "host") or not path:
            print(f"kstat_check: bad argument {arg!r} (want guest=FILE or host=FILE)")
            return 2
        try:
            with open(path, encoding="utf-8") as f:
                want = sums(f.read())
        except (OSError, ValueError) as e:
            print(f"kstat_check: cannot read {path}: {e}")
            return 2
        if want is None:
            print(f"kstat_check: {path} is not a counters snapshot (docs/kernel-debugfs.md)")
            return 2
        got = kernel.get(side)
        if got != want:
            print(f"{side} counters in the stats {got} differ from {path}: {want}")
            return 1
        said.append(f"{side} {want}")
    print("stats carry the kernel counters: " + "; ".join(said))
    return 0


if __name__ == "__main__":
    sys.exit(main())
