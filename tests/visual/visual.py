#!/usr/bin/env python3
"""Headless visual regression of zero-copy display (issue 6).

Every zc-client pattern x every buffer source x two buffer sizes x output
scale 1 and 2 is shown by zc-compositor on a headless output, captured every
frame, and checked through zc-verify three ways:

  1. computed reference: the capture of the client's last frame equals the
     pattern frame computed by common/pattern, scaled and placed where the
     compositor puts the first window (independent of the renderer);
  2. reference image: the same capture equals tests/references/<case>-01.png,
     where <case> is the shm case of that pattern, size and scale (every
     source must show the same pixels);
  3. frame identity: the stripes of all captures that show the client have
     no tearing, reordering or corrupt stripes (drops and repeats reported).

The cases are data (the tables below); CTest runs each as visual_<case>.
A buffer source that needs a device this machine lacks (no /dev/udmabuf,
no /dev/dri) is skipped with "SKIP: missing hardware: ..." (exit 77).

usage: visual.py --bin DIR --out DIR [--update-references] CASE | --list | --check-references
  --update-references  write the capture as the case's reference (deliberate
                       re-baselining; review the PNGs before committing them)
"""
import argparse
import json
import os
import shutil
import signal
import struct
import subprocess
import sys
import time
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "harness"))
import zcd_harness as h  # noqa: E402

REFERENCES = os.path.join(HERE, "..", "references")

PATTERNS = ["smpte", "gradient", "checker", "motion", "solid:3366cc"]
SOURCES = ["shm", "vulkan", "udmabuf", "gbm"]
SIZES = [(160, 120), (96, 64)]
SCALES = [1, 2]
OUTPUT_SIZE = (400, 300)
FRAMES = 6
# The first toplevel's origin in layout (logical) coordinates; see app/layout.
WINDOW_ORIGIN = (8, 8)
# Words in zc-client's rejection line that mean a device is missing, not a bug.
# ("not exportable": the software Vulkan device here, lavapipe, cannot export
# dma-buf images; a GPU can.)
MISSING_HARDWARE = ("/dev/", "not present", "no render node", "no DRM", "not exportable")


def case_name(pattern, source, size, scale):
    return f"{pattern.replace(':', '-')}-{source}-{size[0]}x{size[1]}-x{scale}"


CASES = {case_name(p, s, z, k): (p, s, z, k)
         for p in PATTERNS for s in SOURCES for z in SIZES for k in SCALES}
# The source whose cases own the reference images (tests/references).
REFERENCE_SOURCE = "shm"


def reference_name(name):
    """The case whose reference image case NAME is checked against.

    Every source must show the same pixels (that is the point of a zero-copy
    path), so all sources share one reference per pattern, size and scale:
    the shm case's."""
    pattern, _, size, scale = CASES[name]
    return case_name(pattern, REFERENCE_SOURCE, size, scale)


def missing_references():
    """The reference images some case needs and tests/references lacks."""
    need = sorted({reference_name(n) for n in CASES})
    return [n for n in need if not os.path.exists(os.path.join(REFERENCES, f"{n}-01.png"))]


def check(cond, msg):
    if not cond:
        raise h.HarnessError(msg)


def verify(bin_dir, out_dir, *args):
    """Runs zc-verify; returns (exit code, result.json)."""
    cmd = [os.path.join(bin_dir, "zc-verify"), "--out", out_dir, *args]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    sys.stdout.write(r.stdout)
    sys.stdout.write(r.stderr)
    check(r.returncode in (0, 1), f"zc-verify failed to run ({r.returncode}): {r.stderr.strip()}")
    with open(os.path.join(out_dir, "result.json")) as f:
        return r.returncode, json.load(f)


def write_png_rgb(path, img):
    """Writes a harness Image as an 8-bit RGB PNG (filter 0), zlib alone."""
    raw = b"".join(b"\x00" + bytes(row[x * img.channels + c] for x in range(img.width)
                                     for c in range(3)) for row in img.rows)

    def chunk(kind, body):
        return (struct.pack(">I", len(body)) + kind + body +
                struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))

    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", img.width, img.height,
                                                                   8, 2, 0, 0, 0)) +
                chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def compositor_supports_scale(bin_dir):
    r = subprocess.run([os.path.join(bin_dir, "zc-compositor"), "--help"],
                       capture_output=True, text=True, timeout=30)
    return "--scale" in r.stdout


