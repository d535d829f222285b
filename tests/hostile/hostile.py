#!/usr/bin/env python3
"""Hostile clients against zc-compositor, headless.

Each case runs a raw wire-protocol client (tests/harness/wire_client.py) that
sends what libwayland or a toolkit never would, while a well-behaved
bystander (zc-test-client) draws.  Every case asserts: the hostile client got
the protocol error xdg-shell asks for (or its connection ended cleanly), the
compositor is alive, the bystander kept getting frames presented, and the
compositor's open fds returned to their count before the hostile client, and
its RSS to within CASE_RSS_SLACK_MIB of what it was (not in a sanitized run,
where ASan keeps freed memory on purpose and LeakSanitizer checks instead).
Cases are data (CASES); each runs as CTest test hostile_<case>.

usage: hostile.py --bin DIR --out DIR CASE | --list
"""
import argparse
import json
import os
import socket
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "harness"))
import wire_client as w  # noqa: E402
import zcd_harness as h  # noqa: E402

BYSTANDER_FRAMES = 240
XDG_WM_BASE_ERROR_INVALID_POPUP_PARENT = 3
XDG_SURFACE_ERROR_DEFUNCT_ROLE_OBJECT = 6
STATS_SOCKET_MAX_READERS = 16  # docs/stats-socket.md


def check(cond, msg):
    if not cond:
        raise h.HarnessError(msg)


def connect(comp):
    c = w.WireClient(comp.client_env())
    for name in ("wl_compositor", "xdg_wm_base", "wl_shm"):
        check(name in c.globals, f"compositor does not advertise {name}")
    return c, c.bind("wl_compositor", 4), c.bind("xdg_wm_base", 2)


def expect_error(c, interface, code, what):
    """The compositor posted `code` on an `interface` object and closed."""
    check(c.wait_end(15), f"{what}: connection still open 15 s later (no protocol error)")
    check(c.error, f"{what}: the connection ended without a protocol error "
          "(did the compositor crash?)")
    _, iface, got, message = c.error
    check((iface, got) == (interface, code),
          f"{what}: got error {got} on {iface} ('{message}'), expected {code} on {interface}")


# wl_surface destroyed, then a request wlroots 0.15.1 handles by touching the
# toplevel of the dead surface.  Args: (opcode, argument bytes).
DEAD_SURFACE_REQUESTS = {
    "set_title": (w.XDG_TOPLEVEL_SET_TITLE, w.string("late title")),
    "set_app_id": (w.XDG_TOPLEVEL_SET_APP_ID, w.string("late-app-id")),
    "set_min_size": (w.XDG_TOPLEVEL_SET_MIN_SIZE, w.i32(100) + w.i32(100)),
    "set_maximized": (w.XDG_TOPLEVEL_SET_MAXIMIZED, b""),
    "set_parent": (w.XDG_TOPLEVEL_SET_PARENT, w.u32(0)),
}


def dead_surface_case(request):
    def run(comp):
        c, compositor, wm_base = connect(comp)
        surface, _, toplevel = c.toplevel(compositor, wm_base)
        opcode, args = DEAD_SURFACE_REQUESTS[request]
        c.send(surface, w.WL_SURFACE_DESTROY)
        c.send(toplevel, opcode, args)
        expect_error(c, "xdg_surface", XDG_SURFACE_ERROR_DEFUNCT_ROLE_OBJECT,
                     f"xdg_toplevel.{request} after wl_surface.destroy")
        c.close()
    return run


def send_self_parented_popup(comp):
    """Connects and asks for an xdg_popup whose parent is its own xdg_surface."""
    c, compositor, wm_base = connect(comp)
    surface = c.new_id("wl_surface")
    c.send(compositor, w.WL_COMPOSITOR_CREATE_SURFACE, w.u32(surface))
    xdg = c.new_id("xdg_surface")
    c.send(wm_base, w.XDG_WM_BASE_GET_XDG_SURFACE, w.u32(xdg) + w.u32(surface))
    positioner = c.new_id("xdg_positioner")
    c.send(wm_base, w.XDG_WM_BASE_CREATE_POSITIONER, w.u32(positioner))
    c.send(positioner, w.XDG_POSITIONER_SET_SIZE, w.i32(20) + w.i32(20))
    c.send(positioner, w.XDG_POSITIONER_SET_ANCHOR_RECT, w.i32(0) * 2 + w.i32(1) * 2)
    popup = c.new_id("xdg_popup")
    c.send(xdg, w.XDG_SURFACE_GET_POPUP, w.u32(popup) + w.u32(xdg) + w.u32(positioner))
    return c


