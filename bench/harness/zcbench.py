#!/usr/bin/env python3
"""The benchmark run behind `./zcd bench` (bench/run.sh parses the flags).

Runs every group, turns what it measured into rows (bench/harness/rows.py),
writes bench/results/<date>-<host>.json and prints the table.  A group whose
prerequisite is missing still produces its rows, each naming what is missing.
Benchmarks never fail: the exit code is 0 unless the harness itself breaks.
"""
import argparse
import datetime
import json
import os
import platform
import socket
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import chain_rows  # noqa: E402
import compositors as comp  # noqa: E402
import demo_rows  # noqa: E402
import hotpath  # noqa: E402
import import_rows  # noqa: E402
import kernel_row  # noqa: E402
import soak  # noqa: E402
from rows import measured, missing, render_markdown, render_table  # noqa: E402
from targets import judge  # noqa: E402

GROUPS = ("import", "compositors", "hotpath", "demo", "kernel", "chain")
# Run only when asked for (--only soak): it takes 30 minutes by default.
ON_REQUEST = ("soak",)


def parse_args(argv):
    p = argparse.ArgumentParser(prog="zcbench.py")
    p.add_argument("--root", required=True)
    p.add_argument("--build", required=True)
    p.add_argument("--quick", action="store_true")
    p.add_argument("--clients", type=int)
    p.add_argument("--seconds", type=float)
    p.add_argument("--rounds", type=int)
    p.add_argument("--only", action="append", choices=GROUPS + ON_REQUEST)
    p.add_argument("--duration", type=float, help="soak length in seconds")
    p.add_argument("--results-dir")
    return p.parse_args(argv)


