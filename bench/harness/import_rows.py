"""Import-cost rows from zc-bench-import (bench/import/).

Rows per import path the renderer actually took (the ImportRecord's path,
not what was asked for): cost per commit at each size, the 4K/720p ratio,
bytes copied per commit, and, for the copy fallback, throughput against the
memcpy bandwidth the same process measured.
"""
import json
import os
import re
import shutil
import subprocess

from rows import measured, missing

SIZES = ("1280x720", "1920x1080", "3840x2160")
REQUESTS = {
    "shm": "wl_shm, renderer's choice",
    "shm_force_copy": "wl_shm, --force-path copy",
    "dmabuf_memfd": "dmabuf (memfd stand-in: no real dmabuf here)",
}
G_COST = "import cost per commit vs frame size (renderer's own import paths)"
G_BYTES = "bytes copied per commit at 1920x1080"
G_COPY = "copy fallback vs memcpy (same process)"
G_INSN = "instructions per import call (callgrind: load-independent)"
# Zero-copy imports cost well under a millisecond: their CPU time on this
# shared machine is mostly noise, their instruction count is not.
INSN_REQUESTS = ("shm", "dmabuf_memfd")
INSN_SIZES = ("1280x720", "3840x2160")


def run(args, run_dir):
    exe = os.path.join(args.build, "bin", "zc-bench-import")
    commits = 10 if args.quick else 40
    if not os.access(exe, os.X_OK):
        reason = "zc-bench-import not built ($ZCD_BUILD/bin/zc-bench-import missing)"
        return unavailable_rows(reason)
    print(f"bench: import costs ({commits} commits per path and size)", flush=True)
    cmd = [exe, "--sizes", ",".join(SIZES), "--commits", str(commits),
           "--memcpy-copies", str(commits)]
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    except subprocess.TimeoutExpired:
        return unavailable_rows("zc-bench-import did not finish in 600 s")
    with open(os.path.join(run_dir, "zc-bench-import.json"), "w") as f:
        f.write(p.stdout)
    with open(os.path.join(run_dir, "zc-bench-import.stderr"), "w") as f:
        f.write(p.stderr)
    if p.returncode != 0:
        last = (p.stderr.strip().splitlines() or ["(no output)"])[-1]
        return unavailable_rows(f"zc-bench-import exited {p.returncode}: {last}")
    try:
        data = json.loads(p.stdout)
    except json.JSONDecodeError as e:
        return unavailable_rows(f"zc-bench-import printed bad JSON: {e}")
    if args.quick:
        # One callgrind run takes about 3 minutes on this machine under load.
        return rows_from(data) + [
            missing(f"instructions.{req}.ratio_4k_720p", G_INSN,
                    f"{REQUESTS[req]}: instructions 4K/720p", "--quick skips the callgrind runs")
            for req in INSN_REQUESTS]
    return rows_from(data) + instruction_rows(exe, run_dir, 5)


def callgrind_total(path):
    """The event total (Ir) of a callgrind output file, or None."""
    with open(path) as f:
        for line in f:
            m = re.match(r"^(?:summary|totals):\s+(\d+)", line)
            if m:
                return int(m.group(1))
    return None


def instruction_rows(exe, run_dir, commits):
    """Instructions per import call, one callgrind run per request and size:
    the import calls after the warm-up are the only code counted."""
    rows = []
    valgrind = shutil.which("valgrind")
    for req in INSN_REQUESTS:
        counts = {}
        for size in INSN_SIZES:
            rid = f"instructions.{req}.{size}"
            what = f"{REQUESTS[req]}: instructions per import call {size}"
            if not valgrind:
                rows.append(missing(rid, G_INSN, what, "valgrind not installed", "insn"))
                continue
            out = os.path.join(run_dir, f"callgrind.{req}.{size}.out")
            cmd = [valgrind, "--tool=callgrind", "--collect-atstart=no",
                   f"--callgrind-out-file={out}", exe, "--paths", req, "--sizes", size,
                   "--commits", str(commits), "--memcpy-copies", "1"]
            print(f"bench: instruction count of {req} {size} under callgrind", flush=True)
            try:
                p = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
            except subprocess.TimeoutExpired:
                rows.append(missing(rid, G_INSN, what, "callgrind run did not finish in 900 s",
                                    "insn"))
                continue
            total = callgrind_total(out) if p.returncode == 0 and os.path.exists(out) else None
            if total is None:
                last = (p.stderr.strip().splitlines() or ["(no output)"])[-1]
                rows.append(missing(rid, G_INSN, what, f"callgrind run failed: {last}", "insn"))
                continue
            took = ""
            try:
                r = json.loads(p.stdout)["imports"][0]
                took = r.get("recorded_path", "")
            except (ValueError, KeyError, IndexError):
                pass
            counts[size] = total / commits
            rows.append(measured(rid, G_INSN, what, total / commits, "insn", took=took,
                                 commits=commits, note=f"{total} / {commits} calls, took {took}"))
        rid = f"instructions.{req}.ratio_4k_720p"
        what = f"{REQUESTS[req]}: instructions 4K/720p"
        if len(counts) == 2 and counts[INSN_SIZES[0]] > 0:
            rows.append(measured(rid, G_INSN, what, counts[INSN_SIZES[1]] / counts[INSN_SIZES[0]],
                                 "x", note="9x the pixels; a zero-copy import should stay near 1"))
        else:
            rows.append(missing(rid, G_INSN, what, "a size was not counted"))
    return rows


