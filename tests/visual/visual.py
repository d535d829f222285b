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

The device-source cases (udmabuf, gbm, Vulkan export: --list-device; CTest
label device_source) run where those devices exist: in the emulated VM
(vm/emulated/guest-visual.sh), many cases in one run (--results), one
compositor per output scale shared by all its cases, each case's client
shown alone in turn.  There the guest only shows the cases (--show-only);
the checks, which need no device, run on the host (--judge).

usage: visual.py --bin DIR --out DIR [--update-references] CASE
       visual.py --bin DIR --out DIR --results FILE [--show-only] [--gbm-device PATH]... [CASE...]
       visual.py --bin DIR --out DIR --judge FILE --results FILE
       visual.py --list | --list-device | --check-references
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
import case_results  # noqa: E402

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
# Sources whose buffers are dma-bufs from a device (/dev/udmabuf, a DRM
# node, a Vulkan driver that exports): a machine without it skips them.
DEVICE_SOURCES = ("vulkan", "udmabuf", "gbm")
DEVICE_CASES = [n for n, c in CASES.items() if c[1] in DEVICE_SOURCES]
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
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=h.scaled(300))
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
                       capture_output=True, text=True, timeout=h.scaled(30))
    return "--scale" in r.stdout


def unavailable_marker(out_dir, source):
    # Shared by all cases of one run (out_dir is <out>/<case>): a source found
    # missing once is not probed again with a compositor per case.
    return os.path.join(os.path.dirname(out_dir), f"source-{source}.unavailable")


class MissingHardware(Exception):
    """The client named a device this machine lacks; the message is its line."""


def client_command(bin_dir, name, gbm_device=None):
    pattern, source, (w, hgt), _ = CASES[name]
    cmd = [os.path.join(bin_dir, "zc-client"), "--pattern", pattern, "--size", f"{w}x{hgt}",
           "--source", source, "--frames", str(FRAMES), "--title", "visual"]
    if source == "gbm" and gbm_device:
        cmd += ["--device", gbm_device]
    return cmd


def show_client(comp, name, bin_dir, log_name, gbm_devices=()):
    """Runs case NAME's client on COMP until it has shown its frames and
    exited.  Returns the gbm device it used (None: zc-client's choice).
    MissingHardware when the client names a device this machine lacks (for
    gbm: every one of GBM_DEVICES), HarnessError when it fails otherwise."""
    source = CASES[name][1]
    candidates = list(gbm_devices) if source == "gbm" and gbm_devices else [None]
    reasons = []
    for device in candidates:
        client = comp.start_client(client_command(bin_dir, name, device),
                                   log_name if len(reasons) == 0 else f"{log_name}.{len(reasons)}")
        crc = comp.wait_client(client, 60)
        if crc == 0:
            return device
        with open(client.log_path) as f:
            client_log = f.read()
        reason = next((line.strip() for line in client_log.splitlines()
                       if source in line and any(m in line for m in MISSING_HARDWARE)), None)
        if not reason:
            raise h.HarnessError(f"zc-client --source {source} exited with {crc} "
                                 f"(log: {client.log_path})")
        reasons.append(reason)
    raise MissingHardware("; ".join(reasons))


def run_case(name, bin_dir, out_dir, update, gbm_devices=()):
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
        try:
            show_client(comp, name, bin_dir, "client", gbm_devices)
        except MissingHardware as e:
            comp.stop()
            with open(marker, "w") as f:
                f.write(f"{e}\n")
            print(f"SKIP: missing hardware: {e}")
            sys.exit(77)
        rc, stats = comp.stop()
        check(rc == 0, f"zc-compositor exited with {rc}")
        check(not scale_missing,
              f"zc-compositor has no --scale: integer output scaling x{scale} cannot be tested")
        judge(name, bin_dir, out_dir, comp.capture_paths(stats), comp.stats_path, update)
    finally:
        # Never leave a compositor or client behind, whatever happened.
        for p in comp.clients + [comp.proc]:
            if p.poll() is None:
                p.kill()
                p.wait()


