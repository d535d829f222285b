#!/usr/bin/env python3
"""End-to-end tests of zc-compositor, headless, with real clients.

The cases are data (CASES below); each runs as its own CTest test
(`e2e_<name>`), registered from `e2e.py --list`.  The harness lives in
tests/harness/zcd_harness.py.  Every case also asserts that the Khronos
validation layer reported no error (the test runner sets ZCD_VALIDATION=1).

usage: e2e.py --bin DIR --out DIR CASE | --list
"""
import argparse
import csv
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "harness"))
import zcd_harness as h  # noqa: E402

TEST_CLIENT = "{bin}/zc-test-client"
# The window the layout gives the first toplevel: 8 px from the top-left.
FIRST_WINDOW_ORIGIN = (8, 8)

# Real clients from other projects, and our test client with known pixels.
# Frame minimums are far below 60 Hz x run time: the build machines are
# shared and heavily loaded, and the point is "frames keep being presented".
# run_for: seconds the client runs before the harness ends it (clients that
# never exit); exits: the client ends by itself and must exit 0.
CLIENT_CASES = {
    # weston's clients seal their pools against shrinking
    # (os_create_anonymous_file), as do ours: all their buffers are
    # host-imported; an unsealed pool would be copied (shm_not_sealed).
    "weston_simple_shm": dict(
        cmd=["weston-simple-shm"], run_for=4.0, name="simple-shm", min_frames=30,
        all_path="shm_host_import"),
    "weston_presentation_shm": dict(
        # stdbuf: its stdout is a file here; line buffering keeps the lines
        # printed before the harness stops it.
        cmd=["stdbuf", "-oL", "weston-presentation-shm", "-f"], run_for=4.0,
        name="presentation-shm",
        min_frames=30,
        # Its feedback mode prints one line per presented frame with the
        # commit-to-presentation time: proof that feedback arrived.
        stdout_lines=(r"^\s*\d+: f2c\s+\d+ ms, c2p\s+\d+ ms", 30)),
    "vkcube_lavapipe": dict(
        cmd=["vkcube-wayland", "--c", "90"], exits=True, timeout=90, name="vkcube",
        min_frames=60),
    "known_pattern_shm": dict(
        cmd=[TEST_CLIENT, "--size", "160x120", "--color", "3366ff", "--frames", "45",
             "--app-id", "pattern-shm"], exits=True, timeout=60, name="pattern-shm",
        min_frames=45, exact=((160, 120), (0x33, 0x66, 0xFF)), all_path="shm_host_import"),
    "timeline_exports": dict(
        cmd=["{bin}/zc-client", "--pattern", "motion", "--size", "200x150", "--frames", "60",
             "--title", "timeline"], exits=True, timeout=40, name="timeline", min_frames=60,
        args=["--trace", "{out}/trace.json", "--csv", "{out}/timeline.csv",
              "--summary", "{out}/summary.json"], exports=True),
    "force_path_copy": dict(
        cmd=[TEST_CLIENT, "--size", "160x120", "--color", "8040c0", "--frames", "45",
             "--app-id", "forced-copy"], exits=True, timeout=60, name="forced-copy",
        min_frames=45, exact=((160, 120), (0x80, 0x40, 0xC0)), args=["--force-path", "copy"],
        only_path=("shm_copy", "forced_copy")),
    # zc-compositor nested in zc-compositor (wayland backend): the inner
    # output is the outer's first window, the client the inner's first.  The
    # inner output (1280x720) is larger than the outer's, so the layout puts
    # it at the outer's origin: the client is 8 px in from there.
    "nested_wayland": dict(
        cmd=["{bin}/zc-compositor", "--backend", "wayland", "--exit-with-client", "--",
             TEST_CLIENT, "--size", "160x120", "--color", "4080ff", "--frames", "45"],
        exits=True, timeout=60, name="wlroots", min_frames=30,
        exact=((160, 120), (0x40, 0x80, 0xFF)), origin=(8, 8)),
    # Kernel counters from a debugfs-format file (guest) and an agent
    # snapshot file (host) reach stats.json (and the overlay).
    "kernel_counters": dict(
        cmd=[TEST_CLIENT, "--frames", "20", "--app-id", "kstat"], exits=True, timeout=60,
        name="kstat", min_frames=20, args=["--overlay", "--kstat", "{tmp}/guest.txt",
                                           "--host-kstat", "{tmp}/host.txt"],
        files={"guest.txt": "version: 1\ninterconnect: iov\n\tmatches: 3\n\tmaps: 2\n"
                            "\tfallbacks: 1\n\trejected_ranges: 1\n",
               "host.txt": "version: 1\ninterconnect: iov\n\tmaps: 7\n\tfallbacks: 0\n"
                           "\trejected_ranges: 4\n\n"},
        kernel={"guest": {"interconnect_maps": 2, "fallbacks": 1, "rejected_ranges": 1},
                "host": {"interconnect_maps": 7, "fallbacks": 0, "rejected_ranges": 4}}),
    # The host agent's stream (here a FIFO, like the virtio-serial port):
    # one snapshot, then the writer hangs up.  The counters stay, and the
    # compositor must not block on the hung-up stream afterwards.
    "kernel_counters_host_stream_hangup": dict(
        cmd=[TEST_CLIENT, "--frames", "150", "--app-id", "kstat-stream"], exits=True,
        timeout=60, name="kstat-stream", min_frames=150,
        args=["--host-kstat", "{tmp}/host.fifo"],
        fifos={"host.fifo": "version: 1\ninterconnect: iov\n\tmaps: 5\n\tfallbacks: 2\n"
                            "\trejected_ranges: 3\n\n"},
        kernel={"guest": None,
                "host": {"interconnect_maps": 5, "fallbacks": 2, "rejected_ranges": 3}}),
    # A client's subsurface buffers are classified and counted for it.
    "subsurface_buffers_counted": dict(
        cmd=[TEST_CLIENT, "--size", "200x150", "--subsurface", "--frames", "45",
             "--app-id", "subsurface"], exits=True, timeout=60, name="subsurface",
        min_frames=45, commits_match=True),
    # The same buffer attached again without damage is a commit of it.
    "reattached_buffers_counted": dict(
        cmd=[TEST_CLIENT, "--size", "200x150", "--reattach", "--frames", "45",
             "--app-id", "reattach"], exits=True, timeout=60, name="reattach",
        min_frames=45, exact=((200, 150), (0xFF, 0x33, 0x66)), commits_match=True,
        reattached=True),
    # One opaque shm buffer of the output's size: the output shows the
    # client's buffer itself (direct scanout), zero bytes copied, and
    # captures of those frames are the buffer's pixels.
    "direct_scanout_fullscreen": dict(
        cmd=[TEST_CLIENT, "--size", "640x480", "--color", "2080c0", "--frames", "60",
             "--app-id", "fullscreen"], exits=True, timeout=60, name="fullscreen",
        min_frames=60, fullscreen=(0x20, 0x80, 0xC0), scanout="direct_scanout"),
    "direct_scanout_off": dict(
        cmd=[TEST_CLIENT, "--size", "640x480", "--color", "2080c0", "--frames", "45",
             "--app-id", "fullscreen"], exits=True, timeout=60, name="fullscreen",
        min_frames=45, fullscreen=(0x20, 0x80, 0xC0), args=["--direct-scanout", "off"],
        scanout="composed_zero_copy", miss="disabled"),
    "direct_scanout_under_overlay": dict(
        cmd=[TEST_CLIENT, "--size", "640x480", "--color", "2080c0", "--frames", "45",
             "--app-id", "fullscreen"], exits=True, timeout=60, name="fullscreen",
        min_frames=45, fullscreen=(0x20, 0x80, 0xC0), args=["--overlay"],
        scanout="composed_zero_copy", miss="overlay"),
    "memfd_dmabuf": dict(
        cmd=[TEST_CLIENT, "--source", "memfd-dmabuf", "--size", "128x96", "--color", "20c040",
             "--frames", "45", "--app-id", "memfd-dmabuf"], exits=True, timeout=60,
        name="memfd-dmabuf", min_frames=45, exact=((128, 96), (0x20, 0xC0, 0x40)),
        dmabuf=True),
}