def sh(cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return ""


def environment(root):
    return {
        "host": socket.gethostname(),
        "cpus": os.cpu_count(),
        "kernel": platform.release(),
        "loadavg_start": os.getloadavg(),
        "git_commit": sh(["git", "-C", root, "rev-parse", "--short", "HEAD"]),
        "git_dirty": bool(sh(["git", "-C", root, "status", "--porcelain", "--untracked-files=no"])),
        "mesa": sh(["dpkg-query", "-W", "-f=${Version}", "mesa-vulkan-drivers"]),
        "weston": sh(["dpkg-query", "-W", "-f=${Version}", "weston"]),
        "sway": sh(["dpkg-query", "-W", "-f=${Version}", "sway"]),
        "wlroots": sh(["dpkg-query", "-W", "-f=${Version}", "libwlroots10"]),
    }


# ---------------------------------------------------------------- compositors

# Workloads: "fullscreen" (the bench workload: clients as large as the output;
# zc-compositor scans the one that covers it out directly) and "composed"
# (clients that do not cover the output, so every compositor composes).
WORKLOADS = (("fullscreen", "1920x1080"), ("composed", "960x540"))


def compositor_set(args, runtime_parent, log_dir):
    """(label, factory) for every compositor configuration the table compares."""
    zc_bin = os.path.join(args.build, "bin", "zc-compositor")
    zc_help = sh([zc_bin, "--help"]) if os.access(zc_bin, os.X_OK) else ""

    def mk(cls, name, *a, **kw):
        def factory():
            rt = comp.make_runtime_dir(runtime_parent)
            return cls(rt, os.path.join(log_dir, f"{name}.log"), *a, **kw)
        return name, factory

    # The Vulkan renderer is the product; ask for it explicitly when offered.
    zc_args = ["--renderer", "vulkan"] if "--renderer" in zc_help else []
    configs = [
        mk(comp.Weston, "weston"),
        mk(comp.Sway, "sway"),
        mk(comp.ZcCompositor, "zc-compositor", zc_bin, zc_args, label="zc-compositor"),
    ]
    if "--force-path" in zc_help:
        # Not a target row: shows what the zero-copy path saves (or costs)
        # against the copy fallback in the same compositor.
        configs.append(mk(comp.ZcCompositor, "zc-compositor-copy", zc_bin,
                          zc_args + ["--force-path", "copy"], label="zc-compositor-copy"))
    if "--overlay" in zc_help:
        configs.append(mk(comp.ZcCompositor, "zc-compositor+overlay", zc_bin,
                          zc_args + ["--overlay"], label="zc-compositor+overlay"))
    if "--direct-scanout" in zc_help:
        # The overlay is drawn on top, so frames with it are composed: its
        # cost is measured against composed frames without it, not against
        # direct scanout (which it rules out).
        configs.append(mk(comp.ZcCompositor, "zc-compositor-composed", zc_bin,
                          zc_args + ["--direct-scanout", "off"], label="zc-compositor-composed"))
    return configs, zc_help


def run_compositors(args, run_dir):
    log_dir = os.path.join(run_dir, "compositors")
    os.makedirs(log_dir, exist_ok=True)
    client_bin = os.path.join(args.build, "bin", "zc-bench-client")
    configs, zc_help = compositor_set(args, None, log_dir)
    # The composed workload runs the three compositors only: the copy and
    # overlay variants are about the fullscreen workload's rows.
    runs = [(label, factory, w, size) for w, size in WORKLOADS for label, factory in configs
            if w == "fullscreen" or label in ("weston", "sway", "zc-compositor")]
    key = lambda label, w: label if w == "fullscreen" else f"{w}.{label}"  # noqa: E731
    results = {key(label, w): [] for label, _, w, _ in runs}
    failures = {}
    warmup = 1.0 if args.quick else 2.0
    # Rounds interleave the compositors so slow drifts of the shared machine's
    # load hit all of them alike.
    for rnd in range(args.rounds):
        for label, factory, w, size in runs:
            k = key(label, w)
            if k in failures:
                continue
            print(f"bench: compositors round {rnd + 1}/{args.rounds}: {label} {w} "
                  f"({args.clients} x {size}, {args.seconds:g} s)", flush=True)
            try:
                c = factory()
                results[k].append(comp.run_workload(c, client_bin, args.clients, warmup,
                                                    args.seconds, size=size))
            except comp.Unavailable as e:
                failures[k] = str(e)
                print(f"bench: {k}: {e}", flush=True)
    rows = compositor_rows(configs, results, failures, zc_help, args)
    rows += composed_rows(results, failures, args)
    rows += scanout_rows(results, failures)
    return rows


def composed_rows(results, failures, args):
    """CPU per frame on the composed workload, and zc-compositor's ratios."""
    G = "compositor CPU per frame, composed workload (clients do not cover the output)"
    size = dict(WORKLOADS)["composed"]
    workload = (f"{args.clients} x zc-bench-client {size} XRGB8888 wl_shm on a 1920x1080 "
                f"output, redraw every frame callback, {args.rounds} x {args.seconds:g} s")
    rows, values = [], {}
    for label in ("weston", "sway", "zc-compositor"):
        k = f"composed.{label}"
        rid, what = f"cpu.composed.{label}.ms_per_frame", f"{label}: CPU ms per frame (composed)"
        if k in failures:
            rows.append(missing(rid, G, what, failures[k], "ms"))
            continue
        p = pooled(results[k]) if results.get(k) else None
        if not p or not p["frames"]:
            rows.append(missing(rid, G, what, "no frame callbacks came back in the window", "ms"))
            continue
        values[label] = p["cpu_ms_per_frame"]
        rows.append(measured(rid, G, what, p["cpu_ms_per_frame"], "ms", workload=workload,
                             note=f"{p['cpu_s']:.2f} s CPU / {p['frames']} frames, "
                                  f"{p['fps_per_client']:.1f} fps per client",
                             cpu_s=p["cpu_s"], frames=p["frames"], window_s=p["window_s"],
                             per_round=p["per_round_cpu_ms_per_frame"]))
    for peer in ("weston", "sway"):
        rid, what = f"cpu.composed.zc_over_{peer}", f"zc-compositor / {peer} CPU per frame (composed)"
        if "zc-compositor" not in values or peer not in values:
            rows.append(missing(rid, G, what, "a CPU row of the composed workload is missing"))
        else:
            zc, pr = values["zc-compositor"], values[peer]
            rows.append(measured(rid, G, what, zc / pr, "x", note=f"{zc:.3f} / {pr:.3f} ms",
                                 zc_ms=zc, peer_ms=pr))
    return rows


def scanout_rows(results, failures):
    """How zc-compositor's frames reached the output, from its stats.json."""
    G = "output hop (zc-compositor stats.json, whole runs)"
    rows = []
    for k, what, path in (
            ("zc-compositor", "fullscreen workload: share of frames scanned out directly",
             "direct_scanout"),
            ("composed.zc-compositor", "composed workload: share of frames composed without "
             "a copy", "composed_zero_copy")):
        rid = f"scanout.{k}.{path}_share"
        runs = results.get(k) or []
        paths = {}
        copied = 0
        for r in runs:
            for p, n in r.get("scanout_paths", {}).items():
                paths[p] = paths.get(p, 0) + n
            copied += r.get("scanout_bytes_copied", 0)
        frames = sum(paths.values())
        misses = {}
        for r in runs:
            for m, n in r.get("direct_scanout_misses", {}).items():
                misses[m] = misses.get(m, 0) + n
        if k in failures:
            rows.append(missing(rid, G, what, failures[k]))
        elif not frames:
            rows.append(missing(rid, G, what, "zc-compositor wrote no scanout counts"))
        else:
            rows.append(measured(rid, G, what, paths.get(path, 0) / frames, "share",
                                 note=f"{paths.get(path, 0)} of {frames} frames, "
                                      f"{copied} bytes copied by the output hop",
                                 scanout_paths=paths, direct_scanout_misses=misses,
                                 scanout_bytes_copied=copied))
    return rows


def pooled(runs):
    cpu = sum(r["cpu_s"] for r in runs)
    frames = sum(r["frames_done"] for r in runs)
    window = sum(r["window_s"] for r in runs)
    lat = sorted(x for r in runs for x in r["_latencies_ms"])
    refresh = [r["refresh_ms"] for r in runs if "refresh_ms" in r]
    return {
        "rounds": len(runs), "cpu_s": round(cpu, 3), "frames": frames,
        "presented": sum(r["frames_presented"] for r in runs),
        "window_s": round(window, 3),
        "fps_per_client": round(frames / window / runs[0]["clients"], 2) if window else 0,
        "cpu_ms_per_frame": cpu * 1000 / frames if frames else None,
        "latencies": lat,
        "refresh_ms": refresh[0] if refresh else None,
        "per_round_cpu_ms_per_frame": [r["cpu_ms_per_frame"] for r in runs],
    }


def compositor_rows(configs, results, failures, zc_help, args):
    G = "compositor CPU per frame (same workload, same run)"
    L = "commit-to-present latency at 60 Hz (wp_presentation)"
    O = "overlay cost"
    workload = (f"{args.clients} x zc-bench-client 1920x1080 XRGB8888 wl_shm, redraw every "
                f"frame callback, {args.rounds} x {args.seconds:g} s")
    rows, pools = [], {}
    for label, _ in configs:
        if label in failures:
            pools[label] = None
            continue
        pools[label] = pooled(results[label])
    for label, _ in configs:
        rid = f"cpu.{label}.ms_per_frame"
        what = f"{label}: CPU ms per frame"
        p = pools[label]
        if p is None:
            rows.append(missing(rid, G, what, failures[label], "ms"))
        elif not p["frames"]:
            rows.append(missing(rid, G, what, "no frame callbacks came back in the window", "ms"))
        else:
            rows.append(measured(rid, G, what, p["cpu_ms_per_frame"], "ms", workload=workload,
                                 note=f"{p['cpu_s']:.2f} s CPU / {p['frames']} frames, "
                                      f"{p['fps_per_client']:.1f} fps per client",
                                 cpu_s=p["cpu_s"], frames=p["frames"], window_s=p["window_s"],
                                 fps_per_client=p["fps_per_client"],
                                 per_round=p["per_round_cpu_ms_per_frame"]))
    by_id = {r.id: r for r in rows}
    zc = by_id.get("cpu.zc-compositor.ms_per_frame")
    for peer in ("weston", "sway"):
        rid, what = f"cpu.zc_over_{peer}", f"zc-compositor / {peer} CPU per frame"
        pr = by_id.get(f"cpu.{peer}.ms_per_frame")
        if zc is None or zc.value is None:
            rows.append(missing(rid, G, what, f"zc-compositor row: {zc.missing if zc else '?'}"))
        elif pr is None or pr.value is None:
            rows.append(missing(rid, G, what, f"{peer} row: {pr.missing if pr else '?'}"))
        else:
            rows.append(measured(rid, G, what, zc.value / pr.value, "x",
                                 note=f"{zc.value:.3f} / {pr.value:.3f} ms",
                                 zc_ms=zc.value, peer_ms=pr.value))
    for label, _ in configs:
        if label.endswith("+overlay") or label.endswith("-copy") or label.endswith("-composed"):
            continue
        p = pools[label]
        for q in ("p50", "p99"):
            rid, what = f"latency.{label}.{q}", f"{label}: commit-to-present {q}"
            if p is None:
                rows.append(missing(rid, L, what, failures[label], "ms"))
            elif not p["latencies"]:
                rows.append(missing(rid, L, what, f"{label} sent no wp_presentation 'presented' "
                                    f"feedback ({p['frames']} frame callbacks did come back)",
                                    "ms"))
            else:
                v = comp.percentile(p["latencies"], 50 if q == "p50" else 99)
                rows.append(measured(rid, L, what, v, "ms", samples=len(p["latencies"]),
                                     note=f"{len(p['latencies'])} frames",
                                     refresh_ms=p["refresh_ms"] or 16.667))
    rid, what = "overlay.cost_share", "overlay: extra CPU per frame / CPU per frame without"
    base = "zc-compositor-composed" if "zc-compositor-composed" in pools else "zc-compositor"
    plain, over = pools.get(base), pools.get("zc-compositor+overlay")
    if "zc-compositor+overlay" not in pools:
        reason = ("zc-compositor not built" if not zc_help else
                  "zc-compositor --help has no --overlay flag yet")
        rows.append(missing(rid, O, what, reason))
    elif plain is None or over is None or not plain["frames"] or not over["frames"]:
        rows.append(missing(rid, O, what, failures.get("zc-compositor+overlay")
                            or failures.get(base) or "no frames counted"))
    else:
        a, b = plain["cpu_ms_per_frame"], over["cpu_ms_per_frame"]
        rows.append(measured(rid, O, what, (b - a) / a, "share", without_ms=a, with_ms=b,
                             baseline=base, note=f"({b:.3f} - {a:.3f}) / {a:.3f} ms vs {base}"))
    return rows


# --------------------------------------------------------------------- main

def scrub(obj, root, build):
    """No absolute path of this machine goes into the committed results file."""
    if isinstance(obj, str):
        for path, name in ((build, "$ZCD_BUILD"), (root, "$ZCD_ROOT")):
            obj = obj.replace(path, name)
        return obj
    if isinstance(obj, list):
        return [scrub(x, root, build) for x in obj]
    if isinstance(obj, tuple):
        return [scrub(x, root, build) for x in obj]
    if isinstance(obj, dict):
        return {k: scrub(v, root, build) for k, v in obj.items()}
    return obj


def results_path(results_dir, host, now, kind):
    """Full runs: <date>-<host>.json (the file to commit).  Quick and partial
    runs get a suffix so they never overwrite a full run's figures."""
    suffix = "" if kind == "full" else f"-{kind}"
    return os.path.join(results_dir, f"{now.strftime('%Y-%m-%d')}-{host}{suffix}.json")


def main(argv):
    args = parse_args(argv)
    if args.quick:
        args.clients = args.clients or 1
        args.seconds = args.seconds or 3.0
        args.rounds = args.rounds or 1
    else:
        args.clients = args.clients or 2
        args.seconds = args.seconds or 5.0
        args.rounds = args.rounds or 3
    groups = args.only or list(GROUPS)
    started = datetime.datetime.now(datetime.timezone.utc)
    run_dir = os.path.join(args.root, "out", "bench", started.strftime("%Y%m%dT%H%M%SZ"))
    os.makedirs(run_dir, exist_ok=True)
    env = environment(args.root)
    t_start = time.monotonic()

    rows = []
    if "import" in groups:
        rows += import_rows.run(args, run_dir)
    if "compositors" in groups:
        rows += run_compositors(args, run_dir)
    if "hotpath" in groups:
        rows += hotpath.run(args, run_dir)
    if "demo" in groups:
        rows += demo_rows.run(args, run_dir)
    if "kernel" in groups:
        rows += kernel_row.run(args, run_dir)
    if "chain" in groups:
        rows += chain_rows.run(args, run_dir)
    if "soak" in groups:
        rows += soak.run(args, run_dir)

    env["loadavg_end"] = os.getloadavg()
    finished = datetime.datetime.now(datetime.timezone.utc)
    row_dicts = [r.to_json() for r in rows]
    verdicts, report = judge(row_dicts)
    doc = {
        "schema": 1,
        "started_at": started.isoformat(timespec="seconds"),
        "finished_at": finished.isoformat(timespec="seconds"),
        "duration_s": round(time.monotonic() - t_start, 1),
        "mode": "quick" if args.quick else ("partial" if args.only else "full"),
        "groups": groups,
        "parameters": {"clients": args.clients, "seconds": args.seconds, "rounds": args.rounds,
                       **({"demo_duration_s": demo_rows.duration(args)}
                          if "demo" in groups else {}),
                       **({"soak_duration_s": args.duration or soak.DEFAULT_DURATION_S}
                          if "soak" in groups else {})},
        "environment": env,
        "rows": row_dicts,
        "targets": report,
        "logs": os.path.relpath(run_dir, args.root),
    }
    results_dir = args.results_dir or os.path.join(args.root, "bench", "results")
    os.makedirs(results_dir, exist_ok=True)
    kind = "quick" if args.quick else ("partial" if args.only else "full")
    path = results_path(results_dir, env["host"], started, kind)
    doc = scrub(doc, os.path.abspath(args.root), os.path.abspath(args.build))
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    os.replace(tmp, path)

    with open(os.path.join(run_dir, "table.md"), "w") as f:
        f.write(render_markdown(rows, verdicts))
    print(render_table(rows, verdicts))
    print()
    print(f"load average {env['loadavg_start'][0]:.2f} at start, "
          f"{env['loadavg_end'][0]:.2f} at end on {env['cpus']} CPUs (shared machine: "
          "compare ratios, not absolute figures)")
    print(f"results: {os.path.relpath(path, args.root)}   logs: {doc['logs']}/")
    n_missing = sum(1 for r in rows if r.missing)
    print(f"zcd-bench: rows={len(rows)} measured={len(rows) - n_missing} missing={n_missing}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
