"""Hot-path rows (issue 8 item 3): does a zc-compositor frame allocate, wait
on the GPU more than once, or copy?  Measured with perf on the running
compositor under the same workload as the compositor rows:

  * uprobes on libc malloc/calloc/realloc and on the Vulkan loader's
    vkQueueSubmit/vkWaitForFences/vkQueueWaitIdle/vkDeviceWaitIdle and
    vkAllocateMemory/vkCreateBuffer/vkCreateImage, counted over the window
    (`perf stat`), divided by the frames of the window;
  * the callers of malloc from a second window with DWARF call chains
    (`perf record -g`), attributed to the first frame outside libc and
    libstdc++: allocations made by zc-compositor's own code (binary
    zc-compositor, which links the renderer statically) are the ones the
    hot path must not make;
  * a CPU profile (`perf record`, sampling) for where the time goes, incl.
    the share of memcpy/memmove.

Needs root (uprobes) and perf; otherwise the rows say so.  The probes are
added under the group "zcdbench" and removed afterwards.
"""
import collections
import os
import re
import shutil
import subprocess
import time

import compositors as comp
from rows import measured, missing

G = "hot path of a zc-compositor frame (perf, same workload)"
GROUP = "zcdbench"
LIBC_PROBES = ("malloc", "calloc", "realloc")
VK_PROBES = ("vkQueueSubmit", "vkQueueSubmit2", "vkWaitForFences", "vkQueueWaitIdle",
             "vkDeviceWaitIdle", "vkAllocateMemory", "vkCreateBuffer", "vkCreateImage")
IDS = ("hotpath.own_mallocs_per_frame", "hotpath.gpu_waits_per_submit",
       "hotpath.vk_objects_per_frame", "hotpath.memcpy_cpu_share")


def all_missing(reason):
    labels = {
        "hotpath.own_mallocs_per_frame": "allocations by zc-compositor's code per frame",
        "hotpath.gpu_waits_per_submit": "GPU waits per queue submit",
        "hotpath.vk_objects_per_frame": "Vulkan memory/buffer/image creations per frame",
        "hotpath.memcpy_cpu_share": "share of compositor CPU in memcpy/memmove",
    }
    return [missing(i, G, labels[i], reason) for i in IDS]


def mapped_library(pid, name_re):
    with open(f"/proc/{pid}/maps") as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 6 and re.search(name_re, os.path.basename(parts[5])):
                return parts[5]
    return None


def add_probes(libc, libvulkan):
    added, failed = [], []
    for lib, funcs in ((libc, LIBC_PROBES), (libvulkan, VK_PROBES)):
        for fn in funcs:
            ev = f"{GROUP}:{fn.lower()}={fn}"
            p = subprocess.run(["perf", "probe", "-q", "-x", lib, "-a", ev],
                               capture_output=True, text=True)
            (added if p.returncode == 0 else failed).append(fn)
    return added, failed


def remove_probes():
    subprocess.run(["perf", "probe", "-q", "-d", f"{GROUP}:*"], capture_output=True)


def perf_stat(pid, events, seconds):
    cmd = ["perf", "stat", "-x", ",", "--no-big-num", "-p", str(pid)]
    for e in events:
        cmd += ["-e", e]
    p = subprocess.run(cmd + ["--", "sleep", f"{seconds:g}"], capture_output=True, text=True)
    counts = {}
    for line in p.stderr.splitlines():
        parts = line.split(",")
        if len(parts) >= 3 and parts[2].startswith(f"{GROUP}:"):
            try:
                counts[parts[2].split(":", 1)[1]] = int(parts[0])
            except ValueError:
                counts[parts[2].split(":", 1)[1]] = 0  # "<not counted>"
    return counts


SKIP_DSOS = ("libc.so", "libstdc++.so", "ld-linux", "[unknown]")


def malloc_callers(pid, seconds, out_dir):
    data = os.path.join(out_dir, "perf-malloc.data")
    subprocess.run(["perf", "record", "-q", "-o", data, "--call-graph", "dwarf,16384",
                    "-e", f"{GROUP}:malloc", "-e", f"{GROUP}:calloc", "-e", f"{GROUP}:realloc",
                    "-p", str(pid), "--", "sleep", f"{seconds:g}"],
                   capture_output=True, text=True)
    p = subprocess.run(["perf", "script", "-i", data, "-F", "event,ip,sym,dso"],
                       capture_output=True, text=True)
    by_dso = collections.Counter()      # library that called malloc
    our_sites = collections.Counter()   # our function on the stack that led to it
    own_sites = collections.Counter()   # our function that called malloc itself
    own = total = 0
    stack = []

    def flush():
        nonlocal own, total
        if not stack:
            return
        total += 1
        # perf marks inlined frames with "(inlined)" instead of a DSO; they
        # belong to the next real frame, so skip them when attributing.
        real = [(sym, dso) for sym, dso in stack if dso != "inlined"]
        caller = next(((sym, dso) for sym, dso in real
                       if not any(x in dso for x in SKIP_DSOS)), None)
        if caller is None:
            return
        by_dso[os.path.basename(caller[1])] += 1
        if os.path.basename(caller[1]) == "zc-compositor":
            own += 1
            own_sites[caller[0][:80]] += 1
        site = next((sym for sym, dso in real if os.path.basename(dso) == "zc-compositor"
                     and "Listener" not in sym and "_M_invoke" not in sym), None)
        if site:
            our_sites[site[:80]] += 1

    for line in p.stdout.splitlines():
        if not line.strip():
            flush()
            stack = []
            continue
        m = re.match(r"^\s+[0-9a-f]+\s+(.*?)\s+\((.*)\)\s*$", line)
        if m:
            stack.append((m.group(1), m.group(2)))
    flush()
    callers = {"by_library": by_dso, "our_call_sites": our_sites, "own_sites": own_sites}
    return own, total, callers


