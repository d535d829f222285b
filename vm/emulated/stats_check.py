#!/usr/bin/env python3
"""Checks zc-compositor's --stats-json for the emulated test (docs/stats-json.md).

Passes when frames took the dmabuf_zero_copy path, no byte was copied for
the clients that sent them, and every KEY=VALUE given matches the stats'
top-level value (e.g. backend=drm renderer=vulkan).  Prints one line saying what it found; exit 0 pass,
1 fail, 2 bad input.
"""
import json
import sys


def count(paths, name):
    v = (paths or {}).get(name, 0)
    return v if isinstance(v, int) else 0


def main():
    if len(sys.argv) < 2 or sys.argv[1] in ("-h", "--help"):
        print("usage: stats_check.py STATS.json [KEY=VALUE...]", file=sys.stderr)
        return 2
    try:
        with open(sys.argv[1], encoding="utf-8") as f:
            stats = json.load(f)
    except (OSError, ValueError) as e:
        print(f"stats_check: cannot read {sys.argv[1]}: {e}")
        return 2
    for want in sys.argv[2:]:
        key, _, value = want.partition("=")
        if str(stats.get(key)) != value:
            print(f"stats say {key}={stats.get(key)!r}, expected {value!r}")
            return 1
    zero_copy = count(stats.get("paths"), "dmabuf_zero_copy")
    if zero_copy <= 0:
        print(f"no dmabuf_zero_copy frame; paths={stats.get('paths')} "
              f"fallback_reasons={stats.get('fallback_reasons')}")
        return 1
    clients = [c for c in stats.get("clients", []) if count(c.get("paths"), "dmabuf_zero_copy") > 0]
    copied = [c.get("bytes_copied", 0) for c in clients] if clients else [stats.get("bytes_copied", 0)]
    if any(b != 0 for b in copied):
        print(f"{zero_copy} dmabuf_zero_copy frames but bytes_copied={copied} for their clients")
        return 1
    print(f"{zero_copy} dmabuf_zero_copy frames, 0 bytes copied for them "
          f"(bytes_zero_copy={stats.get('bytes_zero_copy')})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
