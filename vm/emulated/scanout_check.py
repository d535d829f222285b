#!/usr/bin/env python3
"""Checks the output hop in zc-compositor's --stats-json (docs/stats-json.md).

For the emulated test on virtio-gpu KMS: passes when the compositor used guest
dma-bufs for its outputs (`output_buffers` is `guest_dmabuf`), every scanout
path named with --want has presented frames, no frame took `composed_copy`,
and the output hop copied 0 bytes (`scanout_bytes_copied`).  Prints one line
saying what it found; exit 0 pass, 1 fail, 2 bad input.
"""
import argparse
import json
import sys

PATHS = ("direct_scanout", "composed_zero_copy", "composed_copy")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("stats", help="the compositor's stats.json")
    ap.add_argument("--want", action="append", choices=PATHS[:2], required=True,
                    help="a scanout path that must have frames (repeatable)")
    a = ap.parse_args()
    try:
        with open(a.stats, encoding="utf-8") as f:
            stats = json.load(f)
    except (OSError, ValueError) as e:
        print(f"scanout_check: cannot read {a.stats}: {e}")
        return 2
    paths = stats.get("scanout_paths") or {}
    counts = {p: paths.get(p, 0) if isinstance(paths.get(p, 0), int) else 0 for p in PATHS}
    shown = ", ".join(f"{p} {counts[p]}" for p in PATHS)
    copied = stats.get("scanout_bytes_copied")
    if stats.get("output_buffers") != "guest_dmabuf":
        print(f"output buffers {stats.get('output_buffers')!r} "
              f"(fallback {stats.get('output_buffers_fallback')!r}), not guest_dmabuf; {shown}")
        return 1
    missing = [p for p in a.want if counts[p] <= 0]
    if missing:
        print(f"no {' or '.join(missing)} frame; {shown}; "
              f"misses {stats.get('direct_scanout_misses')}")
        return 1
    if counts["composed_copy"] or copied != 0:
        print(f"the output hop copied: {shown}, scanout_bytes_copied={copied}, "
              f"reasons {stats.get('scanout_copy_reasons')}")
        return 1
    print(f"output buffers guest_dmabuf; frames per scanout path: {shown}; "
          f"0 bytes copied by the output hop")
    return 0


if __name__ == "__main__":
    sys.exit(main())
