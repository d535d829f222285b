#!/usr/bin/env python3
"""Pixel check of a captured frame: are the SMPTE colour bars there?

The stand-in for zc-verify until it exists, and a check that does not depend
on any zcdisplay code: counts pixels near each of the six saturated SMPTE bar
colours (yellow, cyan, green, magenta, red, blue at 75 %, tolerance 40 per
channel) and passes when each covers at least MIN pixels.  Reads 8-bit RGB or
RGBA PNGs (what QEMU's screendump and zc-compositor write).  Exit 0 pass,
1 fail, 2 bad input; prints one line.
"""
import struct
import sys
import zlib

BARS = {
    "yellow": (191, 191, 0), "cyan": (0, 191, 191), "green": (0, 191, 0),
    "magenta": (191, 0, 191), "red": (191, 0, 0), "blue": (0, 0, 191),
}
TOLERANCE = 40


def read_png(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat, hdr = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            hdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    if hdr is None:
        raise ValueError("no IHDR")
    width, height, depth, ctype, _, _, interlace = hdr
    if depth != 8 or ctype not in (2, 6) or interlace:
        raise ValueError(f"unsupported PNG (depth {depth}, colour type {ctype}, interlace {interlace})")
    bpp = 3 if ctype == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows, prev = [], bytearray(stride)
    for y in range(height):
        ftype = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            if ftype == 1:
                line[x] = (line[x] + a) & 255
            elif ftype == 2:
                line[x] = (line[x] + b) & 255
            elif ftype == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif ftype == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(line)
        prev = line
    return width, height, bpp, rows


def main():
    args = sys.argv[1:]
    if not args or args[0] in ("-h", "--help"):
        print("usage: pattern_check.py PNG [MIN-PIXELS-PER-BAR]", file=sys.stderr)
        return 2
    minimum = int(args[1]) if len(args) > 1 else 50
    try:
        width, height, bpp, rows = read_png(args[0])
    except (OSError, ValueError, zlib.error, struct.error) as e:
        print(f"pattern_check: {args[0]}: {e}")
        return 2
    counts = dict.fromkeys(BARS, 0)
    for line in rows:
        for x in range(0, width * bpp, bpp):
            px = line[x:x + 3]
            for name, ref in BARS.items():
                if all(abs(px[i] - ref[i]) <= TOLERANCE for i in range(3)):
                    counts[name] += 1
                    break
    absent = [n for n, c in counts.items() if c < minimum]
    summary = ", ".join(f"{n} {c}" for n, c in counts.items())
    if absent:
        print(f"SMPTE bars missing in {width}x{height} image ({', '.join(absent)} < {minimum} px): {summary}")
        return 1
    print(f"SMPTE bars present in {width}x{height} image: {summary}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