# Protocol checks: a client that inspects what the compositor offers and
# exits 0 when it is right; its output must match the regex.
PROTOCOL_CASES = {
    # linux-dmabuf v4 with a default feedback built from our renderer: a
    # format table, the main device, a tranche with formats.
    "dmabuf_v4_default_feedback": (
        [TEST_CLIENT, "--dmabuf-feedback"],
        r"dmabuf-feedback version=4 table_bytes=[1-9]\d* main_device=1 tranches=[1-9]"),
}

# Bad input: while a well-behaved client draws, a bad one misbehaves; it must
# get a protocol error (or just be gone), the compositor must keep running and
# the other client must keep getting frames presented.
BAD_CASES = {
    "bad_dmabuf_plane_count": [TEST_CLIENT, "--bad", "plane-count"],
    "bad_dmabuf_offset": [TEST_CLIENT, "--bad", "offset"],
    "bad_dmabuf_stride": [TEST_CLIENT, "--bad", "stride"],
    "bad_dmabuf_format": [TEST_CLIENT, "--bad", "format"],
    "bad_dmabuf_fd": [TEST_CLIENT, "--bad", "fd"],
    "client_destroyed_mid_frame": [TEST_CLIENT, "--destroy-mid-frame"],
    "buffer_destroyed_in_use": [TEST_CLIENT, "--destroy-buffer-in-use", "--frames", "30",
                                "--timeout", "50"],
}


def fmt(cmd, bin_dir):
    return [c.format(bin=bin_dir) for c in cmd]


def check(cond, msg):
    if not cond:
        raise h.HarnessError(msg)


STATS_DOC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs",
                         "stats-json.md")


def check_stats_documented(stats):
    """Every key zc-compositor writes is described in docs/stats-json.md."""
    with open(STATS_DOC) as f:
        documented = set(re.findall(r"`([a-z_]+)`", f.read()))
    keys = set(stats)
    for row in stats["clients"] + stats["outputs"]:
        keys |= set(row)
    missing = sorted(keys - documented)
    check(not missing, f"stats.json keys missing from docs/stats-json.md: {missing}")


def check_common(rc, stats):
    check_stats_documented(stats)
    check(rc == 0, f"zc-compositor exited with {rc} after SIGTERM")
    check(stats["validation_errors"] == 0,
          f"{stats['validation_errors']} Vulkan validation errors")
    check(stats["frames_presented"] > 0, "no frame presented")


