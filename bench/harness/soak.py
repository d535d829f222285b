"""Soak (`./zcd bench --only soak`, not CI): the demo workload plus a churn of
client connects and disconnects under one zc-compositor for --duration
seconds (default 30 minutes), watching the compositor's memory, file
descriptors and frame times.

Workload (scripts/demo.sh's, without captures and the exported timeline:
both grow with the run by design): zc-compositor headless 1280x720 with the
overlay, two zc-client pattern clients (smpte, motion, 480x320) and
weston-simple-shm for the whole run.  Churn, one cycle every CYCLE_S
seconds: a zc-client that commits 30 frames and leaves, a zc-test-client
that waits for 20 presented frames and leaves, and a zc-test-client that
vanishes between a commit and its presentation (no cleanup).

Measured:
  * RSS (VmRSS) and open fds of the compositor, sampled once per cycle at a
    quiet point: after the cycle's clients are gone, so every sample sees
    the same clients (the demo's) and fds are comparable exactly;
  * frame times: the stats socket's line every second carries the
    distribution of MsBetweenPresents (intervals between presented frames
    of the output) over that second; a phase's p50 is the median of its
    seconds' p50, its p99 the nearest-rank p99 of its seconds' p99 (the
    compositor keeps no per-frame history without --trace, on purpose).
Start phase: the PHASE_S after the warm-up; end phase: the last PHASE_S
(both a quarter of the run when that is shorter).

The pure part (parsing, phases, percentiles, verdict) is unit-tested in
bench/tests/test_harness.py; the run itself is not a test.
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import threading
import time

import compositors as comp
from rows import measured, missing

G_FMT = "soak: demo workload + client churn, {minutes:g} min (RSS, fds, frame times)"

DEFAULT_DURATION_S = 1800
WARMUP_S = 10.0       # pipelines compiled, overlay font atlas built, demo clients mapped
PHASE_S = 180.0       # start and end phases, at most a quarter of the run each
CYCLE_S = 5.0         # one churn cycle (and one RSS/fd sample) per CYCLE_S
CLIENT_TIMEOUT_S = 30.0

# Verdict thresholds.  A leak per churn cycle shows up multiplied by the
# number of cycles (360 in 30 minutes, 1080 client connections):
#  * fds: at the quiet points the same clients are connected, so the count
#    is the same unless something leaks; one fd per cycle would be +360.
#    4 leaves room for fds the compositor opens lazily once (a stats socket
#    reader slot, the stats.json temporary) without hiding a per-cycle leak.
#  * RSS: every churn client's buffers are imported (480x320 and 200x150
#    XRGB8888: 600 KiB and 117 KiB); keeping one import per client would be
#    hundreds of MiB over a full run.  malloc's free lists and lavapipe's
#    caches may keep some memory after the warm-up, hence the larger of
#    16 MiB and 10% of the start RSS; a per-cycle leak of 45 KiB or more
#    crosses 16 MiB in 30 minutes.
FD_GROWTH_MAX = 4
RSS_GROWTH_MIB_MIN_LIMIT = 16.0
RSS_GROWTH_SHARE = 0.10


# ------------------------------------------------------------ pure logic

def parse_stats_line(line):
    """One stats-socket line (docs/stats-socket.md) -> the first output's
    frame-interval window, or None for other lines or a window without
    presented frames."""
    try:
        d = json.loads(line)
    except ValueError:
        return None
    if not isinstance(d, dict) or d.get("type") != "stats" or d.get("version") != 1:
        return None
    outputs = d.get("outputs") or []
    if not outputs:
        return None
    dist = outputs[0].get("MsBetweenPresents")
    if not isinstance(dist, dict) or not dist.get("count") or dist.get("p50") is None:
        return None
    return {"t_ns": int(d["t_ns"]), "count": int(dist["count"]), "p50": float(dist["p50"]),
            "p99": float(dist["p99"]), "max": float(dist.get("max", dist["p99"]))}


def parse_rss_kib(status_text):
    """VmRSS of a /proc/<pid>/status text, in KiB, or None."""
    for line in status_text.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return None


def phase_length(duration_s):
    return min(PHASE_S, max(1.0, (duration_s - WARMUP_S) / 4))


def phases(duration_s):
    """((start_from, start_to), (end_from, end_to)) in seconds since the run began."""
    p = phase_length(duration_s)
    return (WARMUP_S, WARMUP_S + p), (duration_s - p, duration_s)


def median(values):
    return comp.percentile(sorted(values), 50)


def in_phase(samples, bounds):
    lo, hi = bounds
    return [s for s in samples if lo <= s["t"] <= hi]


def phase_figures(proc_samples, windows, bounds):
    """RSS (MiB) and fds: medians of the phase's samples; frame intervals:
    median of the windows' p50 and nearest-rank p99 of their p99."""
    ps = in_phase(proc_samples, bounds)
    ws = in_phase(windows, bounds)
    out = {"samples": len(ps), "windows": len(ws)}
    if ps:
        out["rss_mib"] = median([s["rss_kib"] for s in ps]) / 1024.0
        out["fds"] = median([s["fds"] for s in ps])
    if ws:
        out["p50_ms"] = median([w["p50"] for w in ws])
        out["p99_ms"] = comp.percentile(sorted(w["p99"] for w in ws), 99)
        # One stall makes a short phase's p99; the typical second's p99 too.
        out["p99_median_ms"] = median([w["p99"] for w in ws])
        out["max_ms"] = max(w["max"] for w in ws)
        out["fps"] = sum(w["count"] for w in ws) / len(ws)
    return out


