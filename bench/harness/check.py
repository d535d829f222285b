#!/usr/bin/env python3
"""`./zcd bench --check`: which targets do the latest results miss?

Reads the newest bench/results/*.json (by its finished_at field) and prints
one line per target and row: met, MISSED, or NOT MEASURED with the reason.
Benchmarks never fail CI, so missing a target is not an error: exit 0.
Exit 2 only when there are no results to judge.
"""
import glob
import json
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from targets import judge  # noqa: E402


def latest(results_dir):
    best = None
    for path in glob.glob(os.path.join(results_dir, "*.json")):
        try:
            with open(path) as f:
                doc = json.load(f)
        except (OSError, json.JSONDecodeError) as e:
            print(f"check: skipping unreadable {path}: {e}", file=sys.stderr)
            continue
        key = doc.get("finished_at", "")
        if best is None or key > best[0]:
            best = (key, path, doc)
    return best


def main(argv):
    if len(argv) != 1:
        print("usage: check.py RESULTS_DIR", file=sys.stderr)
        return 2
    found = latest(argv[0])
    if not found:
        print(f"bench: no results in {argv[0]}; run ./zcd bench first", file=sys.stderr)
        return 2
    _, path, doc = found
    _, report = judge(doc.get("rows", []))
    print(f"targets against {os.path.basename(path)} ({doc.get('mode', '?')} run, "
          f"finished {doc.get('finished_at', '?')}, commit {doc.get('environment', {}).get('git_commit', '?')}):")
    for line in report:
        print("  " + line)
    missed = sum(1 for ln in report if ln.startswith("MISSED"))
    unmeasured = sum(1 for ln in report if ln.startswith("NOT MEASURED"))
    met = sum(1 for ln in report if ln.startswith("met"))
    print(f"zcd-bench-check: met={met} missed={missed} not_measured={unmeasured}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
