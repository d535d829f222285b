#!/usr/bin/env python3
"""kstat_check.py: stats whose kernel counters equal the snapshots pass; a
differing, missing or null side fails; bad arguments and files that are no
counters snapshot are reported as bad input (docs/kernel-debugfs.md)."""
import json
import os
import subprocess
import sys
import tempfile

CHECK = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "emulated", "kstat_check.py")

GUEST = ("version: 1\ninterconnect: iov\n\tmatches: 2\n\tmaps: 2\n\tfallbacks: 2\n"
         "\trejected_ranges: 1\ninterconnect: other\n\tmaps: 3\n\tfallbacks: 0\n\trejected_ranges: 0\n")
HOST = "version: 1\ninterconnect: iov\n\tmaps: 70\n\tfallbacks: 8\n\trejected_ranges: 9\n"


def kernel(guest, host):
    return {"kernel": {"guest": guest, "host": host}}


def main():
    g = {"interconnect_maps": 5, "fallbacks": 2, "rejected_ranges": 1}
    h = {"interconnect_maps": 70, "fallbacks": 8, "rejected_ranges": 9}
    cases = [("both sides equal (guest summed over 2 interconnects)", kernel(g, h), ["guest", "host"], 0),
             ("host differs", kernel(g, dict(h, fallbacks=7)), ["guest", "host"], 1),
             ("host never read (null)", kernel(g, None), ["guest", "host"], 1),
             ("only the guest asked", kernel(g, None), ["guest"], 0),
             ("no kernel object", {}, ["guest"], 1)]
    failures = 0
    with tempfile.TemporaryDirectory() as d:
        files = {"guest": os.path.join(d, "guest.txt"), "host": os.path.join(d, "host.txt"),
                 "junk": os.path.join(d, "junk.txt")}
        for name, text in (("guest", GUEST), ("host", HOST), ("junk", "maps: 3\n")):
            with open(files[name], "w") as f:
                f.write(text)
        stats = os.path.join(d, "stats.json")

        def run(content, args):
            with open(stats, "w") as f:
                f.write(content if isinstance(content, str) else json.dumps(content))
            return subprocess.run([sys.executable, CHECK, stats, *args], capture_output=True, text=True)

        for name, content, sides, want in cases:
            r = run(content, [f"{s}={files[s]}" for s in sides])
            ok = r.returncode == want
            print(f"{'ok' if ok else 'FAIL'}: {name}: exit {r.returncode} (want {want}): {r.stdout.strip()}")
            failures += not ok
        for name, content, args in (("not JSON", "{", [f"guest={files['guest']}"]),
                                    ("not a snapshot", kernel(g, h), [f"guest={files['junk']}"]),
                                    ("bad side", kernel(g, h), [f"vf={files['guest']}"]),
                                    ("missing file", kernel(g, h), [f"guest={d}/none"])):
            r = run(content, args)
            ok = r.returncode == 2 and len(r.stdout.strip().splitlines()) == 1
            print(f"{'ok' if ok else 'FAIL'}: {name}: exit {r.returncode} (want 2): {r.stdout.strip()}")
            failures += not ok
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
