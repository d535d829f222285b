#!/usr/bin/env python3
"""pattern_check.py passes on SMPTE bars and fails on images without them."""
import os
import struct
import subprocess
import sys
import tempfile
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
CHECK = os.path.join(HERE, "..", "emulated", "pattern_check.py")
BARS = [(191, 191, 191), (191, 191, 0), (0, 191, 191), (0, 191, 0), (191, 0, 191),
        (191, 0, 0), (0, 0, 191)]


def write_png(path, width, height, pixel, filt=0):
    raw = bytearray()
    for y in range(height):
        raw.append(filt)
        prev = bytes(3)
        for x in range(width):
            px = bytes(pixel(x, y))
            if filt == 1:  # Sub filter: store the difference to the left pixel
                raw += bytes((px[i] - prev[i]) & 255 for i in range(3))
            else:
                raw += px
            prev = px

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(bytes(raw))) + chunk(b"IEND", b""))


def run(path):
    return subprocess.run([sys.executable, CHECK, path], capture_output=True, text=True).returncode


def main():
    failures = 0
    with tempfile.TemporaryDirectory() as d:
        # The client's window (bars) inside a larger dark screen, as a screendump shows it.
        def screen(x, y):
            if 40 <= x < 180 and 20 <= y < 100:
                return BARS[(x - 40) * 7 // 140]
            return (20, 20, 20)
        cases = [("bars.png", screen, 0, 0), ("bars-sub.png", screen, 1, 0),
                 ("grey.png", lambda x, y: (128, 128, 128), 0, 1),
                 ("no-blue.png", lambda x, y: BARS[min(x * 7 // 200, 5)], 0, 1)]
        for name, pixel, filt, want in cases:
            p = os.path.join(d, name)
            write_png(p, 200, 120, pixel, filt)
            got = run(p)
            if got != want:
                print(f"FAIL: {name}: exit {got}, expected {want}")
                failures += 1
        bad = os.path.join(d, "bad.png")
        with open(bad, "wb") as f:
            f.write(b"not a png")
        if run(bad) != 2:
            print("FAIL: a non-PNG must exit 2")
            failures += 1
    print("all assertions passed" if not failures else f"{failures} assertion(s) failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