def popup_own_parent(comp):
    """get_popup with the popup's own xdg_surface as parent, then disconnect."""
    c = send_self_parented_popup(comp)
    c.close()  # the disconnect destroys the popup: where wlroots recursed
    time.sleep(1.0)
    # The same again, now reading the reply: the error the spec asks for.
    c = send_self_parented_popup(comp)
    expect_error(c, "xdg_wm_base", XDG_WM_BASE_ERROR_INVALID_POPUP_PARENT,
                 "xdg_surface.get_popup with itself as parent")
    c.close()


# Not UTF-8 (a lone continuation byte, an invalid lead byte, a truncated
# sequence) plus a control character.
BAD_NAME = b"hostile\x01name\xff\x80(\xc3"


def read_lines(sock, until, deadline):
    data = b""
    while time.monotonic() < deadline and data.count(b"\n") < until:
        sock.settimeout(max(0.1, deadline - time.monotonic()))
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            break
        if not chunk:
            break
        data += chunk
    return data.split(b"\n")[:-1]


def invalid_utf8_names(comp):
    """Title and app_id with invalid UTF-8 and a control character: every
    stats line and stats.json still parse, the name shows U+FFFD."""
    reader = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    reader.connect(comp.stats_socket)
    c, compositor, wm_base = connect(comp)
    shm = c.bind("wl_shm", 1)
    surface, xdg, toplevel = c.toplevel(compositor, wm_base)
    c.send(toplevel, w.XDG_TOPLEVEL_SET_TITLE, w.string(BAD_NAME + b"-title"))
    c.send(toplevel, w.XDG_TOPLEVEL_SET_APP_ID, w.string(BAD_NAME))
    buf = c.shm_buffer(shm, 64, 48)
    end = time.monotonic() + 3.5
    while time.monotonic() < end:  # commits for the stats lines to cover
        c.send(surface, w.WL_SURFACE_ATTACH, w.u32(buf) + w.i32(0) + w.i32(0))
        c.send(surface, w.WL_SURFACE_DAMAGE, w.i32(0) * 2 + w.i32(64) + w.i32(48))
        c.send(surface, w.WL_SURFACE_COMMIT)
        c.read(0.05)
        check(not c.error and not c.closed, f"well-formed client got an error: {c.error}")
    lines = read_lines(reader, 3, time.monotonic() + 5)
    reader.close()
    check(len(lines) >= 2, f"only {len(lines)} stats lines in 8 s")
    named = False
    for line in lines:
        try:
            obj = json.loads(line)  # bytes: decoded as UTF-8, strictly
        except ValueError as e:
            raise h.HarnessError(f"stats socket line is not valid JSON ({e}): {line[:200]!r}")
        named |= any("\ufffd" in cl.get("name", "") for cl in obj.get("clients", []))
    check(named, "no stats line names the hostile client (with U+FFFD)")
    c.close()

    def check_stats(stats):
        with open(comp.stats_path, "rb") as f:
            json.loads(f.read())  # as bytes: strict UTF-8 whatever the locale
        names = [cl["name"] for cl in stats["clients"]]
        check(any(n.startswith("hostile\x01name\ufffd") for n in names),
              f"stats.json names no client 'hostile\\x01name\\ufffd...': {names}")
    comp.check_stats = check_stats