def judge(name, bin_dir, out_dir, captures, stats_path, update=False):
    """The checks of case NAME on the captures of a compositor that showed
    its client (and nothing else); artefacts in OUT_DIR.  Needs no device:
    the emulated VM's captures are judged on the host.  Returns one line
    that says what passed; HarnessError names what failed."""
    pattern, source, (w, hgt), scale = CASES[name]
    check(captures, "no capture written")
    os.makedirs(out_dir, exist_ok=True)

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
    rc_c, _ = verify(bin_dir, os.path.join(out_dir, "computed"), "--stats", stats_path,
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
    return (f"{len(showing)} captures show frames {i['first_seq']}..{i['last_seq']} in order; "
            f"frame {last} equals the computed {pattern} frame and tests/references/{ref_name}-01.png")


# --- many cases in one run: the emulated VM (vm/emulated/guest-visual.sh) ----

def capture_frame_number(name):
    """The frame number of a capture file <output>-<frame>.png (app/capture.cpp)."""
    return int(os.path.splitext(name)[0].rsplit("-", 1)[1])


# Frames a capture file can lag behind its frame: zc-compositor's capture
# writer queue (app/capture.cpp, kCaptureQueueFrames) plus the one it is
# writing.
CAPTURE_LAG = 5


def newest_capture(comp):
    """Frame number of the newest capture in COMP's capture folder, -1 if none."""
    try:
        names = [n for n in os.listdir(comp.capture_dir) if n.endswith(".png")]
    except FileNotFoundError:
        return -1
    return max((capture_frame_number(n) for n in names), default=-1)


def captures_between(names, after, upto):
    """Capture NAMES whose frame is > AFTER and <= UPTO (None: no end)."""
    return [n for n in names
            if capture_frame_number(n) > after and (upto is None or capture_frame_number(n) <= upto)]


def wait_new_captures(comp, after, count, timeout):
    """Waits until COMP has written COUNT captures past frame AFTER, or
    TIMEOUT seconds; returns the newest capture's frame number."""
    deadline = time.monotonic() + timeout
    newest = newest_capture(comp)
    while newest < after + count and time.monotonic() < deadline and comp.alive():
        time.sleep(0.1)
        newest = newest_capture(comp)
    return newest


def start_group_compositor(bin_dir, out_root, scale):
    args = ["--scale", str(scale)] if scale != 1 else []
    return h.Compositor(bin_dir, os.path.join(out_root, f"compositor-x{scale}"), args=args,
                        size=OUTPUT_SIZE, capture_every=1, wait=False)


def show_group(comp, scale, names, bin_dir, out_root, record, judge_now, gbm_devices, unavailable,
               not_ready=None):
    """Shows every case of NAMES (all of output scale SCALE) on COMP, one
    client at a time, then stops COMP and judges (or, with judge_now False,
    records as shown) each case whose client ran.  A case's captures are
    those written from its client's start to its exit: the client exits
    only after its last frame was presented (so captured); the next one
    starts once two more frames were captured (its window gone), alone on
    the output at the first window's place.  NOT_READY: why COMP never
    became ready (None: it is ready)."""
    if STOP_REQUESTED:
        for n in names:
            record(n, "fail", "not shown: the run was stopped (SIGTERM: its time limit?) "
                              "before this case")
        return
    if not_ready is not None:
        for n in names:
            record(n, "fail", f"the x{scale} compositor: {not_ready}")
        return
    if scale != 1 and not compositor_supports_scale(bin_dir):
        for n in names:
            record(n, "fail", f"zc-compositor has no --scale: integer output scaling x{scale} "
                              "cannot be tested")
        return
    # [case, newest capture before its client started, shown, note, newest
    # capture when its client had exited]
    starts = []
    for name in names:
        source = CASES[name][1]
        if STOP_REQUESTED:
            record(name, "fail", "not shown: the run was stopped (SIGTERM: its time limit?) "
                                 "before this case")
            continue
        if source in unavailable:
            record(name, "skip", case_results.MISSING_HARDWARE + unavailable[source])
            continue
        if not comp.alive():
            record(name, "fail", f"zc-compositor exited before this case (log: {comp.log_path})")
            continue
        starts.append([name, newest_capture(comp), False, "", None])
        t0 = time.monotonic()
        try:
            used = show_client(comp, name, bin_dir, name, gbm_devices.get("order", ()))
            if source == "gbm" and used and gbm_devices.get("order"):
                # The device that worked goes first for the cases that follow.
                gbm_devices["order"] = [used] + [d for d in gbm_devices["order"] if d != used]
        except MissingHardware as e:
            unavailable[source] = str(e)
            record(name, "skip", case_results.MISSING_HARDWARE + str(e))
            continue
        except h.HarnessError as e:
            record(name, "fail", str(e))
            continue
        starts[-1][2] = True
        # The window leaves the output on a later frame: the next case must
        # not start (and count captures) while it is still shown.  Seen
        # under TCG: without this wait the next case's first capture still
        # showed this client's last frame.  The files on disk lag the
        # frames: zc-compositor writes captures on a thread, up to
        # CAPTURE_LAG frames behind (docs/options.md, --capture).  So wait
        # for that many more, and end this case's captures there, not at
        # the newest file when the client exited: its last frame's capture
        # may not have been written yet.  The windowless captures after its
        # last frame carry no stripe and are left out when judged.
        wait_new_captures(comp, newest_capture(comp), 2 + CAPTURE_LAG, h.scaled(5))
        starts[-1][4] = newest_capture(comp)
        if source == "gbm" and used:
            starts[-1][3] = f"gbm device {used}"
        print(f"visual {name}: shown in {time.monotonic() - t0:.1f} s"
              + (f" (gbm device {used})" if source == "gbm" and used else ""), flush=True)
    try:
        rc, stats = comp.stop()
    except h.HarnessError as e:
        rc, stats = str(e), None
    for name, after, shown, note, upto in starts:
        if not shown:
            continue
        if stats is None or rc != 0:
            record(name, "fail", f"zc-compositor exited with {rc} (log: {comp.log_path})")
            continue
        mine = captures_between(stats.get("captures", []), after, upto)
        captures = [os.path.join(comp.capture_dir, n) for n in mine]
        case_dir = os.path.join(out_root, name)
        shutil.rmtree(case_dir, ignore_errors=True)
        os.makedirs(case_dir)
        if judge_now:
            judge_and_record(name, bin_dir, case_dir, captures, comp.stats_path, record, note)
            continue
        # Paths relative to OUT: the host judges them in its view of the share.
        with open(os.path.join(case_dir, "shown.json"), "w") as f:
            json.dump({"captures": [os.path.relpath(p, out_root) for p in captures],
                       "stats": os.path.relpath(comp.stats_path, out_root)}, f)
        where = os.path.relpath(comp.capture_dir, out_root)
        record(name, "shown", f"{len(captures)} captures in {where}" + (f"; {note}" if note else ""))


def judge_and_record(name, bin_dir, case_dir, captures, stats_path, record, note=""):
    """Judges and records one case; NOTE (how it was shown) is kept."""
    suffix = f" ({note})" if note else ""
    try:
        detail = judge(name, bin_dir, case_dir, captures, stats_path)
    except (h.HarnessError, OSError, subprocess.SubprocessError, ValueError, KeyError) as e:
        record(name, "fail", f"{e}{suffix}")
        return
    record(name, "pass", detail + suffix)


# Set by SIGTERM during a many-cases run: the cases not begun yet are
# recorded as not shown, those already shown are still split and recorded.
STOP_REQUESTED = False


def request_stop(*_):
    global STOP_REQUESTED
    STOP_REQUESTED = True
    print("visual: SIGTERM: finishing the current case, then stopping", flush=True)


def run_cases(names, bin_dir, out_root, results, judge_now, gbm_devices):
    """Runs NAMES sharing one compositor per output scale; one line per case
    in RESULTS (case_results).  All compositors start at once (each takes
    long to become ready under TCG) and are stopped (SIGSTOP) once ready;
    the groups then run one after another, each compositor continued
    (SIGCONT) for its own."""
    os.makedirs(out_root, exist_ok=True)
    counts = {}

    def record(name, status, detail):
        case_results.append(results, name, status, detail)
        counts[status] = counts.get(status, 0) + 1
        print(f"visual {name}: {status}: {detail}", flush=True)

    groups = {}
    for n in names:
        groups.setdefault(CASES[n][3], []).append(n)
    comps, not_ready, unavailable, devices = {}, {}, {}, {"order": list(gbm_devices)}
    try:
        for scale in groups:
            comps[scale] = start_group_compositor(bin_dir, out_root, scale)
        for scale, comp in comps.items():
            try:
                # Twice the single-case wait: every scale's compositor starts at once.
                comp.wait_ready(60)
            except h.HarnessError as e:
                not_ready[scale] = str(e)
                continue
            # A waiting compositor still composes (and captures) every frame
            # at full speed: stopped until its group's turn, it leaves the
            # CPU to the compositors still starting and to the group shown.
            # Under TCG that was half the guest's CPU.
            os.kill(comp.proc.pid, signal.SIGSTOP)
        for scale, group in groups.items():
            comp = comps[scale]
            if comp.alive():
                os.kill(comp.proc.pid, signal.SIGCONT)
            show_group(comp, scale, group, bin_dir, out_root, record, judge_now, devices,
                       unavailable, not_ready.get(scale))
    finally:
        for comp in comps.values():
            for p in comp.clients + [comp.proc]:
                if p.poll() is None:
                    p.kill()
                    p.wait()
    print("visual: " + ", ".join(f"{counts[s]} {s}" for s in case_results.STATUSES if s in counts))
    return 1 if counts.get("fail") else 0


def judge_results(shown_file, bin_dir, out_root, results):
    """Judges every 'shown' case of SHOWN_FILE (written by --show-only, its
    artefacts under OUT_ROOT) and writes all cases' final lines to RESULTS."""
    try:
        rows = case_results.read(shown_file)
    except (OSError, case_results.ResultsError) as e:
        print(f"visual: cannot read {shown_file}: {e}", file=sys.stderr)
        return 2
    if os.path.exists(results):
        os.remove(results)
    failed = 0

    def record(name, status, detail):
        nonlocal failed
        case_results.append(results, name, status, detail)
        failed += status == "fail"
        print(f"visual {name}: {status}: {detail}", flush=True)

    for name, status, detail in rows:
        if name not in CASES:
            record(name, "fail", "not a case of tests/visual/visual.py")
        elif status != "shown":
            record(name, status, detail)
        else:
            case_dir = os.path.join(out_root, name)
            try:
                with open(os.path.join(case_dir, "shown.json")) as f:
                    shown = json.load(f)
                captures = [os.path.join(out_root, p) for p in shown["captures"]]
                stats_path = os.path.join(out_root, shown["stats"])
            except (OSError, ValueError, KeyError, TypeError) as e:
                record(name, "fail", f"shown, but its capture list is unreadable: {e}")
                continue
            judge_and_record(name, bin_dir, case_dir, captures, stats_path, record, detail)
    return 1 if failed else 0


def main():
    # ctest's timeout sends SIGTERM: unwind so the finally above kills children.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--list", action="store_true", help="print the case names")
    ap.add_argument("--list-device", action="store_true",
                    help="print the names of the cases whose buffer source needs a device")
    ap.add_argument("--check-references", action="store_true",
                    help="exit 1 naming every reference image a case needs that tests/references lacks")
    ap.add_argument("--bin", help="directory with zc-compositor, zc-client and zc-verify")
    ap.add_argument("--out", help="directory for logs, captures and reports")
    ap.add_argument("--update-references", action="store_true",
                    help="write the capture as the reference instead of comparing")
    ap.add_argument("--results", metavar="FILE",
                    help="run the CASEs (default: the device cases) sharing one compositor per "
                         "output scale; one line per case in FILE (tests/visual/case_results.py)")
    ap.add_argument("--show-only", action="store_true",
                    help="with --results: show the cases and keep their captures, check nothing "
                         "(status 'shown'; --judge checks them)")
    ap.add_argument("--judge", metavar="FILE",
                    help="check the 'shown' cases of FILE (their artefacts under --out) and write "
                         "every case's result to --results")
    ap.add_argument("--gbm-device", metavar="PATH", action="append", default=[],
                    help="DRM node for the gbm cases (zc-client --device); repeatable: the first "
                         "that gives buffers is used")
    ap.add_argument("case", nargs="*")
    a = ap.parse_args()
    if a.list:
        print(";".join(CASES))
        return 0
    if a.list_device:
        print(";".join(DEVICE_CASES))
        return 0
    if a.check_references:
        missing = missing_references()
        for n in missing:
            print(f"visual: no reference tests/references/{n}-01.png", file=sys.stderr)
        print(f"visual: {len(CASES)} cases need {len({reference_name(n) for n in CASES})} "
              f"reference images; {len(missing)} missing")
        return 1 if missing else 0
    unknown = [c for c in a.case if c not in CASES]
    if unknown or not a.bin or not a.out:
        print(f"visual: need --bin, --out and CASEs from --list{' (unknown: ' + ' '.join(unknown) + ')' if unknown else ''}",
              file=sys.stderr)
        return 2
    try:
        h.timeout_scale()
    except h.HarnessError as e:
        print(f"visual: {e}", file=sys.stderr)
        return 2
    if a.judge:
        if not a.results:
            print("visual: --judge needs --results FILE for the checked lines", file=sys.stderr)
            return 2
        return judge_results(a.judge, a.bin, a.out, a.results)
    if a.results:
        if a.update_references:
            print("visual: --update-references only for a single case", file=sys.stderr)
            return 2
        signal.signal(signal.SIGTERM, request_stop)
        return run_cases(a.case or DEVICE_CASES, a.bin, a.out, a.results, not a.show_only,
                         a.gbm_device)
    if len(a.case) != 1:
        print("visual: need exactly one CASE from --list (or --results for many)", file=sys.stderr)
        return 2
    case = a.case[0]
    if a.update_references and CASES[case][1] != REFERENCE_SOURCE:
        print(f"visual: --update-references only for {REFERENCE_SOURCE} cases: the other "
              f"sources are checked against the {REFERENCE_SOURCE} case's reference", file=sys.stderr)
        return 2
    try:
        run_case(case, a.bin, os.path.join(a.out, case), a.update_references, a.gbm_device)
    except h.HarnessError as e:
        print(f"visual {case}: {e}", file=sys.stderr)
        return 1
    print(f"visual {case}: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
