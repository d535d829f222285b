#!/usr/bin/env python3
"""stats_check.py: zero-copy frames with 0 bytes copied pass; copies, missing
zero-copy frames, a wrong backend and bad JSON fail (docs/stats-json.md)."""
import json
import os
import subprocess
import sys
import tempfile

CHECK = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "emulated", "stats_check.py")


def stats(zero_copy, client_copied, backend="drm"):
    return {"backend": backend, "renderer": "vulkan",
            "paths": {"dmabuf_zero_copy": zero_copy, "dmabuf_copy": 0, "shm_copy": 3},
            "bytes_copied": 999, "bytes_zero_copy": zero_copy * 76800,
            "clients": [{"id": 1, "paths": {"dmabuf_zero_copy": zero_copy}, "bytes_copied": client_copied},
                        {"id": 2, "paths": {"shm_copy": 3}, "bytes_copied": 999}]}


def main():
    cases = [("zero-copy client copied nothing", stats(5, 0), 0),
             ("zero-copy client copied bytes", stats(5, 4096), 1),
             ("no zero-copy frame", stats(0, 0), 1),
             ("wrong backend", stats(5, 0, backend="headless"), 1)]
    failures = 0
    with tempfile.TemporaryDirectory() as d:
        for name, content, want in cases:
            p = os.path.join(d, "stats.json")
            with open(p, "w") as f:
                json.dump(content, f)
            got = subprocess.run([sys.executable, CHECK, p, "backend=drm", "renderer=vulkan"],
                                 capture_output=True).returncode
            if got != want:
                print(f"FAIL: {name}: exit {got}, expected {want}")
                failures += 1
        p = os.path.join(d, "broken.json")
        with open(p, "w") as f:
            f.write("{\"paths\": ")
        if subprocess.run([sys.executable, CHECK, p], capture_output=True).returncode != 2:
            print("FAIL: truncated JSON must exit 2")
            failures += 1
    print("all assertions passed" if not failures else f"{failures} assertion(s) failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
