#!/usr/bin/env python3
"""zc-client end to end under zc-compositor headless (tests/harness).

Cases (one CTest test each):
  shm_frames_increase   zc-client --source shm: exits 0 after --frames N,
                        says which source it used, and the compositor's
                        captures decode (common/stripe) to increasing
                        sequence numbers with no torn or corrupt frame.
  auto_reports_choice   --source auto names the chosen source and gives one
                        "rejected <source>: <why>" line for each source tried
                        before it.
  explicit_unavailable  --source udmabuf with no udmabuf device: one line on
                        stderr, exit 1, and the compositor keeps running.
  fps_pacing            --fps 20: the client's --trace holds every commit,
                        their median spacing is 50 ms (timer pacing, not frame
                        callbacks), and presented commits carry feedback.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "harness"))
import zcd_harness as h  # noqa: E402

CASES = ["shm_frames_increase", "auto_reports_choice", "explicit_unavailable", "fps_pacing"]
ORDER = ["gbm", "vulkan", "udmabuf", "shm"]


def run_client(comp, bin_dir, args, name, timeout=60):
    proc = comp.start_client([os.path.join(bin_dir, "zc-client")] + args, name)
    rc = comp.wait_client(proc, timeout)
    with open(proc.log_path) as f:
        return rc, f.read()


def decode(bin_dir, paths):
    out = subprocess.run([os.path.join(bin_dir, "client_stripe_probe")] + paths,
                         capture_output=True, text=True, check=True).stdout
    rows = []
    for line in out.splitlines():
        f, status, seq, other, _x, _y = line.rsplit(" ", 5)
        rows.append((os.path.basename(f), status, int(seq), int(other)))
    return rows


def case_shm_frames_increase(bin_dir, out):
    comp = h.Compositor(bin_dir, out, size=(800, 600), capture_every=6)
    frames = 90
    rc, log = run_client(comp, bin_dir, ["--source", "shm", "--pattern", "motion", "--size",
                                         "320x240", "--frames", str(frames), "--trace",
                                         os.path.join(out, "client-trace.json")], "zc-client")
    crc, stats = comp.stop()
    if rc != 0:
        raise h.HarnessError(f"zc-client exited {rc}: {log.strip()[-300:]}")
    if "zc-client: source shm" not in log:
        raise h.HarnessError(f"zc-client did not report source shm: {log.strip()}")
    if f"{frames} frames committed" not in log:
        raise h.HarnessError(f"zc-client did not commit {frames} frames: {log.strip()}")
    captures = comp.capture_paths(stats)
    rows = decode(bin_dir, captures)
    valid = [r for r in rows if r[1] == "valid"]
    bad = [r for r in rows if r[1] in ("torn", "corrupt")]
    print(f"{len(captures)} captures, {len(valid)} with a valid stripe: "
          f"{[r[2] for r in valid]}")
    if bad:
        raise h.HarnessError(f"torn/corrupt stripes in captures: {bad[:3]}")
    seqs = [r[2] for r in valid]
    if len(set(seqs)) < 3:
        raise h.HarnessError(f"fewer than 3 distinct frames decoded from captures: {seqs}")
    if any(b < a for a, b in zip(seqs, seqs[1:])):
        raise h.HarnessError(f"sequence numbers go backwards: {seqs}")
    if max(seqs) >= frames:
        raise h.HarnessError(f"decoded sequence {max(seqs)} beyond the {frames} frames sent")
    if crc != 0:
        raise h.HarnessError(f"zc-compositor exited {crc}")


def case_auto_reports_choice(bin_dir, out):
    comp = h.Compositor(bin_dir, out, size=(640, 480))
    rc, log = run_client(comp, bin_dir, ["--source", "auto", "--frames", "5", "--size",
                                         "256x128"], "zc-client")
    comp.stop()
    if rc != 0:
        raise h.HarnessError(f"zc-client exited {rc}: {log.strip()[-300:]}")
    chosen = [l for l in log.splitlines() if l.startswith("zc-client: source ")]
    if len(chosen) != 1:
        raise h.HarnessError(f"expected one 'zc-client: source' line: {log.strip()}")
    name = chosen[0].split()[2]
    rejected = [l.split()[2].rstrip(":") for l in log.splitlines()
                if l.startswith("zc-client: rejected ")]
    print(f"auto chose {name}; rejected {rejected}")
    if rejected != ORDER[:ORDER.index(name)]:
        raise h.HarnessError(f"rejected {rejected} before {name}, expected "
                             f"{ORDER[:ORDER.index(name)]}")


def case_explicit_unavailable(bin_dir, out):
    comp = h.Compositor(bin_dir, out, size=(640, 480))
    empty = tempfile.mkdtemp(prefix="zcc-nodev-")
    proc = subprocess.run([os.path.join(bin_dir, "zc-client"), "--source", "udmabuf",
                           "--dev-root", empty, "--frames", "3"], env=comp.client_env(),
                          capture_output=True, text=True, timeout=60)
    alive = comp.alive()
    comp.stop()
    os.rmdir(empty)
    lines = proc.stderr.strip().splitlines()
    if proc.returncode != 1 or len(lines) != 1:
        raise h.HarnessError(f"expected exit 1 and one stderr line, got {proc.returncode}: "
                             f"{proc.stderr!r}")
    if lines[0] != f"zc-client: udmabuf: {empty}/udmabuf not present":
        raise h.HarnessError(f"unexpected message: {lines[0]}")
    if not alive:
        raise h.HarnessError("compositor died")


def case_fps_pacing(bin_dir, out):
    comp = h.Compositor(bin_dir, out, size=(640, 480))
    trace = os.path.join(out, "client-trace.json")
    frames = 20
    rc, log = run_client(comp, bin_dir, ["--source", "shm", "--fps", "20", "--frames",
                                         str(frames), "--size", "200x100", "--trace", trace],
                         "zc-client")
    comp.stop()
    if rc != 0:
        raise h.HarnessError(f"zc-client exited {rc}: {log.strip()[-300:]}")
    with open(trace) as f:
        events = json.load(f)["traceEvents"]
    commits = sorted((e["args"] for e in events if e.get("name") == "commit"),
                     key=lambda a: a["commit_id"])
    if [a["commit_id"] for a in commits] != list(range(1, frames + 1)):
        raise h.HarnessError(f"trace has commit ids {[a['commit_id'] for a in commits]}")
    gaps_ms = [(b["commit_ns"] - a["commit_ns"]) / 1e6 for a, b in zip(commits, commits[1:])]
    median = statistics.median(gaps_ms)
    print(f"median commit spacing {median:.1f} ms at --fps 20")
    if not 40.0 <= median <= 65.0:
        raise h.HarnessError(f"median commit spacing {median:.1f} ms, expected about 50")
    presented = [a for a in commits if a["presented"]]
    if not presented:
        raise h.HarnessError("no commit was presented")
    for a in presented:
        if a["present_ns"] < a["commit_ns"]:
            raise h.HarnessError(f"commit {a['commit_id']} presented before it was committed")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--bin")
    ap.add_argument("--out")
    ap.add_argument("case", nargs="?")
    a = ap.parse_args()
    if a.list:
        print(";".join(CASES))
        return 0
    if a.case not in CASES:
        print(f"client_e2e: unknown case {a.case}", file=sys.stderr)
        return 2
    try:
        globals()["case_" + a.case](a.bin, os.path.join(a.out, a.case))
    except h.HarnessError as e:
        print(f"FAIL {a.case}: {e}")
        return 1
    print(f"PASS {a.case}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