def stats_socket_reader_cap(comp):
    """16 readers are served; the 17th is closed at once with one log line."""
    readers = []
    for _ in range(STATS_SOCKET_MAX_READERS):
        r = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        r.connect(comp.stats_socket)
        readers.append(r)
    extra = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    extra.connect(comp.stats_socket)  # the listen backlog accepts it first
    extra.settimeout(5)
    try:
        got = extra.recv(4096)
    except socket.timeout:
        got = None
    extra.close()
    check(got == b"", f"reader {STATS_SOCKET_MAX_READERS + 1} was not closed at once "
          f"(got {got!r})")
    for i, r in enumerate(readers):
        lines = read_lines(r, 1, time.monotonic() + 5)
        check(lines, f"reader {i + 1} of {STATS_SOCKET_MAX_READERS} got no line")
    # A place freed by a reader that leaves goes to the next one.
    readers.pop().close()
    time.sleep(2.5)
    late = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    late.connect(comp.stats_socket)
    check(read_lines(late, 1, time.monotonic() + 5), "a reader after one left got no line")
    late.close()
    for r in readers:
        r.close()
    with open(comp.log_path) as f:
        n = f.read().count("readers connected already, closed one more")
    check(n == 1, f"{n} log lines about the refused reader, expected 1")


# --- Client memory that shrinks or moves under the compositor -------------
# A host import (zero copy) lets lavapipe's threads read the pool after
# libwayland's SIGBUS guard has closed, so only memfds sealed against
# shrinking and covering their pool may be imported; everything else is
# copied inside the guard, where a fault becomes libwayland's protocol error
# on the wl_buffer.  See renderer/shm_pool_seals.cpp.
MEM_W, MEM_H = 256, 256
MEM_SIZE = MEM_W * MEM_H * 4


def shown_toplevel(comp, app_id):
    """A mapped toplevel named app_id; returns (client, surface)."""
    c, compositor, wm_base = connect(comp)
    surface, _, toplevel = c.toplevel(compositor, wm_base)
    c.send(toplevel, w.XDG_TOPLEVEL_SET_APP_ID, w.string(app_id))
    return c, surface


def still_connected(c, what):
    check(not c.error and not c.closed, f"{what}: connection ended ({c.error})")


def expect_stats_path(comp, app_id, path, reason=None, never=None):
    """After the run, app_id's commits include `path` (and `reason`), none `never`."""
    def check_stats(stats):
        cl = h.client_by_name(stats, app_id)
        check(cl["paths"][path] >= 1, f"{app_id}: no commit went {path}: {cl['paths']}")
        if reason:
            check(cl["fallback_reasons"][reason] >= 1,
                  f"{app_id}: no fallback {reason}: {cl['fallback_reasons']}")
        if never:
            check(cl["paths"][never] == 0, f"{app_id}: commits went {never}: {cl['paths']}")
    comp.check_stats = check_stats


def shm_shrink_before_commit(comp):
    """Unsealed memfd truncated before the commit: the copy faults inside
    libwayland's guard, which ends the client with invalid_fd."""
    c, surface = shown_toplevel(comp, "shrink-before")
    shm = c.bind("wl_shm", 1)
    buf, _, fd = c.shm_pool_buffer(shm, MEM_W, MEM_H, seal=False)
    c.roundtrip()
    os.ftruncate(fd, 0)
    c.show(surface, buf, MEM_W, MEM_H)
    expect_error(c, "wl_buffer", w.WL_SHM_ERROR_INVALID_FD, "commit of a truncated shm pool")
    os.close(fd)
    c.close()


def truncate_while_shown(c, surface, buf, fd, what):
    """Shows buf, truncates its file while frames keep drawing it, checks
    the client was not ended for that, and commits buf once more."""
    c.show(surface, buf, MEM_W, MEM_H)
    c.roundtrip()
    c.read(0.5)
    os.ftruncate(fd, 0)
    c.read(1.5)  # frames drawn with the buffer shown
    still_connected(c, f"{what} truncated after its commit")
    c.show(surface, buf, MEM_W, MEM_H)


def shm_shrink_after_commit(comp):
    """Unsealed memfd shown, then truncated: the compositor holds a copy;
    the next commit faults inside libwayland's guard (invalid_fd)."""
    c, surface = shown_toplevel(comp, "shrink-after")
    shm = c.bind("wl_shm", 1)
    buf, _, fd = c.shm_pool_buffer(shm, MEM_W, MEM_H, seal=False)
    truncate_while_shown(c, surface, buf, fd, "shm pool")
    expect_error(c, "wl_buffer", w.WL_SHM_ERROR_INVALID_FD, "commit of a truncated shm pool")
    os.close(fd)
    c.close()
    expect_stats_path(comp, "shrink-after", "shm_copy", "shm_not_sealed", never="shm_host_import")