def unavailable_marker(out_dir, source):
    # Shared by all cases of one run (out_dir is <out>/<case>): a source found
    # missing once is not probed again with a compositor per case.
    return os.path.join(os.path.dirname(out_dir), f"source-{source}.unavailable")


def run_case(name, bin_dir, out_dir, update):
    source, scale = CASES[name][1], CASES[name][3]
    marker = unavailable_marker(out_dir, source)
    # Only trust a marker of this run (a device may appear between runs).
    if os.path.exists(marker) and time.time() - os.path.getmtime(marker) < 600:
        with open(marker) as f:
            print(f"SKIP: missing hardware: {f.read().strip()}")
        sys.exit(77)
    # Without --scale the case still runs unscaled first, so that a buffer
    # source this machine lacks is reported as a skip, not as a failure.
    scale_missing = scale != 1 and not compositor_supports_scale(bin_dir)
    args = ["--scale", str(scale)] if scale != 1 and not scale_missing else []
    comp = h.Compositor(bin_dir, out_dir, args=args, size=OUTPUT_SIZE, capture_every=1)
    try:
        check_shown(name, comp, bin_dir, out_dir, update, scale_missing)
    finally:
        # Never leave a compositor or client behind, whatever happened.
        for p in comp.clients + [comp.proc]:
            if p.poll() is None:
                p.kill()
                p.wait()


def check_shown(name, comp, bin_dir, out_dir, update, scale_missing):
    pattern, source, (w, hgt), scale = CASES[name]
    client = comp.start_client(
        [os.path.join(bin_dir, "zc-client"), "--pattern", pattern, "--size", f"{w}x{hgt}",
         "--source", source, "--frames", str(FRAMES), "--title", "visual"], "client")
    crc = comp.wait_client(client, 60)
    with open(client.log_path) as f:
        client_log = f.read()
    if crc != 0:
        comp.stop()
        reason = next((line for line in client_log.splitlines()
                       if source in line and any(m in line for m in MISSING_HARDWARE)), None)
        if reason:
            with open(unavailable_marker(out_dir, source), "w") as f:
                f.write(reason.strip() + "\n")
            print(f"SKIP: missing hardware: {reason.strip()}")
            sys.exit(77)
        raise h.HarnessError(f"zc-client --source {source} exited with {crc} "
                             f"(log: {client.log_path})")
    rc, stats = comp.stop()
    check(rc == 0, f"zc-compositor exited with {rc}")
    check(not scale_missing,
          f"zc-compositor has no --scale: integer output scaling x{scale} cannot be tested")
    captures = comp.capture_paths(stats)
    check(captures, "no capture written")

    # Decode every capture's stripe; keep those that show the client.
    rc_all, decoded = verify(bin_dir, os.path.join(out_dir, "decode"), "--identity", *captures)
    frames = decoded["identity"]["frames"]
    showing = [p for p, f in zip(captures, frames) if f["stripe"] != "no_stripe"]
    check(showing, f"no capture shows a frame-identity stripe ({len(captures)} captures)")
    rc_id, ident = verify(bin_dir, os.path.join(out_dir, "identity"), "--identity", *showing)
    i = ident["identity"]
    print(f"identity: {len(showing)} captures show the client: frames {i['first_seq']}..{i['last_seq']}, "
          f"dropped {i['dropped']}, repeated {i['repeated']}, out of order {i['out_of_order']}, "
          f"torn {i['torn']}, corrupt {i['corrupt']}")
    check(rc_id == 0, f"frame identity failed: {', '.join(i['failures'])} "
          f"(report: {out_dir}/identity/report.html)")

    # The capture of the client's last frame is deterministic: check it.
    last = FRAMES - 1
    shot = next((p for p, f in zip(captures, frames)
                 if f["stripe"] == "valid" and f["seq"] == last), None)
    check(shot, f"no capture shows the client's last frame {last}")
    ref_name = reference_name(name)
    case_shot = os.path.join(out_dir, f"{ref_name}-01.png")
    shutil.copyfile(shot, case_shot)
    ox, oy = WINDOW_ORIGIN[0] * scale, WINDOW_ORIGIN[1] * scale
    rc_c, _ = verify(bin_dir, os.path.join(out_dir, "computed"), "--stats", comp.stats_path,
                     "--expect-pattern", pattern,
                     "--frame", str(last), "--expect-size", f"{w}x{hgt}",
                     "--expect-scale", str(scale), "--expect-at", f"{ox},{oy}", case_shot)
    check(rc_c == 0, f"capture differs from the computed {pattern} frame {last} "
          f"(report: {out_dir}/computed/report.html)")
    ref_args = ["--ref-dir", REFERENCES] + (["--update"] if update else [])
    rc_r, _ = verify(bin_dir, os.path.join(out_dir, "reference"), *ref_args, case_shot)
    check(rc_r == 0, f"capture differs from (or has no) tests/references/{ref_name}-01.png "
          f"(report: {out_dir}/reference/report.html)")

    # Negative check: the same capture with one pixel of the window changed
    # must fail, with a diff PNG and a report that show it.
    img = h.read_png(case_shot)
    px, py = ox + w * scale // 2, oy + hgt * scale // 2
    row = bytearray(img.rows[py])
    row[px * img.channels] = (row[px * img.channels] + 40) % 256
    img.rows[py] = bytes(row)
    bad_dir = os.path.join(out_dir, "perturbed")
    os.makedirs(bad_dir, exist_ok=True)
    bad_shot = os.path.join(bad_dir, f"{ref_name}-01.png")
    write_png_rgb(bad_shot, img)
    rc_b, res = verify(bin_dir, os.path.join(out_dir, "perturbed-verify"), "--ref-dir",
                       REFERENCES, bad_shot)
    check(rc_b == 1 and res["shots"][0]["diff_pixels"] == 1,
          f"a capture with one changed pixel was not caught: {res['shots'][0]}")
    check(os.path.exists(os.path.join(out_dir, "perturbed-verify", f"{ref_name}-01-diff.png")),
          "no diff PNG for the perturbed capture")


