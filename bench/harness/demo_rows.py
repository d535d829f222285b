"""Demo rows: does the demo hold the output's refresh rate (issue 15 item 4)?

Runs the real demo, scripts/demo.sh (zc-compositor headless 1280x720 with the
stats overlay, two zc-client pattern clients and weston-simple-shm), for
DURATION_S seconds (QUICK_DURATION_S with --quick), with --out in a fresh
temporary directory of its own: the user's out/demo is never touched.  The
compositor's --summary file (summary.json, format "zcdisplay-summary",
docs/metrics.md) gives the output's FpsOutput, FramesPresented,
MissedVblanks and refresh period over the whole run; they become two rows:

  demo.fps_output            FpsOutput of the demo's output (fps)
  demo.missed_vblank_share   MissedVblanks / (FramesPresented + MissedVblanks):
                             the share of the run's vblanks that showed no
                             new frame

The small artefacts (summary.json, stats.json, timeline.csv, zc-stat.txt,
logs) are kept in out/bench/<time>/demo/; the captures and trace.json are
not (megabytes, and the bench does not read them).

The pure part (summary parsing, rows) is unit-tested in
bench/tests/test_harness.py; the run itself is not a test.
"""
import json
import math
import os
import shutil
import signal
import subprocess
import tempfile

from rows import measured, missing

G = "demo: scripts/demo.sh holding the output's refresh rate (issue 15 item 4)"
DURATION_S = 15
QUICK_DURATION_S = 5
# demo.sh waits up to 10 s for the compositor, then runs zc-stat over the
# trace and prints its summary: room for all of that on a loaded machine.
SLACK_S = 60
SUMMARY_FORMAT = "zcdisplay-summary"
# Not kept: the captures (PNGs) and trace.json (megabytes per run).
NOT_KEPT = ("trace.json",)

FPS = ("demo.fps_output", "FpsOutput: presented frames per second of the output", "fps")
SHARE = ("demo.missed_vblank_share",
         "missed vblanks / (frames presented + missed vblanks)", "share")


class Malformed(ValueError):
    """summary.json is not a summary this harness can read; says why."""


def duration(args):
    return QUICK_DURATION_S if args.quick else DURATION_S


def _number(obj, key, where, integer=False):
    v = obj.get(key)
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
        raise Malformed(f"{where}: '{key}' is {json.dumps(v)}, not a number")
    if integer and v != int(v):
        raise Malformed(f"{where}: '{key}' is {v}, not a count")
    if v < 0:
        raise Malformed(f"{where}: '{key}' is negative ({v})")
    return int(v) if integer else float(v)


def parse_summary(doc):
    """The output figures of one parsed summary.json.

    The demo drives one output; with several (not the demo's setup) the
    first is read and the count is kept.  Raises Malformed."""
    if not isinstance(doc, dict):
        raise Malformed("not a JSON object")
    if doc.get("format") != SUMMARY_FORMAT:
        raise Malformed(f"format is {json.dumps(doc.get('format'))}, not \"{SUMMARY_FORMAT}\"")
    outputs = doc.get("outputs")
    if not isinstance(outputs, list) or not outputs:
        raise Malformed("no outputs")
    o = outputs[0]
    if not isinstance(o, dict):
        raise Malformed("outputs[0] is not an object")
    where = f"output {o.get('name', '?')}"
    refresh_ms = _number(o, "refresh_ms", where)
    if refresh_ms <= 0:
        raise Malformed(f"{where}: refresh_ms is {refresh_ms}: no refresh period")
    fig = {
        "output": str(o.get("name", "?")),
        "outputs": len(outputs),
        "refresh_ms": refresh_ms,
        "frames_presented": _number(o, "FramesPresented", where, integer=True),
        "fps_output": _number(o, "FpsOutput", where),
        "missed_vblanks": _number(o, "MissedVblanks", where, integer=True),
    }
    for key in ("FpsLow1Pct",):
        if key in o:
            fig["fps_low_1pct"] = _number(o, key, where)
    between = o.get("MsBetweenPresents")
    if isinstance(between, dict) and isinstance(between.get("p99"), (int, float)):
        fig["ms_between_presents_p99"] = float(between["p99"])
    to_present = o.get("MsCompositeToPresent")
    if isinstance(to_present, dict) and isinstance(to_present.get("mean"), (int, float)):
        fig["ms_frame_to_present_mean"] = float(to_present["mean"])
    begin, end = doc.get("begin_ns"), doc.get("end_ns")
    if isinstance(begin, int) and isinstance(end, int) and end > begin:
        fig["timeline_s"] = round((end - begin) / 1e9, 3)
    fig["clients"] = [c.get("name", "?") for c in doc.get("clients", []) if isinstance(c, dict)]
    return fig