def find_window_capture(comp, stats, size, rgb, origin=FIRST_WINDOW_ORIGIN):
    """The first capture whose first-window rectangle has exactly rgb, or None."""
    (w, hgt), (x, y) = size, origin
    for path in comp.capture_paths(stats):
        img = h.read_png(path, max_rows=y + hgt + 2)
        if h.rect_mismatches(img, x, y, w, hgt, rgb) == 0:
            return path, img
    return None, None


def check_exports(out_dir, bin_dir, client, min_commits):
    """--trace, --csv and --summary files: valid, complete, readable by zc-stat."""
    with open(os.path.join(out_dir, "trace.json")) as f:
        trace = json.load(f)
    events = trace["traceEvents"] if isinstance(trace, dict) else trace
    check(len(events) >= min_commits, f"trace has only {len(events)} events")
    with open(os.path.join(out_dir, "timeline.csv")) as f:
        rows = list(csv.DictReader(f))
    commits = [r for r in rows if r["Record"] == "commit"]
    frames = [r for r in rows if r["Record"] == "frame"]
    check(len(commits) >= min_commits, f"CSV has {len(commits)} commit rows")
    check(frames, "CSV has no frame rows")
    shown = [r for r in commits if r["Presented"] == "1"]
    check(len(shown) >= min_commits - 2, f"only {len(shown)} CSV commits presented")
    for r in shown:
        check(r["Path"] in ("dmabuf_zero_copy", "dmabuf_copy", "shm_host_import", "shm_copy"),
              f"commit {r['CommitId']} has path '{r['Path']}'")
        check(int(r["PresentNs"]) >= int(r["CommitNs"]) > 0,
              f"commit {r['CommitId']} presented before it was committed")
    # The output hop of every frame (docs/metrics.md, "The output hop").
    for r in frames:
        check(r["ScanoutPath"] in ("direct_scanout", "composed_zero_copy", "composed_copy"),
              f"frame {r['OutputSeq']} has scanout path '{r['ScanoutPath']}'")
        if r["ScanoutPath"] != "composed_copy":
            check(r["ScanoutReason"] == "none" and int(r["ScanoutBytesCopied"]) == 0,
                  f"zero-copy frame {r['OutputSeq']} with reason {r['ScanoutReason']}, "
                  f"{r['ScanoutBytesCopied']} bytes")
        if r["ScanoutPath"] != "direct_scanout":
            check(r["DirectScanoutMiss"] != "none",
                  f"composed frame {r['OutputSeq']} names no direct-scanout miss")
    gpu = [r for r in frames if r["GpuEndNs"] and int(r["GpuEndNs"]) > int(r["GpuBeginNs"] or 0)]
    check(gpu, "no frame has GPU timestamps")
    with open(os.path.join(out_dir, "summary.json")) as f:
        summary = json.load(f)
    ups = [c.get("UpsClient", 0) for c in summary["clients"] if client in c.get("name", "")]
    check(ups and ups[0] > 0, f"summary has no UpsClient for {client}: {summary['clients']}")
    for o in summary["outputs"]:
        share = o.get("ScanoutShare", {})
        check(abs(sum(share.values()) - 1.0) < 1e-6,
              f"summary ScanoutShare of {o['name']} does not add up to 1: {share}")
    zc_stat = os.path.join(bin_dir, "zc-stat")
    out = subprocess.run([zc_stat, os.path.join(out_dir, "trace.json")], capture_output=True,
                         text=True, timeout=60)
    check(out.returncode == 0 and "MsUntilDisplayed" in out.stdout and
          "ScanoutShare" in out.stdout,
          f"zc-stat could not summarise the trace (exit {out.returncode}): "
          f"{out.stderr.strip()[:200]}")


def check_totals(stats):
    """Top-level counts are the sums of the client rows; paths add up per client."""
    for c in stats["clients"]:
        classified = sum(c["paths"].values())
        check(classified + c["unclassified_buffers"] == c["buffers_committed"],
              f"client {c['name']}: path counts do not add up: {c}")
    for key in ("buffers_committed", "reattached_buffers", "unclassified_buffers",
                "bytes_copied", "bytes_zero_copy"):
        total = sum(c[key] for c in stats["clients"])
        check(stats[key] == total, f"top-level {key} {stats[key]} != sum of clients {total}")
    for path, n in stats["paths"].items():
        total = sum(c["paths"][path] for c in stats["clients"])
        check(n == total, f"top-level paths.{path} {n} != sum of clients {total}")


def check_output_hop(stats, spec):
    """Every presented frame has one scanout path; bytes match the path."""
    hop = stats["scanout_paths"]
    check(sum(hop.values()) == stats["frames_presented"],
          f"scanout paths {hop} do not add up to {stats['frames_presented']} frames")
    for o in stats["outputs"]:
        check(sum(o["scanout_paths"].values()) == o["frames_presented"],
              f"output {o['name']}: scanout paths {o['scanout_paths']} != frames")
    if stats["renderer"] != "vulkan":
        return
    copies = "--force-path" in spec.get("args", [])
    expected = spec.get("scanout", "composed_copy" if copies else "composed_zero_copy")
    frames = stats["frames_presented"]
    if expected == "composed_copy":
        check(hop["composed_copy"] == frames, f"not every frame composed_copy: {hop}")
        check(stats["scanout_copy_reasons"]["readback"] == frames,
              f"copy reasons {stats['scanout_copy_reasons']}")
        o = stats["outputs"][0]
        check(stats["scanout_bytes_copied"] == frames * 2 * o["width"] * o["height"] * 4,
              f"{stats['scanout_bytes_copied']} output-hop bytes for {frames} readback frames")
        return
    check(hop["composed_copy"] == 0 and stats["scanout_bytes_copied"] == 0,
          f"output hop copied: {hop}, {stats['scanout_bytes_copied']} bytes")
    if expected == "direct_scanout":
        # Frames before the client maps are composed (no surface); once it
        # shows, it is scanned out.
        check(hop["direct_scanout"] >= spec["min_frames"] - 2,
              f"only {hop['direct_scanout']} direct-scanout frames: {hop}, misses "
              f"{stats['direct_scanout_misses']}")
    else:
        check(hop["direct_scanout"] == 0, f"unexpected direct scanout: {hop}")
    if "miss" in spec:
        check(stats["direct_scanout_misses"][spec["miss"]] >= spec["min_frames"] - 2,
              f"composed frames not counted under {spec['miss']}: "
              f"{stats['direct_scanout_misses']}")