def shm_pool_larger_than_file(comp):
    """A sealed memfd a quarter the size of its pool (legal): not imported,
    the copy faults inside the guard (invalid_fd)."""
    c, surface = shown_toplevel(comp, "pool-larger")
    shm = c.bind("wl_shm", 1)
    buf, _, fd = c.shm_pool_buffer(shm, MEM_W, MEM_H, seal=True, file_size=MEM_SIZE // 4)
    os.close(fd)
    c.show(surface, buf, MEM_W, MEM_H)
    expect_error(c, "wl_buffer", w.WL_SHM_ERROR_INVALID_FD, "commit from a pool larger than its file")
    c.close()


def shm_pool_grown_while_shown(comp):
    """A host-imported buffer shown while its pool grows (libwayland may move
    the mapping): the compositor keeps drawing it and imports it again."""
    big = 64 << 20
    c, surface = shown_toplevel(comp, "pool-grown")
    shm = c.bind("wl_shm", 1)
    buf, pool, fd = c.shm_pool_buffer(shm, MEM_W, MEM_H, seal=True, file_size=big)
    os.close(fd)
    c.show(surface, buf, MEM_W, MEM_H)
    c.roundtrip()
    c.read(0.5)
    c.send(pool, w.WL_SHM_POOL_RESIZE, w.i32(big))
    c.roundtrip()
    c.read(1.5)  # frames drawn with the buffer shown
    still_connected(c, "wl_shm_pool.resize while shown")
    for _ in range(3):
        c.show(surface, buf, MEM_W, MEM_H)
        c.roundtrip()
        c.read(0.2)
    still_connected(c, "commits after wl_shm_pool.resize")
    c.close()
    expect_stats_path(comp, "pool-grown", "shm_host_import")


def shm_sealed_host_import(comp):
    """The fix keeps zero copy: a sealed memfd covering its pool is imported."""
    c, surface = shown_toplevel(comp, "sealed-pool")
    shm = c.bind("wl_shm", 1)
    buf, _, fd = c.shm_pool_buffer(shm, MEM_W, MEM_H, seal=True)
    os.close(fd)
    for _ in range(5):
        c.show(surface, buf, MEM_W, MEM_H)
        c.roundtrip()
        c.read(0.1)
    still_connected(c, "commits of a sealed shm pool")
    c.close()
    expect_stats_path(comp, "sealed-pool", "shm_host_import", never="shm_copy")


def memfd_dmabuf_shrunk_after_commit(comp):
    """An unsealed memfd sent as a dmabuf, shown, then truncated: copied at
    commit (no zero copy of memory that can shrink); the next commit fails
    that buffer with a logged error, the compositor lives."""
    c, surface = shown_toplevel(comp, "dmabuf-shrunk")
    check("zwp_linux_dmabuf_v1" in c.globals, "compositor does not advertise linux-dmabuf")
    dmabuf = c.bind("zwp_linux_dmabuf_v1", 3)
    buf, fd = c.memfd_dmabuf(dmabuf, MEM_W, MEM_H, MEM_W * 4)
    truncate_while_shown(c, surface, buf, fd, "memfd dmabuf")
    c.roundtrip()
    c.read(0.5)
    os.close(fd)
    c.close()
    with open(comp.log_path) as f:
        check("client buffer not imported" in f.read(),
              "no per-buffer import error logged for the truncated dmabuf")
    expect_stats_path(comp, "dmabuf-shrunk", "dmabuf_copy", "shm_not_sealed",
                      never="dmabuf_zero_copy")


def dmabuf_odd_stride_shrink_race(comp):
    """A stride that is not a multiple of 4 forces the dmabuf copy path; a
    thread truncates and regrows the memfd while the client commits, racing
    the size check against the copy."""
    width, height = 1024, 768
    stride = width * 4 + 2
    c, surface = shown_toplevel(comp, "odd-stride")
    dmabuf = c.bind("zwp_linux_dmabuf_v1", 3)
    buf, fd = c.memfd_dmabuf(dmabuf, width, height, stride)
    c.roundtrip()
    stop = threading.Event()

    def churn():
        while not stop.is_set():
            os.ftruncate(fd, 0)
            os.ftruncate(fd, stride * height)
    t = threading.Thread(target=churn)
    t.start()
    try:
        end = time.monotonic() + 4
        while time.monotonic() < end and not c.closed:
            c.show(surface, buf, width, height)
            c.read(0.005)
    finally:
        stop.set()
        t.join()
    os.close(fd)
    c.close()


# --- Huge shm buffers ------------------------------------------------------
# A 16384x16384 XRGB buffer is 1 GiB: copying it takes seconds on a loaded
# 2-core machine.  The copy must not run where it stops every output's
# frames: other clients' frame callbacks keep coming at the refresh rate.
HUGE = 16384
# The longest gap between two frame callbacks of a client that redraws on
# each one, while a huge buffer is committed.  A 60 Hz frame is 16.7 ms, but
# this runs on 2 cores shared with builds and a VM (load average 11 when
# measured): there the ticker alone saw gaps up to 106 ms and single frames
# took up to 180 ms.  500 ms (30 frames) leaves room for that load and the
# 1 GiB copy on the other core, and is still ten times below the stall this
# catches (5.5 s sealed, 17 s unsealed, measured before the fix).
FRAME_GAP_BOUND = 0.5
# The same while the pool of the buffer being copied grows: gaps of 0.25 to
# 0.86 s were measured around the moment the commit is applied (load ~10;
# the deferred mremap itself takes 0.25 ms, the cause is not pinned down),
# against 7.7 s when the grown buffer's commit fell back to a main-loop copy.
GROWN_GAP_BOUND = 2.0


class FrameTicker(threading.Thread):
    """A well-behaved wire client that redraws on every frame callback and
    records when each came, so a case can measure the longest gap."""

    def __init__(self, comp):
        super().__init__(daemon=True)
        self.c, compositor, wm_base = connect(comp)
        shm = self.c.bind("wl_shm", 1)
        self.surface, _, toplevel = self.c.toplevel(compositor, wm_base)
        self.c.send(toplevel, w.XDG_TOPLEVEL_SET_APP_ID, w.string("ticker"))
        self.buf = self.c.shm_buffer(shm, 64, 48, rgb=0x20c040)
        self.c.roundtrip()
        self.stop = threading.Event()
        self.times = []

    def run(self):
        while not self.stop.is_set() and not self.c.closed:
            cb = self.c.show(self.surface, self.buf, 64, 48, frame=True)
            if self.c.wait_for(lambda: cb in self.c.done_callbacks, 0.2):
                self.times.append(time.monotonic())

    def longest_gap(self, since=0.0):
        """(longest gap in s between callbacks after `since`, when it ended)."""
        times = [t for t in self.times if t >= since]
        check(len(times) >= 2, f"the ticker got {len(times)} frame callbacks")
        return max((b - a, b) for a, b in zip(times, times[1:]))

    def finish(self):
        """Stops and returns (longest gap in s, when it ended, callbacks)."""
        self.stop.set()
        self.join(10)
        self.c.close()
        gap, at = self.longest_gap()
        return gap, at, len(self.times)


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) // 1024
    raise h.HarnessError(f"no VmRSS for pid {pid}")


