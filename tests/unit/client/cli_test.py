#!/usr/bin/env python3
"""Command-line behaviour of zc-kstat, zc-vfio-dmabuf and zc-client: output on
good input, and one stderr line plus the documented exit code on bad input.

usage: cli_test.py BIN_DIR DATA_DIR
"""
import json
import os
import subprocess
import sys
import tempfile

failures = []


def run(args, env=None):
    return subprocess.run(args, capture_output=True, text=True, timeout=30, env=env)


def expect_error(name, args, code, says, env=None):
    p = run(args, env)
    lines = p.stderr.strip().splitlines()
    if p.returncode != code or len(lines) != 1 or says not in lines[0]:
        failures.append(f"{name}: want exit {code} and one line with '{says}', got "
                        f"{p.returncode}: {p.stderr!r}")


def main():
    bin_dir, data = sys.argv[1], sys.argv[2]
    kstat = os.path.join(bin_dir, "zc-kstat")
    vfio = os.path.join(bin_dir, "zc-vfio-dmabuf")
    client = os.path.join(bin_dir, "zc-client")

    p = run([kstat, "--file", f"{data}/stats-good.txt", "--bufinfo-file",
             f"{data}/bufinfo-good.txt", "--json"])
    try:
        j = json.loads(p.stdout)
        iov = j["stats"]["interconnects"][0]
        if p.returncode != 0 or iov["name"] != "iov" or iov["maps"] != 2 or \
                j["bufinfo"]["buffers"][0]["attachments"][0]["interconnect"] != "iov":
            failures.append(f"zc-kstat --json: unexpected {p.stdout!r}")
    except (ValueError, KeyError, IndexError) as e:
        failures.append(f"zc-kstat --json: not the expected JSON ({e}): {p.stdout!r}")
    p = run([kstat, "--file", f"{data}/stats-good.txt"])
    if p.returncode != 0 or "iov" not in p.stdout or "rejected" not in p.stdout:
        failures.append(f"zc-kstat text: {p.returncode} {p.stdout!r}")
    expect_error("zc-kstat malformed", [kstat, "--file", f"{data}/stats-overflow.txt"], 1,
                 "line 3: counter 'maps' is not an unsigned decimal")
    expect_error("zc-kstat bad bufinfo", [kstat, "--file", f"{data}/stats-good.txt",
                                          "--bufinfo-file", f"{data}/bufinfo-count-mismatch.txt"],
                 1, "says 2 devices attached but lists 1")
    expect_error("zc-kstat missing file", [kstat, "--file", "/nonexistent/x"], 1,
                 "cannot read /nonexistent/x")
    expect_error("zc-kstat bad flag", [kstat, "--frob"], 2, "bad argument '--frob'")

    with tempfile.TemporaryDirectory() as sysfs:
        expect_error("zc-vfio-dmabuf no device", [vfio, "--device", "0000:09:00.0", "--range",
                                                  "0:4096", "--sysfs-root", sysfs], 1,
                     "PCI device '0000:09:00.0' not found")
    expect_error("zc-vfio-dmabuf no range", [vfio, "--device", "0000:09:00.0"], 2,
                 "at least one --range")
    expect_error("zc-vfio-dmabuf bad range", [vfio, "--device", "x", "--range", "5"], 2,
                 "range '5' is not OFFSET:LENGTH")
    expect_error("zc-vfio-dmabuf exclusive", [vfio, "--device", "x", "--range", "0:1",
                                              "--write-fd-to", "f", "--exec", "true"], 2,
                 "exclude each other")

    expect_error("zc-vfio-dmabuf bad fill pattern", [vfio, "--device", "x", "--range", "0:1",
                                                     "--fill-pattern", "plaid"], 2,
                 "--fill-pattern: unknown pattern 'plaid'")
    expect_error("zc-vfio-dmabuf bad fill size", [vfio, "--device", "x", "--range", "0:1",
                                                  "--fill-size", "320"], 2,
                 "--fill-size needs WxH")

    # Without --device: only the frame a device would get, into --fill-out.
    with tempfile.TemporaryDirectory() as tmp:
        frames = []
        for n in (7, 8):
            path = os.path.join(tmp, f"frame{n}.raw")
            p = run([vfio, "--fill-pattern", "smpte", "--fill-size", "64x16", "--fill-frame", str(n),
                     "--fill-out", path])
            size = os.path.getsize(path) if os.path.exists(path) else None
            if p.returncode != 0 or size != 64 * 16 * 4 or "rendered smpte frame" not in p.stdout:
                failures.append(f"zc-vfio-dmabuf render only: exit {p.returncode}, {size} bytes, {p.stdout!r}")
            else:
                with open(path, "rb") as f:
                    frames.append(f.read())
        if len(frames) == 2 and frames[0] == frames[1]:
            failures.append("zc-vfio-dmabuf render only: frames 7 and 8 are identical (no identity stripe?)")
    expect_error("zc-vfio-dmabuf render needs out", [vfio, "--fill-pattern", "smpte"], 2,
                 "--device PCI_ADDR is required")

    expect_error("zc-client bad size", [client, "--size", "10"], 2, "--size must be WxH")
    expect_error("zc-client bad pattern", [client, "--pattern", "plaid"], 2,
                 "unknown pattern 'plaid'")
    with tempfile.TemporaryDirectory() as rt:
        env = {k: v for k, v in os.environ.items() if k != "WAYLAND_DISPLAY"}
        env["XDG_RUNTIME_DIR"] = rt
        env["WAYLAND_DISPLAY"] = "no-such-socket"
        expect_error("zc-client no display", [client, "--frames", "1"], 1,
                     "cannot connect to a Wayland display", env=env)

    for f in failures:
        print("FAIL", f)
    print(f"{len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
