#!/usr/bin/env python3
"""Waits until zc-compositor's live stats show a client that keeps committing.

Reads the --stats-socket lines (docs/stats-socket.md) and returns once N
lines in a row report a client with at least one commit in their window,
so the checks that follow see a client in steady state, not its first
buffer.  Exit 0 when seen, 1 on timeout, 2 on bad input.
"""
import json
import socket
import sys
import time


def main():
    if len(sys.argv) != 4 or sys.argv[1] in ("-h", "--help"):
        print("usage: wait_client_commits.py SOCKET LINES TIMEOUT_S", file=sys.stderr)
        return 2
    path, want, timeout = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    deadline = time.monotonic() + timeout
    run = 0
    while time.monotonic() < deadline:
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                s.settimeout(max(0.1, deadline - time.monotonic()))
                s.connect(path)
                for line in s.makefile("r", encoding="utf-8"):
                    try:
                        stats = json.loads(line)
                    except ValueError:
                        print(f"wait_client_commits: not JSON on {path}: {line[:60]!r}")
                        return 2
                    if stats.get("type") != "stats":
                        continue
                    busy = any(c.get("Commits", 0) > 0 for c in stats.get("clients", []))
                    run = run + 1 if busy else 0
                    if run >= want:
                        print(f"a client committed in {run} consecutive 1 s windows")
                        return 0
                    if time.monotonic() >= deadline:
                        break
        except (OSError, socket.timeout):
            time.sleep(1)
    print(f"no client committed in {want} consecutive windows within {timeout:.0f} s")
    return 1


if __name__ == "__main__":
    sys.exit(main())