# What the compositor may keep after a 1 GiB buffer came and went (its
# texture and the pool mapping are gone; allocator caches may stay).
RSS_SLACK_MIB = 256


def expect_rss_back(comp, before, what):
    """The compositor's RSS returns to within RSS_SLACK_MIB of `before`."""
    deadline = time.monotonic() + 10
    rss = rss_mib(comp.proc.pid)
    while rss > before + RSS_SLACK_MIB and time.monotonic() < deadline:
        time.sleep(0.2)
        rss = rss_mib(comp.proc.pid)
    check(rss <= before + RSS_SLACK_MIB,
          f"{what}: zc-compositor RSS {rss} MiB, {before} MiB before the huge buffer")


def huge_buffer_shown(comp, app_id, seal):
    """A 1 GiB buffer committed beside a ticker: the ticker's frames never
    stop for long, the huge buffer is shown (its frame callback comes) and
    released once replaced, its commit counted as a copy."""
    rss_before = rss_mib(comp.proc.pid)
    c, surface = shown_toplevel(comp, app_id)
    shm = c.bind("wl_shm", 1)
    buf, _, fd = c.shm_pool_buffer(shm, HUGE, HUGE, rgb=0x3060a0, seal=seal)
    os.close(fd)
    small, _, fd = c.shm_pool_buffer(shm, 64, 48, seal=seal)  # the same path as the huge one
    os.close(fd)
    c.roundtrip()
    ticker = FrameTicker(comp)
    ticker.start()
    time.sleep(1.0)  # the gaps of this machine's load alone, for the log
    baseline, _ = ticker.longest_gap()
    t0 = time.monotonic()
    cb = c.show(surface, buf, HUGE, HUGE, frame=True)
    check(c.wait_for(lambda: cb in c.done_callbacks, 60),
          f"{app_id}: no frame callback for the huge buffer in 60 s ({c.error})")
    shown = time.monotonic() - t0
    c.show(surface, small, 64, 48)
    check(c.wait_for(lambda: buf in c.released_buffers, 30),
          f"{app_id}: the huge buffer was not released 30 s after it was replaced")
    time.sleep(0.3)
    gap, at, n = ticker.finish()
    still_connected(c, f"{app_id}: huge buffer")
    c.close()
    expect_rss_back(comp, rss_before, app_id)
    print(f"{app_id}: huge buffer shown after {shown:.2f} s; ticker: {n} frame callbacks, "
          f"longest gap {gap * 1000:.0f} ms at +{at - t0:.2f} s (before the commit: "
          f"{baseline * 1000:.0f} ms); load average {os.getloadavg()[0]:.1f}")
    check(gap <= FRAME_GAP_BOUND,
          f"{app_id}: a client's frame callbacks stopped for {gap * 1000:.0f} ms while a "
          f"{HUGE}x{HUGE} buffer was committed (bound {FRAME_GAP_BOUND * 1000:.0f} ms)")
    return shown


