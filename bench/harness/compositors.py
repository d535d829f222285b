"""Start a compositor headless, run the zc-bench-client workload under it,
and measure the compositor's CPU time per frame and commit-to-present
latency.

All three compositors get the same workload: N zc-bench-client processes,
each a 1920x1080 XRGB8888 wl_shm toplevel that redraws its whole buffer on
every frame callback (output refresh: 60 Hz on every headless backend here).

Counting (docs/performance.md, "How frames are counted"):
  * frames = client commits whose frame callback came back inside the
    measurement window, summed over clients.  Every compositor sends the
    callback after it composed an output frame containing that commit; it is
    the count all three share, because sway 1.7 (wlroots 0.15 headless)
    never sends wp_presentation feedback.
  * presented = commits with wp_presentation "presented" feedback inside the
    window (weston and zc-compositor).
  * CPU = utime + stime of the compositor process (all its threads) from
    /proc/<pid>/stat, sampled at the window's start and end.
"""
import json
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time

CLK_TCK = os.sysconf("SC_CLK_TCK")


def proc_cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        tail = f.read().rsplit(")", 1)[1].split()
    # Fields after "(comm)": state is field 3, utime 14, stime 15 (1-based).
    return (int(tail[11]) + int(tail[12])) / CLK_TCK


def monotonic_ns():
    return time.clock_gettime_ns(time.CLOCK_MONOTONIC)


