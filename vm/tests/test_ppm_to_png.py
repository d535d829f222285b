#!/usr/bin/env python3
"""ppm_to_png.py: a P6 PPM (QMP screendump's format) becomes a PNG with the
same pixels (decoded again here with zlib), a comment in the header is
skipped, and a file that is not a P6 PPM, or is truncated, fails with one
line and status 1."""
import os
import struct
import subprocess
import sys
import tempfile
import zlib

CONV = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "emulated", "ppm_to_png.py")
failures = []


def png_pixels(data):
    pos, idat, size = 8, b"", None
    while pos < len(data):
        n, = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            size = struct.unpack(">II", body[:8])
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw = zlib.decompress(idat)
    w, h = size
    return size, b"".join(raw[y * (w * 3 + 1) + 1:(y + 1) * (w * 3 + 1)] for y in range(h))


def run(ppm):
    with tempfile.TemporaryDirectory() as d:
        src, dst = os.path.join(d, "in.ppm"), os.path.join(d, "out.png")
        with open(src, "wb") as f:
            f.write(ppm)
        r = subprocess.run([sys.executable, CONV, src, dst], capture_output=True, text=True, check=False)
        out = open(dst, "rb").read() if os.path.exists(dst) else None
        return r.returncode, r.stderr, out


pixels = bytes([255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30, 40, 50, 60, 70, 80, 90])
rc, err, png = run(b"P6\n# QEMU\n3 2\n255\n" + pixels)
if rc != 0 or png is None or png_pixels(png) != ((3, 2), pixels):
    failures.append(f"round trip: rc {rc} {err}")
for label, data, want in [("P3 text PPM", b"P3\n1 1\n255\n0 0 0\n", "not a P6 PPM"),
                          ("truncated", b"P6\n2 2\n255\n" + bytes(5), "needs 12")]:
    rc, err, _ = run(data)
    if rc != 1 or want not in err or len(err.strip().splitlines()) != 1:
        failures.append(f"{label}: rc {rc}, stderr {err!r}")
for f in failures:
    print("FAIL", f)
print(f"{len(failures)} failure(s)")
sys.exit(1 if failures else 0)
