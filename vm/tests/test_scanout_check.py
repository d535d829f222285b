#!/usr/bin/env python3
"""scanout_check.py: guest dma-buf output buffers with the wanted scanout paths
and 0 bytes copied pass; wlroots' buffers, a missing path, a composed_copy
frame, copied bytes and bad JSON fail (docs/stats-json.md)."""
import json
import os
import subprocess
import sys
import tempfile

CHECK = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "emulated", "scanout_check.py")


def stats(direct=0, zero_copy=0, copy=0, copied=0, buffers="guest_dmabuf"):
    return {"backend": "drm", "output_buffers": buffers,
            "output_buffers_fallback": "none" if buffers == "guest_dmabuf" else "no_udmabuf",
            "scanout_paths": {"direct_scanout": direct, "composed_zero_copy": zero_copy,
                              "composed_copy": copy},
            "scanout_copy_reasons": {"readback": 0, "dumb_buffer": copy, "unclassified": 0},
            "scanout_bytes_copied": copied}


def main():
    both = ["--want", "composed_zero_copy", "--want", "direct_scanout"]
    cases = [("composed zero-copy only", stats(zero_copy=9), ["--want", "composed_zero_copy"], 0),
             ("both paths", stats(direct=4, zero_copy=9), both, 0),
             ("direct scanout missing", stats(zero_copy=9), both, 1),
             ("dumb buffers", stats(zero_copy=0, copy=9, copied=9 * 307200, buffers="wlroots"),
              ["--want", "composed_zero_copy"], 1),
             ("a composed_copy frame", stats(zero_copy=9, copy=1, copied=0), ["--want", "composed_zero_copy"], 1),
             ("bytes copied", stats(zero_copy=9, copied=4096), ["--want", "composed_zero_copy"], 1)]
    failures = 0
    with tempfile.TemporaryDirectory() as d:
        for name, content, args, want in cases:
            p = os.path.join(d, "stats.json")
            with open(p, "w") as f:
                json.dump(content, f)
            got = subprocess.run([sys.executable, CHECK, p] + args, capture_output=True).returncode
            if got != want:
                print(f"FAIL: {name}: exit {got}, expected {want}")
                failures += 1
        p = os.path.join(d, "broken.json")
        with open(p, "w") as f:
            f.write("{\"scanout_paths\": ")
        if subprocess.run([sys.executable, CHECK, p, "--want", "direct_scanout"],
                          capture_output=True).returncode != 2:
            print("FAIL: truncated JSON must exit 2")
            failures += 1
    print("all assertions passed" if not failures else f"{failures} assertion(s) failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