def expect_huge_copy(comp, app_id, reason, never=None):
    """After the run: the huge commit was counted as a copy of all its bytes."""
    expect_stats_path(comp, app_id, "shm_copy", reason, never=never)
    path_check = comp.check_stats

    def check_stats(stats):
        path_check(stats)
        cl = h.client_by_name(stats, app_id)
        check(cl["bytes_copied"] >= HUGE * HUGE * 4,
              f"{app_id}: {cl['bytes_copied']} bytes copied, expected >= {HUGE * HUGE * 4}")
    comp.check_stats = check_stats


def shm_huge_copied(comp):
    """Unsealed 1 GiB pool: the copy path, off the main loop."""
    huge_buffer_shown(comp, "huge-copy", seal=False)
    expect_huge_copy(comp, "huge-copy", "shm_not_sealed", never="shm_host_import")


def shm_huge_sealed(comp):
    """Sealed 1 GiB pool: zero copy where the device can import that much;
    lavapipe's storage buffers stop at 128 MiB, so there it is copied
    (host_pointer_unaligned, the size reason), off the main loop as well."""
    huge_buffer_shown(comp, "huge-sealed", seal=True)
    expect_huge_copy(comp, "huge-sealed", "host_pointer_unaligned")


def shm_huge_gone_in_flight(comp):
    """The huge buffer, its pool and the client disappear while the copy
    runs; then the pool is truncated instead (SIGBUS in the copy: the
    client gets invalid_fd); then grown (legal: shown).  The compositor
    lives, the ticker keeps its frames, fds come back."""
    rss_before = rss_mib(comp.proc.pid)
    ticker = FrameTicker(comp)
    ticker.start()
    t0 = time.monotonic()
    c, surface = shown_toplevel(comp, "huge-gone")
    shm = c.bind("wl_shm", 1)
    buf, pool, fd = c.shm_pool_buffer(shm, HUGE, HUGE, seal=False)
    os.close(fd)
    c.roundtrip()
    c.show(surface, buf, HUGE, HUGE)
    c.send(buf, w.WL_BUFFER_DESTROY)
    c.send(pool, w.WL_SHM_POOL_DESTROY)
    c.roundtrip()
    c.close()  # the disconnect destroys the surface with its cached commit
    time.sleep(1.0)

    c, surface = shown_toplevel(comp, "huge-truncated")
    shm = c.bind("wl_shm", 1)
    buf, pool, fd = c.shm_pool_buffer(shm, HUGE, HUGE, seal=False)
    c.roundtrip()
    cb = c.show(surface, buf, HUGE, HUGE, frame=True)
    time.sleep(0.05)
    os.ftruncate(fd, 0)
    os.close(fd)
    # The copy faults (invalid_fd, as libwayland's guard would post), or it
    # had finished before the truncation and the buffer is shown.
    c.wait_for(lambda: cb in c.done_callbacks or c.error, 60)
    if c.error:
        expect_error(c, "wl_buffer", w.WL_SHM_ERROR_INVALID_FD, "huge pool truncated in flight")
    else:
        check(cb in c.done_callbacks, "huge-truncated: neither shown nor ended in 60 s")
    c.close()

    # Growing the pool is legal and libwayland may move its mapping then:
    # the copy in flight must finish from the right pages, not fault.
    c, surface = shown_toplevel(comp, "huge-grown")
    shm = c.bind("wl_shm", 1)
    buf, pool, fd = c.shm_pool_buffer(shm, HUGE, HUGE, seal=False)
    os.close(fd)
    c.roundtrip()
    t_grow = time.monotonic()
    cb = c.show(surface, buf, HUGE, HUGE, frame=True)
    c.send(pool, w.WL_SHM_POOL_RESIZE, w.i32(HUGE * HUGE * 4 + (64 << 20)))
    check(c.wait_for(lambda: cb in c.done_callbacks, 60),
          f"huge-grown: no frame callback for the huge buffer in 60 s ({c.error})")
    still_connected(c, "huge-grown: wl_shm_pool.resize while its buffer is copied")
    time.sleep(0.3)
    gap, at = ticker.longest_gap(since=t_grow)
    print(f"huge-grown: longest gap {gap * 1000:.0f} ms at +{at - t_grow:.2f} s after its commit")
    check(gap <= GROWN_GAP_BOUND,
          f"huge-grown: a client's frame callbacks stopped for {gap * 1000:.0f} ms while a "
          f"huge buffer whose pool grew was copied (bound {GROWN_GAP_BOUND * 1000:.0f} ms)")
    c.close()
    time.sleep(0.5)
    expect_rss_back(comp, rss_before, "huge buffers gone in flight")
    # Not bounded: a client that disconnects leaves libwayland to unmap its
    # 1 GiB pool on the main loop (the pages are freed there, 0.4 s measured),
    # whatever the renderer did with it.  Reported for the log.
    gap, at, n = ticker.finish()
    print(f"huge-gone: ticker: {n} frame callbacks, longest gap {gap * 1000:.0f} ms at "
          f"+{at - t0:.2f} s; load average {os.getloadavg()[0]:.1f}")