def percentile(sorted_values, p):
    """Nearest-rank percentile (p in 0..100) of an already sorted list."""
    if not sorted_values:
        return None
    k = max(0, min(len(sorted_values) - 1, int(-(-p * len(sorted_values) // 100)) - 1))
    return sorted_values[k]


class Unavailable(Exception):
    """A prerequisite is missing; the message says which."""


class Compositor:
    """Base: subclasses fill name, command(), env and socket discovery."""
    name = "?"
    user = None  # run as this user (pwd entry) instead of the current one

    def __init__(self, runtime_dir, log_path):
        self.runtime_dir = runtime_dir
        self.log_path = log_path
        self.proc = None
        self.socket = None

    def command(self):
        raise NotImplementedError

    def env(self):
        return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "XDG_RUNTIME_DIR": self.runtime_dir,
                "HOME": self.runtime_dir}

    def find_socket(self):
        for name in sorted(os.listdir(self.runtime_dir)):
            if name.startswith("wayland-") and not name.endswith(".lock"):
                return name
        return None

    def start(self, timeout=15.0):
        cmd = self.command()
        if self.user is not None:
            # setpriv execs: the pid we hold is the compositor's own.
            cmd = ["setpriv", f"--reuid={self.user.pw_uid}", f"--regid={self.user.pw_gid}",
                   "--clear-groups", "--"] + cmd
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(cmd, env=self.env(), stdout=self.log,
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise Unavailable(f"{self.name} exited with code {self.proc.returncode} at start: "
                                  f"{last_line(self.log_path)}")
            self.socket = self.find_socket()
            if self.socket:
                time.sleep(0.3)  # the socket exists slightly before the globals are ready
                return
            time.sleep(0.05)
        self.stop()
        raise Unavailable(f"{self.name} made no Wayland socket in {timeout:.0f} s: "
                          f"{last_line(self.log_path)}")

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if getattr(self, "log", None):
            self.log.close()


def last_line(path):
    try:
        with open(path, errors="replace") as f:
            lines = [ln.strip() for ln in f if ln.strip()]
        return lines[-1][:200] if lines else "(no output)"
    except OSError:
        return "(no log)"


class Weston(Compositor):
    name = "weston"

    def command(self):
        exe = shutil.which("weston")
        if not exe:
            raise Unavailable("weston not installed (Debian package weston)")
        # desktop-shell (the default) spawns weston-desktop-shell for panel and
        # background; it is a separate process, so its CPU is not counted.
        return [exe, "--backend=headless-backend.so", "--use-pixman", "--width=1920",
                "--height=1080", "--socket=wayland-bench", "--idle-time=0", "--no-config"]


class Sway(Compositor):
    name = "sway"

    def __init__(self, runtime_dir, log_path):
        super().__init__(runtime_dir, log_path)
        if os.getuid() == 0:
            # sway 1.7 refuses to run as root.
            self.user = pwd.getpwnam("nobody")
            os.chown(runtime_dir, self.user.pw_uid, self.user.pw_gid)
        self.config = os.path.join(runtime_dir, "sway.conf")
        with open(self.config, "w") as f:
            # No bar, no Xwayland, no borders: the compositor alone.
            f.write("xwayland disable\ndefault_border none\nfocus_follows_mouse no\n")
        os.chmod(self.config, 0o644)

    def command(self):
        exe = shutil.which("sway")
        if not exe:
            raise Unavailable("sway not installed (Debian package sway)")
        return [exe, "-c", self.config]

    def env(self):
        e = super().env()
        e.update({"WLR_BACKENDS": "headless", "WLR_RENDERER": "pixman",
                  "WLR_LIBINPUT_NO_DEVICES": "1"})
        return e


class ZcCompositor(Compositor):
    def __init__(self, runtime_dir, log_path, binary, extra_args=(), label="zc-compositor"):
        super().__init__(runtime_dir, log_path)
        self.binary = binary
        self.extra_args = list(extra_args)
        self.name = label

    def command(self):
        if not os.access(self.binary, os.X_OK):
            raise Unavailable("zc-compositor not built ($ZCD_BUILD/bin/zc-compositor missing)")
        return [self.binary, "--backend", "headless", "--size", "1920x1080", "--refresh", "60",
                "--socket", "wayland-bench",
                "--stats-json", os.path.join(self.runtime_dir, "stats.json")] + self.extra_args

    def read_stats(self):
        """stats.json written at exit (after stop()), or None."""
        try:
            with open(os.path.join(self.runtime_dir, "stats.json")) as f:
                return json.load(f)
        except (OSError, ValueError):
            return None


def load_log(path):
    with open(path) as f:
        log = json.load(f)
    cols = log["columns"]
    idx = {c: i for i, c in enumerate(cols)}
    offset = log.get("monotonic_minus_clock_ns", 0)
    frames = []
    for row in log["frames"]:
        frames.append({
            "commit": row[idx["commit_ns"]] + offset,
            "state": row[idx["state"]],
            "present": row[idx["present_ns"]] + offset if row[idx["present_ns"]] else 0,
            "refresh": row[idx["refresh_ns"]],
            "flags": row[idx["flags"]],
            "done": row[idx["done_ns"]] + offset if row[idx["done_ns"]] else 0,
        })
    return log, frames


def run_workload(comp, client_bin, n_clients, warmup_s, window_s, size="1920x1080", during=None):
    """Returns a dict of figures for one compositor run.  Raises Unavailable.

    `during(pid, window_s)`, if given, replaces the plain wait of the window:
    it may take longer (several perf windows) and returns the (t0, t1) of
    CLOCK_MONOTONIC over which frames are counted."""
    if not os.access(client_bin, os.X_OK):
        raise Unavailable("zc-bench-client not built ($ZCD_BUILD/bin/zc-bench-client missing)")
    try:
        comp.start()
    except Unavailable:
        shutil.rmtree(comp.runtime_dir, ignore_errors=True)
        raise
    clients, logs = [], []
    try:
        for i in range(n_clients):
            log = os.path.join(os.path.dirname(comp.log_path), f"{comp.name}-client{i + 1}.json")
            logs.append(log)
            env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                   "XDG_RUNTIME_DIR": comp.runtime_dir, "WAYLAND_DISPLAY": comp.socket}
            clients.append(subprocess.Popen(
                [client_bin, "--size", size, "--duration",
                 f"{warmup_s + (window_s + 1.0 if during is None else window_s * 8 + 20):.1f}",
                 "--log", log], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                text=True))
        time.sleep(warmup_s)
        if not comp.alive():
            raise Unavailable(f"{comp.name} died during warm-up (exit {comp.proc.returncode}): "
                              f"{last_line(comp.log_path)}")
        t0, cpu0 = monotonic_ns(), proc_cpu_seconds(comp.proc.pid)
        if during is None:
            time.sleep(window_s)
        else:
            t0, t1 = during(comp.proc.pid, window_s)
        t1_now, cpu1 = monotonic_ns(), proc_cpu_seconds(comp.proc.pid)
        if during is None:
            t1 = t1_now
        else:
            for c in clients:  # they write their logs on SIGTERM and exit 0
                c.terminate()
        errors = []
        for c in clients:
            try:
                _, err = c.communicate(timeout=warmup_s + window_s + 30)
            except subprocess.TimeoutExpired:
                c.kill()
                _, err = c.communicate()
            if c.returncode != 0:
                errors.append(f"client exit {c.returncode}: {err.strip().splitlines()[-1:] or ''}")
        if not comp.alive():
            raise Unavailable(f"{comp.name} died during the run (exit {comp.proc.returncode}): "
                              f"{last_line(comp.log_path)}")
    finally:
        for c in clients:
            if c.poll() is None:
                c.kill()
                c.wait()
        comp.stop()
        stats = comp.read_stats() if hasattr(comp, "read_stats") else None
        # The private XDG_RUNTIME_DIR (sockets, sway.conf) is of no use after.
        shutil.rmtree(comp.runtime_dir, ignore_errors=True)
    if errors:
        raise Unavailable(f"workload failed under {comp.name}: {errors[0]}")

    done = presented = committed = 0
    latencies, refresh, zero_copy_flags = [], [], 0
    for path in logs:
        log, frames = load_log(path)
        for f in frames:
            if t0 <= f["commit"] < t1:
                committed += 1
            if f["done"] and t0 <= f["done"] < t1:
                done += 1
            if f["state"] == "presented" and t0 <= f["present"] < t1:
                presented += 1
                latencies.append((f["present"] - f["commit"]) / 1e6)
                if f["refresh"]:
                    refresh.append(f["refresh"])
                if f["flags"] & 0x8:
                    zero_copy_flags += 1
    latencies.sort()
    window = (t1 - t0) / 1e9
    cpu = cpu1 - cpu0
    out = {
        "compositor": comp.name, "clients": n_clients, "client_size": size,
        "window_s": round(window, 3), "cpu_s": round(cpu, 3),
        "frames_committed": committed, "frames_done": done, "frames_presented": presented,
        "fps_per_client": round(done / window / n_clients, 2) if window > 0 else 0,
        "cpu_ms_per_frame": round(cpu * 1000 / done, 4) if done else None,
        "presented_zero_copy": zero_copy_flags,
    }
    if stats:
        # zc-compositor's own count of how its frames reached the output
        # (whole run, warm-up included).
        out["scanout_paths"] = stats.get("scanout_paths", {})
        out["scanout_bytes_copied"] = stats.get("scanout_bytes_copied", 0)
        out["direct_scanout_misses"] = {k: v for k, v in
                                        stats.get("direct_scanout_misses", {}).items() if v}
    out["_latencies_ms"] = latencies  # raw, for pooling across rounds; not saved
    if latencies:
        out["latency_ms_p50"] = round(percentile(latencies, 50), 3)
        out["latency_ms_p99"] = round(percentile(latencies, 99), 3)
        out["latency_samples"] = len(latencies)
    if refresh:
        out["refresh_ms"] = round(sorted(refresh)[len(refresh) // 2] / 1e6, 3)
    return out


def make_runtime_dir(parent):
    d = tempfile.mkdtemp(prefix="rt-", dir=parent)
    os.chmod(d, 0o700)
    return d