def read_summary(path):
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except OSError as e:
        raise Malformed(f"unreadable: {e.strerror}") from e
    except ValueError as e:
        raise Malformed(f"not JSON: {e}") from e
    return parse_summary(doc)


def missing_rows(reason):
    return [missing(rid, G, label, reason, unit=unit) for rid, label, unit in (FPS, SHARE)]


def rows_from(fig, duration_s):
    """The two rows of one run's figures (parse_summary's)."""
    frames, missed = fig["frames_presented"], fig["missed_vblanks"]
    if frames < 2:
        # FpsOutput is (frames - 1) / span: undefined below two frames.
        return missing_rows(f"the output presented {frames} frame(s) in {duration_s:g} s")
    rate = 1000.0 / fig["refresh_ms"]
    details = dict(fig, duration_s=duration_s,
                   workload="scripts/demo.sh: zc-compositor headless 1280x720, overlay on, "
                            "zc-client smpte and motion 480x320, weston-simple-shm")
    # A headless output renders on its refresh grid (app/frame_pacing.cpp):
    # frame time no longer lowers the rate below refresh, stalls of the
    # main loop (or of the machine) do.
    pacing = ""
    if fig["output"].startswith("HEADLESS") and "ms_frame_to_present_mean" in fig:
        pacing = (f"; headless frames on the {fig['refresh_ms']:.3f} ms refresh grid, "
                  f"mean frame {fig['ms_frame_to_present_mean']:.2f} ms")
    fps_id, fps_label, fps_unit = FPS
    share_id, share_label, share_unit = SHARE
    return [
        measured(fps_id, G, fps_label, fig["fps_output"], fps_unit,
                 note=f"{frames} frames in {duration_s:g} s, output refresh {rate:.2f} Hz{pacing}",
                 **details),
        measured(share_id, G, share_label, missed / (frames + missed), share_unit,
                 note=f"{missed} missed / ({frames} presented + {missed} missed)",
                 **details),
    ]


def keep(out, log_dir):
    """Copy the run's small artefacts from the temporary OUT to LOG_DIR."""
    if not os.path.isdir(out):
        return
    for name in sorted(os.listdir(out)):
        src = os.path.join(out, name)
        if name in NOT_KEPT or name.startswith(".") or not os.path.isfile(src):
            continue
        shutil.copy2(src, os.path.join(log_dir, name))


def last_line(text):
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    return lines[-1] if lines else "no message"


def stop(p):
    """End demo.sh's session: SIGTERM first, so its EXIT trap removes its
    runtime directory, then SIGKILL for whatever is left."""
    for sig, wait_s in ((signal.SIGTERM, 5), (signal.SIGKILL, None)):
        try:
            os.killpg(p.pid, sig)
        except ProcessLookupError:
            pass
        try:
            p.communicate(timeout=wait_s)
            return
        except subprocess.TimeoutExpired:
            continue


def run(args, run_dir):
    secs = duration(args)
    script = os.path.join(args.root, "scripts", "demo.sh")
    if not os.access(script, os.X_OK):
        return missing_rows("scripts/demo.sh not found or not executable")
    log_dir = os.path.join(run_dir, "demo")
    os.makedirs(log_dir, exist_ok=True)
    kept = os.path.relpath(log_dir, args.root)
    tmp = tempfile.mkdtemp(prefix="zcd-bench-demo.")
    out = os.path.join(tmp, "demo")  # demo.sh makes it, with its marker
    env = dict(os.environ, ZCD_ROOT=args.root, ZCD_BUILD=args.build)
    print(f"bench: demo: scripts/demo.sh --duration {secs} (headless 1280x720, overlay on)",
          flush=True)
    try:
        # A session of its own: on a timeout the compositor and the clients
        # demo.sh started in the background go with it.
        p = subprocess.Popen([script, "--duration", str(secs), "--out", out], env=env,
                             stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, start_new_session=True)
        try:
            stdout, stderr = p.communicate(timeout=secs + SLACK_S)
        except subprocess.TimeoutExpired:
            stop(p)
            keep(out, log_dir)
            return missing_rows(f"scripts/demo.sh did not finish in {secs + SLACK_S} s "
                                f"(logs in {kept}/)")
        keep(out, log_dir)
        with open(os.path.join(log_dir, "demo.log"), "w") as f:
            f.write(stdout.replace(out, kept) + stderr.replace(out, kept))
        if p.returncode != 0:
            why = last_line(stderr or stdout).replace(out, kept)
            return missing_rows(f"scripts/demo.sh exited {p.returncode}: {why}")
        try:
            fig = read_summary(os.path.join(out, "summary.json"))
        except Malformed as e:
            return missing_rows(f"the demo's summary.json is malformed ({e}); see {kept}/")
        return rows_from(fig, secs)
    except OSError as e:
        return missing_rows(f"cannot run scripts/demo.sh: {e.strerror}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