CASES = {f"dead_surface_{r}": dead_surface_case(r) for r in DEAD_SURFACE_REQUESTS}
CASES["popup_own_parent"] = popup_own_parent
CASES["invalid_utf8_names"] = invalid_utf8_names
CASES["stats_socket_reader_cap"] = stats_socket_reader_cap
for _case in (shm_shrink_before_commit, shm_shrink_after_commit, shm_pool_larger_than_file,
              shm_pool_grown_while_shown, shm_sealed_host_import,
              memfd_dmabuf_shrunk_after_commit, dmabuf_odd_stride_shrink_race,
              shm_huge_copied, shm_huge_sealed, shm_huge_gone_in_flight):
    CASES[_case.__name__] = _case


def settle_fds(pid, baseline, timeout=10):
    """The compositor's fd count once it is back at (or below) baseline."""
    deadline = time.monotonic() + timeout
    n = w.open_fds(pid)
    while n > baseline and time.monotonic() < deadline:
        time.sleep(0.2)
        n = w.open_fds(pid)
    return n


# What an ordinary case may leave in the compositor's RSS.  Measured
# 2026-12-06: every non-huge case ends at the RSS it started with (86 MiB,
# to the MiB); the slack is for freed memory malloc or lavapipe keep.  Cases
# with huge buffers check their own bound (RSS_SLACK_MIB) before this one.
CASE_RSS_SLACK_MIB = 16


