#!/usr/bin/env python3
"""ppm_to_png.py IN.ppm OUT.png: a binary PPM (P6, maxval 255), what QMP's
screendump writes in its default format, as an RGB PNG (what zc-verify and
pattern_check.py read).  The project's QEMU is built without libpng, so its
screendump cannot write PNG itself.  Standard library only."""
import struct
import sys
import zlib


def read_ppm(data):
    """-> (width, height, rgb bytes); ValueError when it is not a P6 PPM."""
    fields, pos = [], 0
    while len(fields) < 4:
        while pos < len(data) and data[pos:pos + 1].isspace():
            pos += 1
        if data[pos:pos + 1] == b"#":
            pos = data.index(b"\n", pos) + 1
            continue
        end = pos
        while end < len(data) and not data[end:end + 1].isspace():
            end += 1
        if end == pos:
            raise ValueError("truncated PPM header")
        fields.append(data[pos:end])
        pos = end
    if fields[0] != b"P6" or fields[3] != b"255":
        raise ValueError(f"not a P6 PPM with maxval 255 ({fields[0]!r}, maxval {fields[3]!r})")
    width, height = int(fields[1]), int(fields[2])
    pixels = data[pos + 1:pos + 1 + width * height * 3]
    if len(pixels) != width * height * 3:
        raise ValueError(f"PPM has {len(pixels)} pixel bytes, {width}x{height} needs {width * height * 3}")
    return width, height, pixels


def png_bytes(width, height, rgb):
    rows = b"".join(b"\0" + rgb[y * width * 3:(y + 1) * width * 3] for y in range(height))

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def main(argv):
    if len(argv) != 2:
        print("usage: ppm_to_png.py IN.ppm OUT.png", file=sys.stderr)
        return 2
    try:
        with open(argv[0], "rb") as f:
            width, height, rgb = read_ppm(f.read())
        with open(argv[1], "wb") as f:
            f.write(png_bytes(width, height, rgb))
    except (OSError, ValueError) as e:
        print(f"ppm_to_png: {argv[0]}: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
