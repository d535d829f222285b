#!/usr/bin/env python3
"""visual.py's many-cases run, as the emulated VM uses it, on wl_shm cases
(no device needed): one compositor per output scale shared by its cases,
--show-only then --judge on a copy of the output folder (the host's view of
the guest's share) passes; a case judged on another case's captures fails;
results lines that break the format are refused (case_results.py).

usage: test_shared_run.py --bin DIR --out DIR
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import case_results  # noqa: E402

VISUAL = os.path.join(HERE, "visual.py")
CASES = ["smpte-shm-160x120-x1", "checker-shm-96x64-x1", "gradient-shm-96x64-x2"]
failures = []


def expect(cond, what):
    if not cond:
        failures.append(what)
        print(f"FAIL: {what}")


def run(*args):
    r = subprocess.run([sys.executable, VISUAL, *args], capture_output=True, text=True, timeout=170)
    return r.returncode, r.stdout + r.stderr


def results_format():
    with tempfile.TemporaryDirectory() as d:
        p = os.path.join(d, "r.tsv")
        case_results.append(p, "a-udmabuf-1x1-x1", "skip", "missing hardware: no /dev/udmabuf")
        case_results.append(p, "b", "fail", "two\tlines\nin one")
        expect(case_results.read(p) == [("a-udmabuf-1x1-x1", "skip", "missing hardware: no /dev/udmabuf"),
                                        ("b", "fail", "two lines in one")], "append/read round trip")
        for bad in ("visual.x\tskip\tno reason given\n", "visual.x\tpassed\tok\n",
                    "other.x\tpass\tok\n", "visual.x\tpass\n", "visual.\tpass\tok\n"):
            with open(p, "w") as f:
                f.write(bad)
            try:
                case_results.read(p)
                expect(False, f"bad line accepted: {bad!r}")
            except case_results.ResultsError:
                pass
        try:
            case_results.append(p, "x", "skip", "just skipped")
            expect(False, "a skip without missing hardware was written")
        except ValueError:
            pass


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    results_format()

    shutil.rmtree(a.out, ignore_errors=True)
    guest = os.path.join(a.out, "guest")
    shown = os.path.join(guest, "results.tsv")
    rc, log = run("--bin", a.bin, "--out", guest, "--results", shown, "--show-only", *CASES)
    expect(rc == 0, f"--show-only run exited {rc}: {log[-2000:]}")
    rows = case_results.read(shown) if os.path.exists(shown) else []
    expect(sorted(r[0] for r in rows) == sorted(CASES) and all(r[1] == "shown" for r in rows),
           f"every case shown once: {rows}")
    expect(len([n for n in os.listdir(guest) if n.startswith("compositor-x")]) == 2,
           "one compositor per output scale")

    # The host judges a copy: the paths in shown.json are relative.
    host = os.path.join(a.out, "host")
    shutil.copytree(guest, host)
    shutil.rmtree(guest)
    judged = os.path.join(host, "judged.tsv")
    rc, log = run("--bin", a.bin, "--out", host, "--judge", os.path.join(host, "results.tsv"),
                  "--results", judged)
    rows = case_results.read(judged) if os.path.exists(judged) else []
    expect(rc == 0 and len(rows) == len(CASES) and all(r[1] == "pass" for r in rows),
           f"judged on the copy: exit {rc}, {rows}: {log[-2000:]}")

    # Another case's captures: the pattern check must fail it.
    with open(os.path.join(host, CASES[1], "shown.json")) as f:
        other = json.load(f)
    with open(os.path.join(host, CASES[0], "shown.json"), "w") as f:
        json.dump(other, f)
    rc, log = run("--bin", a.bin, "--out", host, "--judge", os.path.join(host, "results.tsv"),
                  "--results", judged)
    rows = dict((r[0], r[1]) for r in case_results.read(judged))
    expect(rc == 1 and rows.get(CASES[0]) == "fail" and rows.get(CASES[1]) == "pass",
           f"mixed-up captures: exit {rc}, {rows}")
    if failures:
        print(f"{len(failures)} failure(s)")
        return 1
    print("shared run: all expectations met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