def main():
    # ctest's timeout sends SIGTERM: unwind so the finally above kills children.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--list", action="store_true", help="print the case names")
    ap.add_argument("--check-references", action="store_true",
                    help="exit 1 naming every reference image a case needs that tests/references lacks")
    ap.add_argument("--bin", help="directory with zc-compositor, zc-client and zc-verify")
    ap.add_argument("--out", help="directory for logs, captures and reports")
    ap.add_argument("--update-references", action="store_true",
                    help="write the capture as the reference instead of comparing")
    ap.add_argument("case", nargs="?")
    a = ap.parse_args()
    if a.list:
        print(";".join(CASES))
        return 0
    if a.check_references:
        missing = missing_references()
        for n in missing:
            print(f"visual: no reference tests/references/{n}-01.png", file=sys.stderr)
        print(f"visual: {len(CASES)} cases need {len({reference_name(n) for n in CASES})} "
              f"reference images; {len(missing)} missing")
        return 1 if missing else 0
    if a.update_references and a.case in CASES and CASES[a.case][1] != REFERENCE_SOURCE:
        print(f"visual: --update-references only for {REFERENCE_SOURCE} cases: the other "
              f"sources are checked against the {REFERENCE_SOURCE} case's reference", file=sys.stderr)
        return 2
    if not a.case or a.case not in CASES or not a.bin or not a.out:
        print("visual: need --bin, --out and a CASE from --list", file=sys.stderr)
        return 2
    try:
        run_case(a.case, a.bin, os.path.join(a.out, a.case), a.update_references)
    except h.HarnessError as e:
        print(f"visual {a.case}: {e}", file=sys.stderr)
        return 1
    print(f"visual {a.case}: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