def verdict(start, end, alive, churn_failed, demo_alive):
    """(ok, one line).  start/end: phase_figures() results."""
    problems = []
    if "rss_mib" not in start or "rss_mib" not in end:
        return False, "FAIL: no RSS/fd samples in the start or end phase (run too short?)"
    rss_growth = end["rss_mib"] - start["rss_mib"]
    rss_limit = max(RSS_GROWTH_MIB_MIN_LIMIT, RSS_GROWTH_SHARE * start["rss_mib"])
    fd_growth = end["fds"] - start["fds"]
    if rss_growth > rss_limit:
        problems.append(f"RSS grew {rss_growth:+.1f} MiB > {rss_limit:.1f}")
    if fd_growth > FD_GROWTH_MAX:
        problems.append(f"fds grew {fd_growth:+d} > {FD_GROWTH_MAX}")
    if not alive:
        problems.append("the compositor died")
    if churn_failed:
        problems.append(f"{churn_failed} churn clients failed")
    if not demo_alive:
        problems.append("a demo client ended early")
    line = (f"RSS {start['rss_mib']:.1f} -> {end['rss_mib']:.1f} MiB ({rss_growth:+.1f}, "
            f"limit {rss_limit:.1f}), fds {start['fds']} -> {end['fds']} ({fd_growth:+d}, "
            f"limit {FD_GROWTH_MAX})")
    return (not problems), ("PASS: " + line if not problems else
                            "FAIL: " + "; ".join(problems) + "; " + line)