def cpu_profile(pid, seconds, out_dir):
    data = os.path.join(out_dir, "perf-cpu.data")
    subprocess.run(["perf", "record", "-q", "-F", "499", "-o", data, "-p", str(pid), "--",
                    "sleep", f"{seconds:g}"], capture_output=True, text=True)
    p = subprocess.run(["perf", "report", "-i", data, "--stdio", "--no-children", "--sort",
                        "comm,dso,sym", "-g", "none", "--percent-limit", "1"],
                       capture_output=True, text=True)
    with open(os.path.join(out_dir, "perf-cpu.txt"), "w") as f:
        f.write(p.stdout)
    share, top = 0.0, []
    for line in p.stdout.splitlines():
        m = re.match(r"^\s+([0-9.]+)%\s+(\S+)\s+(\S+)\s+\[.\]\s+(.*)$", line)
        if not m:
            continue
        pct, comm, dso, sym = float(m.group(1)), m.group(2), m.group(3), m.group(4).strip()
        if re.search(r"mem(move|cpy)", sym):
            share += pct / 100
        if len(top) < 5:
            top.append(f"{pct:.1f}% {comm} {dso} {sym[:40]}")
    return share, top


def run(args, run_dir):
    if os.geteuid() != 0:
        return all_missing("needs root for perf uprobes")
    if not shutil.which("perf"):
        return all_missing("perf not installed (Debian package linux-perf)")
    zc_bin = os.path.join(args.build, "bin", "zc-compositor")
    client_bin = os.path.join(args.build, "bin", "zc-bench-client")
    out_dir = os.path.join(run_dir, "hotpath")
    os.makedirs(out_dir, exist_ok=True)
    seconds = 3.0 if args.quick else 5.0
    print(f"bench: hot path: perf on zc-compositor ({args.clients} x 1920x1080, 3 windows of "
          f"{seconds:g} s)", flush=True)
    c = comp.ZcCompositor(comp.make_runtime_dir(None), os.path.join(out_dir, "zc-compositor.log"),
                          zc_bin, ["--renderer", "vulkan"], label="zc-compositor-hotpath")
    result = {}

    def window(pid, w):
        libc = mapped_library(pid, r"^libc\.so")
        libvk = mapped_library(pid, r"^libvulkan\.so")
        if not libc or not libvk:
            raise comp.Unavailable("libc or libvulkan not mapped in zc-compositor")
        remove_probes()
        added, failed = add_probes(libc, libvk)
        if "malloc" not in added or "vkWaitForFences" not in added:
            raise comp.Unavailable(f"perf probe could not add uprobes ({', '.join(failed)})")
        try:
            t0 = comp.monotonic_ns()
            result["counts"] = perf_stat(pid, [f"{GROUP}:{fn.lower()}" for fn in added], w)
            t1 = comp.monotonic_ns()
            result["own"], result["total"], result["callers"] = malloc_callers(pid, w, out_dir)
        finally:
            remove_probes()
        result["share"], result["top"] = cpu_profile(pid, w, out_dir)
        return t0, t1

    try:
        figures = comp.run_workload(c, client_bin, args.clients, 2.0, seconds, during=window)
    except comp.Unavailable as e:
        return all_missing(str(e))
    frames = figures["frames_done"]
    if not frames:
        return all_missing("no frames came back in the counted window")
    n = result["counts"]
    submits = n.get("vkqueuesubmit", 0) + n.get("vkqueuesubmit2", 0)
    waits = n.get("vkwaitforfences", 0) + n.get("vkqueuewaitidle", 0) + \
        n.get("vkdevicewaitidle", 0)
    objects = n.get("vkallocatememory", 0) + n.get("vkcreatebuffer", 0) + \
        n.get("vkcreateimage", 0)
    mallocs = n.get("malloc", 0) + n.get("calloc", 0) + n.get("realloc", 0)
    own_share = result["own"] / result["total"] if result["total"] else 0.0
    per = max(1, result["total"])
    by_lib = {k: round(v / per, 3) for k, v in result["callers"]["by_library"].most_common(6)}
    sites = {k: round(v / per, 3) for k, v in result["callers"]["our_call_sites"].most_common(6)}
    own_sites = {k: round(v / per, 3) for k, v in result["callers"]["own_sites"].most_common(6)}
    rows = [
        measured("hotpath.own_mallocs_per_frame", G,
                 "allocations by zc-compositor's code per frame", mallocs * own_share / frames,
                 "allocs", note=f"{mallocs / frames:.1f} per frame in all, "
                 f"{own_share:.0%} from zc-compositor's code",
                 all_allocs_per_frame=mallocs / frames, frames=frames,
                 share_by_calling_library=by_lib, share_by_our_call_site=sites,
                 own_allocating_functions=own_sites),
        measured("hotpath.gpu_waits_per_submit", G, "GPU waits per queue submit",
                 waits / submits if submits else 0.0, "x",
                 note=f"{waits} waits, {submits} submits, {frames} client frames",
                 waits=waits, submits=submits, frames=frames),
        measured("hotpath.vk_objects_per_frame", G,
                 "Vulkan memory/buffer/image creations per frame", objects / frames, "objects",
                 note="per-commit imports create these unless cached per wl_buffer",
                 counts={k: v for k, v in n.items() if k.startswith("vk")}, frames=frames),
        measured("hotpath.memcpy_cpu_share", G, "share of compositor CPU in memcpy/memmove",
                 result["share"], "share", note="sampled profile", top_symbols=result["top"]),
    ]
    return rows