def write_once_to_fifo(path, text):
    """Makes a FIFO; a thread writes TEXT once the reader opens it, then closes."""
    os.mkfifo(path)

    def writer():
        with open(path, "w") as f:  # blocks until zc-compositor opens it
            f.write(text)

    threading.Thread(target=writer, daemon=True).start()


def run_client_case(name, spec, bin_dir, out_dir):
    tmp = tempfile.mkdtemp(prefix="zcd-e2e-")
    for fname, text in spec.get("files", {}).items():
        with open(os.path.join(tmp, fname), "w") as f:
            f.write(text)
    for fname, text in spec.get("fifos", {}).items():
        write_once_to_fifo(os.path.join(tmp, fname), text)
    args = [a.format(out=out_dir, tmp=tmp) for a in spec.get("args", [])]
    comp = h.Compositor(bin_dir, out_dir, args=args)
    client = comp.start_client(fmt(spec["cmd"], bin_dir), "client")
    if spec.get("exits"):
        crc = comp.wait_client(client, spec["timeout"])
        check(crc == 0, f"client exited with {crc} (log: {client.log_path})")
    else:
        try:
            client.wait(timeout=spec["run_for"])
            raise h.HarnessError(f"client exited early with {client.returncode}")
        except h.subprocess.TimeoutExpired:
            pass
    check(comp.alive(), "zc-compositor died while the client ran")
    rc, stats = comp.stop()
    check_common(rc, stats)
    c = h.client_by_name(stats, spec["name"])
    check(c["frames"] >= spec["min_frames"],
          f"client {c['name']}: {c['frames']} frames presented, expected >= {spec['min_frames']}")
    check(c["buffers_committed"] >= spec["min_frames"],
          f"client {c['name']}: only {c['buffers_committed']} buffers committed")
    check_totals(stats)
    if stats["renderer"] == "vulkan":
        check(c["unclassified_buffers"] == 0, "Vulkan renderer left buffers unclassified")
    check_output_hop(stats, spec)

    if spec.get("commits_match") or spec.get("reattached"):
        with open(client.log_path) as f:
            m = re.search(r"commits=(\d+) subsurface_commits=(\d+) reattached=(\d+)", f.read())
        check(m, "test client printed no commit summary")
        commits, sub_commits, reattached = (int(g) for g in m.groups())
        check(c["buffers_committed"] == commits + sub_commits,
              f"client {c['name']}: {c['buffers_committed']} buffers counted, the client "
              f"committed {commits} on its toplevel and {sub_commits} on its subsurface")
        if spec.get("reattached"):
            check(reattached > 0 and c["reattached_buffers"] == reattached,
                  f"{c['reattached_buffers']} re-attached buffers counted, client re-attached "
                  f"{reattached}")
            # Each re-attach is shown like a new buffer: presented frames
            # showing a new buffer of it cover (nearly) every commit.
            check(c["frames"] >= commits - 3,
                  f"only {c['frames']} of {commits} commits shown")

    # Something of the client must be on screen in at least one capture.
    captures = comp.capture_paths(stats)
    check(captures, "no capture written")
    if "fullscreen" in spec:
        rgb = spec["fullscreen"]
        (w, hgt) = (640, 480)
        # The middle captures: the client is up and not yet ending.
        middle = captures[len(captures) // 3:len(captures) // 3 + 3]
        shots = [p for p in middle if h.rect_mismatches(h.read_png(p), 0, 0, w, hgt, rgb) == 0]
        check(shots, f"no capture shows the output covered by #{bytes(rgb).hex()}")
    elif "exact" in spec:
        size, rgb = spec["exact"]
        origin = spec.get("origin", FIRST_WINDOW_ORIGIN)
        path, img = find_window_capture(comp, stats, size, rgb, origin)
        check(path, f"no capture shows the {size[0]}x{size[1]} window in exactly "
              f"#{bytes(rgb).hex()} at {origin} ({len(captures)} captures in "
              f"{comp.capture_dir})")
        x, y = origin
        bg = img.pixel(x - 1, y - 1)
        check(bg != tuple(rgb), "background has the client's colour")
        for px, py in ((x - 1, y), (x + size[0], y), (x, y + size[1]), (x + size[0], y + size[1])):
            check(img.pixel(px, py) == bg,
                  f"pixel ({px},{py}) outside the window is {img.pixel(px, py)}, not background")
    else:
        best = 0
        # The middle captures: the client is up and not yet ending.
        middle = captures[len(captures) // 3:len(captures) // 3 + 3]
        for path in middle:
            img = h.read_png(path, max_rows=FIRST_WINDOW_ORIGIN[1] + 200)
            bg = img.pixel(img.width - 1, 0)
            x0, y0 = FIRST_WINDOW_ORIGIN
            changed = sum(1 for yy in range(y0, min(img.height, y0 + 200), 4)
                          for xx in range(x0, min(img.width, x0 + 200), 4)
                          if img.pixel(xx, yy) != bg)
            best = max(best, changed)
        check(best >= 500, f"no capture shows the client's window (best: {best} sampled "
              "pixels differ from the background)")

    if "all_path" in spec:  # every buffer took this (zero-copy) path
        path = spec["all_path"]
        check(c["paths"][path] == c["buffers_committed"],
              f"not every buffer took {path}: {c['paths']}, {c['fallback_reasons']}")

    if "only_path" in spec:
        path, reason = spec["only_path"]
        check(c["paths"][path] == c["buffers_committed"],
              f"not every buffer took {path}: {c['paths']}")
        check(c["fallback_reasons"][reason] == c["paths"][path],
              f"{path} buffers without reason {reason}: {c['fallback_reasons']}")
        check(c["bytes_copied"] > 0 and c["bytes_zero_copy"] == 0,
              f"copied {c['bytes_copied']} / zero-copy {c['bytes_zero_copy']} bytes")

    if "kernel" in spec:
        check(stats["kernel"] == spec["kernel"],
              f"kernel counters {stats['kernel']}, expected {spec['kernel']}")

    if spec.get("exports"):
        check_exports(out_dir, bin_dir, spec["name"], spec["min_frames"])

    if "stdout_lines" in spec:
        regex, minimum = spec["stdout_lines"]
        with open(client.log_path) as f:
            n = sum(1 for line in f if re.search(regex, line))
        check(n >= minimum, f"client printed {n} presentation lines, expected >= {minimum}")

    if spec.get("dmabuf"):
        dmabufs = c["paths"]["dmabuf_zero_copy"] + c["paths"]["dmabuf_copy"]
        check(dmabufs >= spec["min_frames"],
              f"only {dmabufs} buffers went through linux-dmabuf import: {c['paths']}")
        check(c["bytes_copied"] + c["bytes_zero_copy"] > 0, "dmabuf bytes not accounted")

    # Honest ZERO_COPY flag: our test client counts the flag on its feedback.
    if spec["cmd"][0] == TEST_CLIENT:
        with open(client.log_path) as f:
            m = re.search(r"presented=(\d+) discarded=\d+ zero_copy=(\d+)", f.read())
        check(m, "test client printed no presentation summary")
        presented, flagged = int(m.group(1)), int(m.group(2))
        zero = c["paths"]["dmabuf_zero_copy"] + c["paths"]["shm_host_import"]
        copied = c["paths"]["dmabuf_copy"] + c["paths"]["shm_copy"]
        if copied == 0:
            check(flagged == presented, f"all imports zero-copy but only {flagged} of "
                  f"{presented} presents flagged ZERO_COPY")
        if zero == 0:
            check(flagged == 0, f"all imports copied but {flagged} presents flagged ZERO_COPY")
    return stats


def run_protocol_case(name, case, bin_dir, out_dir):
    cmd, regex = case
    comp = h.Compositor(bin_dir, out_dir)
    proc = comp.start_client(fmt(cmd, bin_dir), "client")
    rc = comp.wait_client(proc, 30)
    with open(proc.log_path) as f:
        text = f.read()
    check(rc == 0, f"client exited with {rc}: {text.strip()[:200]}")
    check(re.search(regex, text), f"client output does not match {regex}: {text.strip()[:200]}")
    rc, stats = comp.stop()
    check(rc == 0, f"zc-compositor exited with {rc} after SIGTERM")
    check(stats["validation_errors"] == 0, f"{stats['validation_errors']} validation errors")
    return stats


def run_bad_case(name, bad_cmd, bin_dir, out_dir):
    comp = h.Compositor(bin_dir, out_dir)
    survivor = comp.start_client(
        fmt([TEST_CLIENT, "--frames", "150", "--app-id", "survivor", "--timeout", "80"], bin_dir),
        "survivor")
    h.time.sleep(0.5)
    bad = comp.start_client(fmt(bad_cmd, bin_dir), "bad-client")
    brc = comp.wait_client(bad, 60)
    check(brc == 0, f"bad client exited with {brc} (log: {bad.log_path})")
    check(comp.alive(), "zc-compositor died after the bad client")
    src = comp.wait_client(survivor, 90)
    check(src == 0, f"the other client exited with {src} (log: {survivor.log_path})")
    check(comp.alive(), "zc-compositor died")
    rc, stats = comp.stop()
    check_common(rc, stats)
    s = h.client_by_name(stats, "survivor")
    check(s["frames"] >= 150, f"survivor got {s['frames']} frames presented, expected >= 150")
    if bad_cmd[1] == "--bad":
        with open(bad.log_path) as f:
            check("protocol-error" in f.read(), "bad client saw no protocol error")
    return stats


def run_overlay_case(bin_dir, out_dir):
    """--overlay-in-capture on shows the overlay; off gives the frame without it.

    Two runs with the same static client: their captures of the same frame
    may differ only inside the overlay's rectangle, and must differ there.
    """
    client = [TEST_CLIENT, "--size", "300x200", "--color", "c08020", "--frames", "100",
              "--app-id", "overlay-test"]
    size, rgb = (300, 200), (0xC0, 0x80, 0x20)
    shots = {}
    for mode in ("on", "off"):
        sub = os.path.join(out_dir, f"in-capture-{mode}")
        comp = h.Compositor(bin_dir, sub, args=["--overlay", "--overlay-in-capture", mode],
                            capture_every=30)
        proc = comp.start_client(fmt(client, bin_dir), "client")
        check(comp.wait_client(proc, 40) == 0, f"client failed (log: {proc.log_path})")
        rc, stats = comp.stop()
        check_common(rc, stats)
        check(stats["overlay"]["shown"], f"overlay never drawn with in-capture {mode}")
        shots[mode] = (comp, stats)
    comp_off, stats_off = shots["off"]
    comp_on, stats_on = shots["on"]
    ov = stats_on["overlay"]
    check(ov["width"] > 0 and ov["height"] > 0, f"empty overlay rectangle {ov}")
    # A frame whose capture shows the window fully up in both runs (the
    # runs start the client at slightly different moments).
    path_off = img_off = None
    for path in comp_off.capture_paths(stats_off):
        name = os.path.basename(path)
        if name not in stats_on["captures"]:
            continue
        img = h.read_png(path)
        on = h.read_png(os.path.join(comp_on.capture_dir, name))
        if (h.rect_mismatches(img, *FIRST_WINDOW_ORIGIN, *size, rgb) == 0 and
                h.rect_mismatches(on, *FIRST_WINDOW_ORIGIN, *size, rgb) == 0):
            path_off, img_off = path, img
            break
    check(path_off, "no frame captured in both runs shows the client window")
    name = os.path.basename(path_off)
    rects = [r for r in stats_on["capture_overlays"] if r["capture"] == name]
    check(rects, f"stats of the run with overlay list no overlay rectangle for {name}")
    ov = rects[0]
    img_on = h.read_png(os.path.join(comp_on.capture_dir, name))
    img_off = h.read_png(path_off)
    inside = outside = 0
    for y in range(img_on.height):
        if img_on.rows[y] == img_off.rows[y]:
            continue
        for x in range(0, img_on.width):
            if img_on.pixel(x, y) != img_off.pixel(x, y):
                if ov["x"] <= x < ov["x"] + ov["width"] and ov["y"] <= y < ov["y"] + ov["height"]:
                    inside += 1
                else:
                    outside += 1
    check(outside == 0, f"{outside} pixels differ outside the overlay rectangle {ov} in {name}")
    check(inside > 1000, f"only {inside} pixels differ inside the overlay rectangle: overlay "
          "not in the capture")
    return stats_on


def colour_box(img, rgb):
    """(count, bounding box) of the pixels that are exactly rgb."""
    want = bytes(rgb)
    n, x0, y0, x1, y1 = 0, img.width, img.height, -1, -1
    for y in range(img.height):
        row = img.rows[y]
        if want not in row:
            continue
        for x in range(img.width):
            if img.pixel(x, y) == tuple(rgb):
                n += 1
                x0, y0, x1, y1 = min(x0, x), min(y0, y), max(x1, x), max(y1, y)
    return n, (x0, y0, x1 - x0 + 1, y1 - y0 + 1)


def run_overlay_never_covers_case(bin_dir, out_dir):
    """With the overlay in the captures, every window is whole: each client's
    colour fills exactly its own w x h rectangle, so no pixel of any window
    is behind the overlay.  The overlay is there too (its rectangle differs
    from the background)."""
    clients = [((150, 100), (0xE0, 0x40, 0x40)), ((120, 90), (0x40, 0xE0, 0x40)),
               ((200, 60), (0x40, 0x40, 0xE0))]
    comp = h.Compositor(bin_dir, out_dir, args=["--overlay", "--overlay-in-capture", "on"],
                        capture_every=20)
    procs = []
    for i, ((w, hgt), rgb) in enumerate(clients):
        procs.append(comp.start_client(fmt([TEST_CLIENT, "--size", f"{w}x{hgt}", "--color",
                                            bytes(rgb).hex(), "--frames", "150",
                                            "--app-id", f"window-{i}", "--timeout", "80"],
                                           bin_dir), f"client-{i}"))
        h.time.sleep(0.3)
    for p in procs:
        check(comp.wait_client(p, 90) == 0, f"client failed (log: {p.log_path})")
    rc, stats = comp.stop()
    check_common(rc, stats)
    check(stats["overlay"]["shown"], "overlay never drawn")
    check(stats["overlay"]["frames_covering_windows"] == 0,
          f"{stats['overlay']['frames_covering_windows']} frames drew the overlay over a window")
    checked = 0
    for path in comp.capture_paths(stats):
        name = os.path.basename(path)
        rects = [r for r in stats["capture_overlays"] if r["capture"] == name]
        img = h.read_png(path)
        boxes = [colour_box(img, rgb) for _, rgb in clients]
        if any(n == 0 for n, _ in boxes):
            continue  # not every client is up yet (or any more)
        for ((w, hgt), rgb), (n, box) in zip(clients, boxes):
            check(n == w * hgt and box[2:] == (w, hgt),
                  f"{name}: window #{bytes(rgb).hex()} shows {n} of {w * hgt} pixels, "
                  f"box {box}: something covers it (overlay {rects})")
        check(rects and rects[0]["width"] > 0, f"{name}: no overlay rectangle in stats")
        checked += 1
    check(checked >= 2, f"only {checked} captures show all three windows")
    return stats


def run_killed_run_leaves_stats_case(bin_dir, out_dir):
    """--stats-json is rewritten during the run: a compositor killed with
    SIGKILL (a crash, a CI timeout) leaves a complete stats file counting
    the frames it had presented."""
    comp = h.Compositor(bin_dir, out_dir)
    comp.start_client(fmt([TEST_CLIENT, "--frames", "400", "--app-id", "killed",
                           "--timeout", "80"], bin_dir), "client")
    deadline = h.time.monotonic() + 30
    stats = None
    while h.time.monotonic() < deadline:
        h.time.sleep(0.5)
        try:
            with open(comp.stats_path) as f:
                stats = json.load(f)
        except (OSError, ValueError):
            continue  # not written yet; a half-written file would fail below
        if stats["frames_presented"] >= 30:
            break
    comp.proc.kill()
    # stop() reaps the killed compositor, ends the client and reads the
    # file: whatever the kill interrupted, it must parse.
    _, after = comp.stop()
    check(stats is not None, "no stats file while the compositor ran")
    check(after["frames_presented"] >= 30,
          f"stats file left by the killed run counts {after['frames_presented']} frames")
    check(any(c.get("name") == "killed" for c in after["clients"]),
          f"the client is missing from the left stats: {after['clients']}")
    return after


def run_live_stats_case(bin_dir, out_dir):
    """--stats-socket: a reader gets JSON lines (docs/stats-socket.md) while a client draws."""
    sock_path = os.path.join(tempfile.mkdtemp(prefix="zcd-live-"), "live.sock")
    comp = h.Compositor(bin_dir, out_dir, args=["--stats-socket", sock_path])
    client = comp.start_client(fmt([TEST_CLIENT, "--frames", "400", "--app-id", "live",
                                    "--timeout", "80"], bin_dir), "client")
    lines = []
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(10)
    s.connect(sock_path)
    buf = b""
    deadline = h.time.monotonic() + 20
    while len(lines) < 3 and h.time.monotonic() < deadline:
        chunk = s.recv(65536)
        if not chunk:
            break
        buf += chunk
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            lines.append(json.loads(line))
    s.close()
    client.terminate()
    rc, stats = comp.stop()
    check_common(rc, stats)
    check(len(lines) >= 3, f"only {len(lines)} stats lines in 20 s")
    last = lines[-1]
    check(last.get("type") == "stats" and last.get("version") == 1, f"bad header: {last}")
    check(last["producer"] == "zc-compositor", f"producer {last.get('producer')}")
    check(last["outputs"] and last["outputs"][0].get("FpsOutput", 0) > 0,
          f"no output frame rate in {last['outputs']}")
    live = [c for c in last["clients"] if c.get("name") == "live"]
    check(live and live[0].get("UpsClient", 0) > 0, f"no UpsClient for the client: "
          f"{last['clients']}")
    check(lines[1]["t_ns"] > lines[0]["t_ns"], "t_ns does not advance")
    return stats


def densest_phase_share(times_ns, period_ns, window_ns):
    """The largest share of TIMES_NS whose phases modulo PERIOD_NS fit in one
    window of WINDOW_NS (circular).  Times paced on a grid share a phase
    (plus scheduling delays); times on a timer that drifts against the grid
    spread evenly, giving about WINDOW_NS / PERIOD_NS."""
    phases = sorted(t % period_ns for t in times_ns)
    wrapped = phases + [p + period_ns for p in phases]
    best, j = 0, 0
    for i, p in enumerate(phases):
        j = max(j, i)
        while j < len(wrapped) and wrapped[j] - p <= window_ns:
            j += 1
        best = max(best, j - i)
    return best / len(phases)


def run_refresh_cadence_case(bin_dir, out_dir):
    """A headless output at 60 Hz presents on its refresh grid
    (app/frame_pacing.cpp), judged over the whole run by counts, not by
    wall-clock bounds on single frames:

    - never faster than the refresh: each present has a grid period of its
      own, so between the first and the last of N presents lie at least
      N - 2 whole periods.  wlroots' 16 ms headless timer, which drove the
      frames when they were rendered in its frame event, presented faster
      than that whenever a frame took under 0.67 ms.
    - on the grid: at least 20% of the frames start composing within the
      same 1 ms of the period; on an idle machine nearly all do.  The 16 ms
      timer drifts against the 16.67 ms grid by 0.67 ms minus the frame
      time per frame and spreads the starts evenly (about 6% per ms).  The
      bound is low because a loaded machine delays the compositor's
      wake-ups; the presents follow the starts by the frame time.

    Neither bound depends on how many frames a loaded machine lets the
    compositor render."""
    summary = os.path.join(out_dir, "summary.json")
    timeline = os.path.join(out_dir, "timeline.csv")
    comp = h.Compositor(bin_dir, out_dir,
                        args=["--refresh", "60", "--summary", summary, "--csv", timeline])
    client = comp.start_client(fmt(["{bin}/zc-client", "--pattern", "motion", "--size",
                                    "320x240", "--frames", "300", "--title", "cadence"],
                                   bin_dir), "client")
    crc = comp.wait_client(client, 60)
    check(crc == 0, f"client exited with {crc} (log: {client.log_path})")
    rc, stats = comp.stop()
    check_common(rc, stats)
    with open(summary) as f:
        out = json.load(f)["outputs"][0]
    frames, fps, period = out["FramesPresented"], out["FpsOutput"], out["refresh_ms"]
    check(abs(period - 1000 / 60) < 0.01, f"refresh period {period} ms, not 60 Hz")
    check(frames >= 120, f"only {frames} frames presented")
    span_ms = (frames - 1) / fps * 1000
    check(frames - 2 <= span_ms / period,
          f"{frames} presents in {span_ms:.1f} ms: more than one per {period:.3f} ms period")
    with open(timeline, newline="") as f:
        starts = [int(r["CompositeCpuBeginNs"]) for r in csv.DictReader(f)
                  if r["Record"] == "frame" and r["Presented"] == "1"]
    check(len(starts) == frames, f"timeline has {len(starts)} presents, summary {frames}")
    locked = densest_phase_share(starts, int(round(period * 1e6)), 1000000)
    check(locked >= 0.2,
          f"only {locked:.0%} of the frames start within one 1 ms phase of the refresh grid")
    print(f"cadence: {frames} presents at {fps:.2f} fps, {locked:.0%} of the frames start "
          f"within 1 ms of one grid phase, median interval {out['MsBetweenPresents']['p50']:.3f} ms")
    return stats


def run_every_frame_captured_case(bin_dir, out_dir):
    """--capture-every 1: every frame is written (the writer thread makes the
    main loop wait rather than drop one), each under its final name only
    when complete, all of them before stats.json is written at a SIGTERM
    stop; stats.json lists exactly the files on disk."""
    comp = h.Compositor(bin_dir, out_dir, capture_every=1)
    client = comp.start_client(fmt([TEST_CLIENT, "--size", "160x120", "--color", "3366ff",
                                    "--frames", "40", "--app-id", "every-frame"], bin_dir),
                               "client")
    crc = comp.wait_client(client, 60)
    check(crc == 0, f"client exited with {crc} (log: {client.log_path})")
    rc, stats = comp.stop()
    check_common(rc, stats)
    listed = stats["captures"]
    on_disk = sorted(os.listdir(comp.capture_dir))
    check(on_disk == sorted(listed),
          f"files in the capture folder {on_disk[:5]}... differ from stats.json's "
          f"{listed[:5]}... (a temporary file left, or a capture not listed)")
    frames = [int(re.search(r"-(\d+)\.png$", n).group(1)) for n in listed]
    check(frames == list(range(frames[0], frames[0] + len(frames))),
          f"captures not every frame in order: {frames[:10]}...")
    presented = stats["outputs"][0]["frames_presented"]
    check(len(listed) >= presented, f"{len(listed)} captures for {presented} presented frames")
    window = 0
    for name in listed:
        img = h.read_png(os.path.join(comp.capture_dir, name))
        if h.rect_mismatches(img, FIRST_WINDOW_ORIGIN[0], FIRST_WINDOW_ORIGIN[1], 160, 120,
                             (0x33, 0x66, 0xFF)) == 0:
            window += 1
    check(window >= 40, f"only {window} captures show the client's 40 frames")
    return stats


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--list", action="store_true", help="print the case names")
    ap.add_argument("--bin", help="directory with zc-compositor and zc-test-client")
    ap.add_argument("--out", help="directory for logs, captures and stats")
    ap.add_argument("case", nargs="?")
    a = ap.parse_args()
    if a.list:
        print(";".join(list(CLIENT_CASES) + list(PROTOCOL_CASES) + list(BAD_CASES) +
                       ["overlay_in_capture", "overlay_never_covers_windows",
                        "live_stats_socket", "killed_run_leaves_stats",
                        "headless_refresh_cadence", "every_frame_captured"]))
        return 0
    if not (a.bin and a.out and a.case):
        print("e2e: need --bin, --out and a case (see --help)", file=sys.stderr)
        return 2
    out = os.path.join(a.out, a.case)
    try:
        if a.case in CLIENT_CASES:
            stats = run_client_case(a.case, CLIENT_CASES[a.case], a.bin, out)
        elif a.case in PROTOCOL_CASES:
            stats = run_protocol_case(a.case, PROTOCOL_CASES[a.case], a.bin, out)
        elif a.case == "live_stats_socket":
            stats = run_live_stats_case(a.bin, out)
        elif a.case == "killed_run_leaves_stats":
            stats = run_killed_run_leaves_stats_case(a.bin, out)
        elif a.case == "headless_refresh_cadence":
            stats = run_refresh_cadence_case(a.bin, out)
        elif a.case == "every_frame_captured":
            stats = run_every_frame_captured_case(a.bin, out)
        elif a.case == "overlay_in_capture":
            stats = run_overlay_case(a.bin, out)
        elif a.case == "overlay_never_covers_windows":
            stats = run_overlay_never_covers_case(a.bin, out)
        elif a.case in BAD_CASES:
            stats = run_bad_case(a.case, BAD_CASES[a.case], a.bin, out)
        else:
            print(f"e2e: unknown case '{a.case}'", file=sys.stderr)
            return 2
    except h.HarnessError as e:
        print(f"FAIL {a.case}: {e} (artefacts in {out})")
        return 1
    print(f"PASS {a.case}: renderer {stats['renderer']}, {stats['frames_presented']} frames "
          f"presented, paths {stats['paths']}, validation errors {stats['validation_errors']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