def soak_rows(duration_s, start, end, ok, line, cycles, churn_clients, churn_failed):
    G = G_FMT.format(minutes=round(duration_s / 60, 1))
    rows = []
    for key, label, unit in (("rss_mib", "compositor RSS", "MiB"), ("fds", "compositor open fds", "fds"),
                             ("p50_ms", "presented frame interval p50", "ms"),
                             ("p99_ms", "presented frame interval p99", "ms")):
        for name, ph in (("start", start), ("end", end)):
            rid = f"soak.{key}.{name}"
            what = f"{label}, {name} phase"
            if key in ph:
                note = f"{ph['samples']} samples" if key in ("rss_mib", "fds") else \
                    f"{ph['windows']} one-second windows, {ph.get('fps', 0):.1f} frames/s"
                if key == "p99_ms":
                    note += f", median second's p99 {ph['p99_median_ms']:.1f} ms"
                rows.append(measured(rid, G, what, ph[key], unit, note=note))
            else:
                rows.append(missing(rid, G, what, "no samples in this phase", unit))
    if "rss_mib" in start and "rss_mib" in end:
        rows.append(measured("soak.rss_growth_mib", G, "RSS growth, end - start",
                             end["rss_mib"] - start["rss_mib"], "MiB"))
        rows.append(measured("soak.fd_growth", G, "fd growth, end - start",
                             end["fds"] - start["fds"], "fds"))
    rows.append(measured("soak.churn_clients", G, "churn clients connected and gone",
                         churn_clients, "clients",
                         note=f"{cycles} cycles, {churn_failed} failed"))
    rows.append(measured("soak.verdict", G, "verdict (1 = pass)", 1 if ok else 0, "", note=line))
    return rows


# ------------------------------------------------------------- the run

class SoakCompositor(comp.Compositor):
    name = "zc-compositor"

    def __init__(self, runtime_dir, log_path, binary):
        super().__init__(runtime_dir, log_path)
        self.binary = binary
        self.stats_socket = os.path.join(runtime_dir, "stats.sock")

    def command(self):
        if not os.access(self.binary, os.X_OK):
            raise comp.Unavailable("zc-compositor not built ($ZCD_BUILD/bin/zc-compositor missing)")
        return [self.binary, "--backend", "headless", "--size", "1280x720", "--socket",
                "wayland-soak", "--overlay", "--stats-socket", self.stats_socket,
                "--stats-json", os.path.join(self.runtime_dir, "stats.json")]


class StatsReader(threading.Thread):
    """Reads the stats socket's lines into `windows` until the socket closes."""

    def __init__(self, path, t0):
        super().__init__(daemon=True)
        self.path, self.t0, self.windows = path, t0, []

    def run(self):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        for _ in range(50):
            try:
                s.connect(self.path)
                break
            except OSError:
                time.sleep(0.1)
        else:
            return
        buf = b""
        with s:
            while True:
                data = s.recv(65536)
                if not data:
                    return
                buf += data
                while b"\n" in buf:
                    line, buf = buf.split(b"\n", 1)
                    w = parse_stats_line(line.decode("utf-8", "replace"))
                    if w:
                        w["t"] = time.monotonic() - self.t0
                        self.windows.append(w)


def proc_sample(pid, t):
    with open(f"/proc/{pid}/status") as f:
        rss = parse_rss_kib(f.read())
    return {"t": t, "rss_kib": rss, "fds": len(os.listdir(f"/proc/{pid}/fd"))}


def churn_cycle(bin_dir, env, log):
    """Starts the cycle's clients, waits for them; returns (started, failed)."""
    cmds = [
        [os.path.join(bin_dir, "zc-client"), "--pattern", "motion", "--size", "480x320",
         "--frames", "30", "--title", "soak-churn-zc-client"],
        [os.path.join(bin_dir, "zc-test-client"), "--frames", "20", "--app-id", "soak-churn",
         "--timeout", "20"],
        [os.path.join(bin_dir, "zc-test-client"), "--destroy-mid-frame", "--app-id",
         "soak-churn-vanish", "--timeout", "20"],
    ]
    procs = [subprocess.Popen(c, env=env, stdout=log, stderr=subprocess.STDOUT,
                              stdin=subprocess.DEVNULL) for c in cmds]
    failed = 0
    for p in procs:
        try:
            failed += p.wait(timeout=CLIENT_TIMEOUT_S) != 0
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
            failed += 1
    return len(procs), failed


