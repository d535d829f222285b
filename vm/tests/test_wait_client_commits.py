#!/usr/bin/env python3
"""wait_client_commits.py against a fake stats socket: returns 0 once N lines
in a row show a committing client, 1 when the client stops before that or
never comes, 2 on a line that is not JSON (docs/stats-socket.md)."""
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading

WAIT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "emulated",
                    "wait_client_commits.py")


def line(commits):
    clients = [] if commits is None else [{"id": 1, "name": "zc-client", "Commits": commits}]
    return json.dumps({"type": "stats", "version": 1, "window_s": 1, "clients": clients}) + "\n"


def serve(path, lines):
    """Accepts one reader, sends LINES, then closes (a compositor that exits)."""
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(1)

    def run():
        conn, _ = srv.accept()
        with conn:
            for text in lines:
                conn.sendall(text.encode())
        srv.close()
    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t


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
