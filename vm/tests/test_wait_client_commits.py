#!/usr/bin/env python3
"""wait_client_commits.py against a fake stats socket: returns 0 once N lines
in a row show a committing client, 1 when the client stops before that or
never comes, 2 on a line that is not JSON (docs/stats-socket.md)."""
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
WAIT = os.path.join(HERE, "..", "emulated", "wait_client_commits.py")
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "harness"))
from fake_stats_socket import serve  # noqa: E402


def line(commits):
    clients = [] if commits is None else [{"id": 1, "name": "zc-client", "Commits": commits}]
    return json.dumps({"type": "stats", "version": 1, "window_s": 1, "clients": clients}) + "\n"


def main():
    cases = [
        ("steady client", [line(None), line(2), line(1), line(3)], 0),
        ("client stalls between commits", [line(2), line(0), line(1), line(1), line(None)], 1),
        ("no client at all", [line(None)] * 4, 1),
        ("other line types are skipped", ['{"type":"hello"}\n', line(1), line(1), line(1)], 0),
        ("not JSON", ["garbage\n"], 2),
    ]
    failures = 0
    for name, lines, want in cases:
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "stats.sock")
            t = serve(path, lines)
            r = subprocess.run([sys.executable, WAIT, path, "3", "3"], capture_output=True, text=True)
            t.join(timeout=5)
            ok = r.returncode == want
            print(f"{'ok' if ok else 'FAIL'}: {name}: exit {r.returncode} (want {want}): {r.stdout.strip()}")
            failures += not ok
    r = subprocess.run([sys.executable, WAIT], capture_output=True, text=True)
    if r.returncode != 2:
        print(f"FAIL: no arguments: exit {r.returncode} (want 2)")
        failures += 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