def run(args, run_dir):
    duration = float(getattr(args, "duration", None) or DEFAULT_DURATION_S)
    G = G_FMT.format(minutes=round(duration / 60, 1))
    bin_dir = os.path.join(args.build, "bin")
    log_dir = os.path.join(run_dir, "soak")
    os.makedirs(log_dir, exist_ok=True)
    for prog in ("zc-client", "zc-test-client"):
        if not os.access(os.path.join(bin_dir, prog), os.X_OK):
            return [missing("soak.verdict", G, "verdict (1 = pass)", f"{prog} not built")]
    rt = comp.make_runtime_dir(None)
    c = SoakCompositor(rt, os.path.join(log_dir, "compositor.log"), os.path.join(bin_dir, "zc-compositor"))
    try:
        c.start()
    except comp.Unavailable as e:
        shutil.rmtree(rt, ignore_errors=True)
        return [missing("soak.verdict", G, "verdict (1 = pass)", str(e))]
    t0 = time.monotonic()
    reader = StatsReader(c.stats_socket, t0)
    reader.start()
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "XDG_RUNTIME_DIR": rt,
           "WAYLAND_DISPLAY": c.socket, "HOME": rt}
    demo = []
    demo_cmds = [[os.path.join(bin_dir, "zc-client"), "--pattern", p, "--size", "480x320",
                  "--title", f"zc-client-{p}"] for p in ("smpte", "motion")]
    if shutil.which("weston-simple-shm"):
        demo_cmds.append(["weston-simple-shm"])
    for i, cmd in enumerate(demo_cmds):
        demo.append(subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL,
                                     stdout=open(os.path.join(log_dir, f"demo-{i}.log"), "w"),
                                     stderr=subprocess.STDOUT))
    print(f"bench: soak for {duration:g} s: zc-compositor + {len(demo)} demo clients + a churn "
          f"cycle every {CYCLE_S:g} s (logs: {log_dir})", flush=True)
    proc_samples, cycles, churn_clients, churn_failed = [], 0, 0, 0
    churn_log = open(os.path.join(log_dir, "churn.log"), "w")
    next_report = 60.0
    try:
        while c.alive() and time.monotonic() - t0 < duration:
            cycle_start = time.monotonic()
            n, failed = churn_cycle(bin_dir, env, churn_log)
            cycles += 1
            churn_clients += n
            churn_failed += failed
            time.sleep(0.5)  # the compositor has seen the disconnects
            if not c.alive():
                break
            proc_samples.append(proc_sample(c.proc.pid, time.monotonic() - t0))
            t = time.monotonic() - t0
            if t >= next_report:
                s = proc_samples[-1]
                print(f"bench: soak {t:6.0f} s: RSS {s['rss_kib'] / 1024:.1f} MiB, {s['fds']} fds, "
                      f"{churn_clients} churn clients ({churn_failed} failed)", flush=True)
                next_report += 60.0
            time.sleep(max(0.0, CYCLE_S - (time.monotonic() - cycle_start)))
        alive = c.alive()
        duration_run = time.monotonic() - t0
        demo_alive = all(p.poll() is None for p in demo)
    finally:
        for p in demo:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in demo:
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                p.kill()
        c.stop()
        churn_log.close()
        shutil.rmtree(rt, ignore_errors=True)
    start_b, end_b = phases(duration_run)
    start = phase_figures(proc_samples, reader.windows, start_b)
    end = phase_figures(proc_samples, reader.windows, end_b)
    ok, line = verdict(start, end, alive, churn_failed, demo_alive)
    with open(os.path.join(log_dir, "samples.json"), "w") as f:
        json.dump({"duration_s": duration_run, "phases": [start_b, end_b], "start": start,
                   "end": end, "proc": proc_samples, "windows": reader.windows}, f)
    print(f"zcd-soak: {line}; {churn_clients} churn clients in {cycles} cycles, "
          f"frame interval p50 {start.get('p50_ms', float('nan')):.2f} -> "
          f"{end.get('p50_ms', float('nan')):.2f} ms, p99 {start.get('p99_ms', float('nan')):.2f} -> "
          f"{end.get('p99_ms', float('nan')):.2f} ms", flush=True)
    return soak_rows(duration_run, start, end, ok, line, cycles, churn_clients, churn_failed)