def unavailable_rows(reason):
    rows = []
    for req, what in REQUESTS.items():
        rows.append(missing(f"import.{req}.ratio_4k_720p", G_COST, f"{what}: 4K/720p", reason))
    rows.append(missing("copy.throughput_over_memcpy", G_COPY,
                        "copy fallback throughput / memcpy bandwidth (4K)", reason))
    return rows


def size_key(d):
    return f"{d['width']}x{d['height']}"


def rows_from(data):
    rows = []
    memcpy = {size_key(m): m for m in data.get("memcpy", [])}
    for key in SIZES:
        m = memcpy.get(key)
        if m and m["median_ns"] > 0:
            rows.append(measured(f"memcpy.{key}", G_COPY, f"memcpy bandwidth {key}",
                                 m["gbytes_per_s"], "GB/s", bytes=m["bytes"],
                                 median_ns=m["median_ns"], copies=m["copies"]))
    if not data.get("renderer_available"):
        return unavailable_rows(data.get("renderer_missing") or "renderer not available") + rows

    by_req = {}
    for r in data.get("imports", []):
        by_req.setdefault(r["request"], {})[size_key(r)] = r
    for req, what in REQUESTS.items():
        results = by_req.get(req, {})
        errors = [r["error"] for r in results.values() if r.get("error")]
        if errors or not results:
            reason = errors[0] if errors else "zc-bench-import returned no result"
            rows.append(missing(f"import.{req}.ratio_4k_720p", G_COST, f"{what}: 4K/720p", reason))
            continue
        paths = {r["recorded_path"] for r in results.values()}
        path = "/".join(sorted(paths))
        reason = {r["recorded_reason"] for r in results.values()} - {"none"}
        took = path + (f" ({', '.join(sorted(reason))})" if reason else "")
        for key in SIZES:
            r = results.get(key)
            if r is None:
                continue
            rows.append(measured(f"import.{path}.{key}", G_COST, f"{path} {key} [{req}]",
                                 r["cost_median_ns"] / 1e6, "ms", request=req, took=took,
                                 note=f"call {r['wall_median_ns'] / 1e6:.3f} ms",
                                 call_ms=r["wall_median_ns"] / 1e6,
                                 record_ms=r["record_median_ns"] / 1e6,
                                 baseline_frame_ms=r["frame_without_median_ns"] / 1e6,
                                 commits=r["commits"], stale_records=r["stale_records"],
                                 paths_consistent=r["paths_consistent"]))
        small, big = results.get("1280x720"), results.get("3840x2160")
        rid = f"import.{path}.ratio_4k_720p"
        label = f"{path} 4K/720p [{req}]"
        if small and big and small["cost_median_ns"] > 0:
            rows.append(measured(rid, G_COST, label,
                                 big["cost_median_ns"] / small["cost_median_ns"], "x",
                                 note=f"{big['cost_median_ns'] / 1e6:.3f} / "
                                      f"{small['cost_median_ns'] / 1e6:.3f} ms, 9x the pixels",
                                 request=req, took=took, pixels_ratio=9.0))
        else:
            rows.append(missing(rid, G_COST, label, "720p or 4K not measured, or the 720p cost "
                            "was not above the baseline frame"))
        mid = results.get("1920x1080")
        if mid:
            rows.append(measured(f"bytes_copied.{path}", G_BYTES, f"{path} [{req}]",
                                 mid["bytes_copied"], "bytes", request=req,
                                 bytes_zero_copy=mid["bytes_zero_copy"],
                                 frame_bytes=mid["width"] * mid["height"] * 4))

    # Copy fallback against memcpy: the forced-copy shm path at 4K (beyond
    # every cache), bytes the renderer says it copied over the time it took,
    # against the memcpy of the same size timed by the same process.
    copy = by_req.get("shm_force_copy", {}).get("3840x2160")
    m = memcpy.get("3840x2160")
    rid, label = "copy.throughput_over_memcpy", "copy fallback throughput / memcpy bandwidth (4K)"
    if not copy or copy.get("error"):
        rows.append(missing(rid, G_COPY, label,
                            (copy or {}).get("error") or "forced-copy path not measured at 4K"))
    elif not copy["bytes_copied"]:
        rows.append(missing(rid, G_COPY, label,
                            f"forced copy recorded 0 bytes copied (path {copy['recorded_path']})"))
    else:
        paired = copy.get("memcpy_median_ns") or (m or {}).get("median_ns")
        copy_gbs = copy["bytes_copied"] / copy["cost_median_ns"]
        mem_gbs = copy["bytes_copied"] / paired if paired else None
        if not mem_gbs:
            rows.append(missing(rid, G_COPY, label, "memcpy bandwidth not measured"))
        else:
            rows.append(measured(rid, G_COPY, label, copy_gbs / mem_gbs, "x",
                                 note=f"{copy_gbs:.2f} / {mem_gbs:.2f} GB/s",
                                 copy_gbytes_per_s=round(copy_gbs, 3),
                                 memcpy_gbytes_per_s=round(mem_gbs, 3),
                                 bytes=copy["bytes_copied"],
                                 memcpy_paired=bool(copy.get("memcpy_median_ns"))))
    return rows