def settle_rss(pid, baseline, timeout=10):
    """The compositor's RSS in MiB once it is back near baseline (or the timeout)."""
    deadline = time.monotonic() + timeout
    rss = rss_mib(pid)
    while rss > baseline + CASE_RSS_SLACK_MIB and time.monotonic() < deadline:
        time.sleep(0.2)
        rss = rss_mib(pid)
    return rss


def run_case(name, bin_dir, out_dir):
    sock_path = os.path.join(tempfile.mkdtemp(prefix="zcd-hostile-"), "live.sock")
    comp = h.Compositor(bin_dir, out_dir, args=["--stats-socket", sock_path], capture_every=60)
    comp.stats_socket = sock_path
    comp.check_stats = None
    bystander = comp.start_client(
        [os.path.join(bin_dir, "zc-test-client"), "--frames", str(BYSTANDER_FRAMES),
         "--app-id", "bystander", "--timeout", "120"], "bystander")
    time.sleep(1.5)  # connected and drawing: its fds are part of the baseline
    check(bystander.poll() is None, f"bystander ended early (log: {bystander.log_path})")
    baseline = w.open_fds(comp.proc.pid)
    rss_baseline = rss_mib(comp.proc.pid)
    CASES[name](comp)
    check(comp.alive(), f"zc-compositor died (log: {comp.log_path})")
    fds = settle_fds(comp.proc.pid, baseline)
    check(fds <= baseline, f"zc-compositor has {fds} fds open, {baseline} before the case")
    if os.environ.get("ZCD_SANITIZER_REPORTS"):
        # ASan's quarantine keeps freed memory on purpose; the sanitized
        # suite's LeakSanitizer checks for leaks instead.
        print("memory: RSS not compared in a sanitized run (LeakSanitizer checks leaks)")
    else:
        rss = settle_rss(comp.proc.pid, rss_baseline)
        print(f"memory: zc-compositor RSS {rss_baseline} MiB before the case, {rss} MiB after")
        check(rss <= rss_baseline + CASE_RSS_SLACK_MIB,
              f"zc-compositor RSS {rss} MiB after the case, {rss_baseline} MiB before "
              f"(allowed {CASE_RSS_SLACK_MIB} MiB more)")
    check(bystander.poll() is None or bystander.returncode == 0,
          f"bystander failed with {bystander.returncode} (log: {bystander.log_path})")
    brc = comp.wait_client(bystander, 150)
    check(brc == 0, f"bystander exited with {brc} (log: {bystander.log_path})")
    check(comp.alive(), f"zc-compositor died (log: {comp.log_path})")
    rc, stats = comp.stop()  # stats() parses stats.json with the json module
    check(rc == 0, f"zc-compositor exited with {rc} after SIGTERM")
    b = h.client_by_name(stats, "bystander")
    check(b["frames"] >= BYSTANDER_FRAMES,
          f"bystander got {b['frames']} frames presented, expected >= {BYSTANDER_FRAMES}")
    if comp.check_stats:
        comp.check_stats(stats)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--list", action="store_true", help="print the case names")
    ap.add_argument("--bin", help="directory with zc-compositor and zc-test-client")
    ap.add_argument("--out", help="directory for logs and stats")
    ap.add_argument("case", nargs="?", choices=sorted(CASES))
    a = ap.parse_args()
    if a.list:
        print(";".join(sorted(CASES)))
        return 0
    if not (a.bin and a.out and a.case):
        ap.error("--bin, --out and CASE are required (or --list)")
    try:
        run_case(a.case, a.bin, os.path.join(a.out, a.case))
    except (h.HarnessError, w.ProtocolError, OSError) as e:
        print(f"FAIL {a.case}: {e}", file=sys.stderr)
        return 1
    print(f"PASS {a.case}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
