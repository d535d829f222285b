"""Harness for end-to-end tests of zc-compositor.

Starts the compositor headless on a private XDG_RUNTIME_DIR (so parallel tests
never share a socket), waits for its readiness line, runs clients against it,
stops it and returns its --stats-json and --capture results.  Tests in
tests/e2e use this; nothing here knows about a particular test.
"""
import atexit
import json
import os
import select
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
import zlib

READY_PREFIX = "zc-compositor: ready on WAYLAND_DISPLAY="


def _sanitizer_reports_dir():
    """Under a sanitized run (scripts/test.sh --only asan sets
    ZCD_SANITIZER_REPORTS, docs/sanitizers.md) every sanitized process this
    test starts, directly or not (the compositor, its clients, the tools),
    writes its reports into a folder of this test's own: ASan and LSan take
    log_path from the environment each child inherits (UBSan: see
    _ubsan_reports).  A report then fails this test whichever process wrote
    it, even one whose exit code no test looks at."""
    root = os.environ.get("ZCD_SANITIZER_REPORTS")
    if not root:
        return None
    d = os.path.join(root, f"{os.path.basename(sys.argv[0])}-{os.getpid()}")
    os.makedirs(d, exist_ok=True)
    for var in ("ASAN_OPTIONS", "UBSAN_OPTIONS"):
        # The last setting of an option wins.
        opts = os.environ.get(var, "")
        os.environ[var] = (opts + ":" if opts else "") + f"log_path={d}/report"
    return d


_reports = _sanitizer_reports_dir()
# Output folders of this test's compositors: gcc's UBSan runtime ignores
# log_path when ASan is linked in too and writes to stderr, which the harness
# keeps in <out>/*.log (compositor and clients); those are scanned for it.
_log_dirs = []
UBSAN_MARK = ": runtime error: "


def _ubsan_reports():
    found = []
    for d in _log_dirs:
        for dirpath, _, files in os.walk(d):
            for name in sorted(files):
                if not name.endswith(".log"):
                    continue
                path = os.path.join(dirpath, name)
                with open(path, errors="replace") as f:
                    lines = f.readlines()
                for i, line in enumerate(lines):
                    if UBSAN_MARK in line:
                        found.append((path, "".join(lines[i:i + 20])))
                        break
    return found


@atexit.register
def _fail_on_sanitizer_reports():
    # Registered before _kill_leftovers, so it runs after it (atexit is
    # last-in, first-out): every process has exited and written its report.
    if _reports is None:
        return
    found = sorted(os.listdir(_reports))
    ubsan = _ubsan_reports()
    if not found and not ubsan:
        os.rmdir(_reports)
        return
    for name in found:
        with open(os.path.join(_reports, name), errors="replace") as f:
            print(f"sanitizer report {name} (pid {name.rsplit('.', 1)[-1]}):\n{f.read()}",
                  file=sys.stderr)
    for path, text in ubsan:
        # Copied next to the others so the suite's report folder has them all.
        with open(os.path.join(_reports, "ubsan." + os.path.basename(path)), "w") as f:
            f.write(f"{path}:\n{text}")
        print(f"UBSan report in {path}:\n{text}", file=sys.stderr)
        found.append(path)
    # Renamed so scripts/test.sh tells these, already failing this test,
    # from reports no test saw.
    os.rename(_reports, _reports + ".reported")
    print(f"FAIL: {len(found)} sanitizer report(s) in {_reports}.reported", file=sys.stderr)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(1)


# Every process a test started: a failing test raises before stop(), and
# what it started must not outlive it (a hung compositor would otherwise
# keep running after CTest gave up on the test).
_started = []


@atexit.register
def _kill_leftovers():
    for p in _started:
        if p.poll() is None:
            p.kill()
            p.wait()


class HarnessError(Exception):
    """A test precondition or expectation failed; the message is one line."""


def timeout_scale():
    """ZCD_TIMEOUT_SCALE (docs/options.md): every harness timeout is
    multiplied by it, for machines far slower than the build machines (the
    emulated VM's TCG guest runs the visual cases with it).  Default 1."""
    text = os.environ.get("ZCD_TIMEOUT_SCALE", "")
    if not text:
        return 1.0
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0:
        raise HarnessError(f"ZCD_TIMEOUT_SCALE='{text}' is not a positive number")
    return value


def scaled(seconds):
    """SECONDS of a build machine, on this one (see timeout_scale)."""
    return seconds * timeout_scale()


class Compositor:
    def __init__(self, bin_dir, out_dir, args=(), size=(640, 480), capture_every=10, wait=True):
        """Starts the compositor; with wait (the default) returns once it is
        ready, else the caller calls wait_ready() (several compositors can
        then start at once)."""
        self.bin_dir = bin_dir
        self.out_dir = out_dir
        shutil.rmtree(out_dir, ignore_errors=True)
        os.makedirs(out_dir)
        _log_dirs.append(out_dir)
        self.capture_dir = os.path.join(out_dir, "captures")
        self.stats_path = os.path.join(out_dir, "stats.json")
        self.runtime_dir = tempfile.mkdtemp(prefix="zcd-xdg-")
        os.chmod(self.runtime_dir, 0o700)
        self.env = {k: v for k, v in os.environ.items() if k not in ("WAYLAND_DISPLAY", "DISPLAY")}
        self.env["XDG_RUNTIME_DIR"] = self.runtime_dir
        self.socket = "zcd-test"
        cmd = [os.path.join(bin_dir, "zc-compositor"), "--backend", "headless",
               "--size", f"{size[0]}x{size[1]}", "--socket", self.socket,
               "--stats-json", self.stats_path, "--capture", self.capture_dir,
               "--capture-every", str(capture_every)] + list(args)
        self.log_path = os.path.join(out_dir, "compositor.log")
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(cmd, env=self.env, stdout=subprocess.PIPE,
                                     stderr=self.log, text=True)
        _started.append(self.proc)
        self.clients = []
        if wait:
            self.wait_ready()

    def wait_ready(self, timeout=30):
        timeout = scaled(timeout)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise HarnessError(f"zc-compositor exited with {self.proc.returncode} before "
                                   f"becoming ready (log: {self.log_path})")
            ready, _, _ = select.select([self.proc.stdout], [], [], 0.2)
            if ready:
                line = self.proc.stdout.readline()
                self.log.write(line)
                if line.startswith(READY_PREFIX):
                    self.ready_line = line.strip()
                    return
        raise HarnessError(f"zc-compositor not ready after {timeout:.0f} s")

    def client_env(self):
        env = dict(self.env)
        env["WAYLAND_DISPLAY"] = self.socket
        return env

    def start_client(self, cmd, name):
        """Starts a client; its stdout and stderr go to <out>/<name>.log."""
        log = open(os.path.join(self.out_dir, f"{name}.log"), "w")
        proc = subprocess.Popen(cmd, env=self.client_env(), stdout=log, stderr=subprocess.STDOUT)
        _started.append(proc)
        proc.log_path = log.name
        proc.log_file = log
        self.clients.append(proc)
        return proc

    def wait_client(self, proc, timeout):
        timeout = scaled(timeout)
        try:
            rc = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            raise HarnessError(f"client {proc.args[0]} did not finish in {timeout:.0f} s "
                               f"(log: {proc.log_path})")
        proc.log_file.close()
        return rc

    def alive(self):
        return self.proc.poll() is None

    def stop(self, timeout=20):
        """SIGTERM, wait, and return (exit code, stats dict)."""
        timeout = scaled(timeout)
        for c in self.clients:
            if c.poll() is None:
                c.terminate()
                try:
                    c.wait(timeout=scaled(5))
                except subprocess.TimeoutExpired:
                    c.kill()
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise HarnessError(f"zc-compositor did not stop within {timeout:.0f} s of SIGTERM")
        rest = self.proc.stdout.read()
        self.log.write(rest)
        self.log.close()
        shutil.rmtree(self.runtime_dir, ignore_errors=True)
        return rc, self.stats()

    def stats(self):
        try:
            with open(self.stats_path) as f:
                return json.load(f)
        except (OSError, ValueError) as e:
            raise HarnessError(f"no readable stats file {self.stats_path}: {e}")

    def capture_paths(self, stats):
        return [os.path.join(self.capture_dir, n) for n in stats.get("captures", [])]


def client_by_name(stats, name):
    for c in stats["clients"]:
        if name in c["name"]:
            return c
    names = [c["name"] for c in stats["clients"]]
    raise HarnessError(f"no client named like '{name}' in stats (clients: {names})")


class Image:
    """An 8-bit RGBA (or RGB) PNG, decoded with zlib alone."""

    def __init__(self, width, height, channels, rows):
        self.width, self.height, self.channels, self.rows = width, height, channels, rows

    def pixel(self, x, y):
        row = self.rows[y]
        i = x * self.channels
        return tuple(row[i:i + 3])


def read_png(path, max_rows=None):
    """Decodes a PNG; with max_rows only the top rows (decoding is pure Python)."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise HarnessError(f"{path}: not a PNG")
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
    width, height, depth, color, _, _, interlace = header
    if depth != 8 or color not in (2, 6) or interlace:
        raise HarnessError(f"{path}: only 8-bit RGB/RGBA non-interlaced PNGs are read")
    channels = 4 if color == 6 else 3
    raw = zlib.decompress(idat)
    stride = width * channels
    rows, prev = [], bytearray(stride)
    for y in range(height if max_rows is None else min(height, max_rows)):
        ftype = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - channels] if i >= channels else 0
            b = prev[i]
            c = prev[i - channels] if i >= channels else 0
            if ftype == 1:
                line[i] = (line[i] + a) & 0xFF
            elif ftype == 2:
                line[i] = (line[i] + b) & 0xFF
            elif ftype == 3:
                line[i] = (line[i] + (a + b) // 2) & 0xFF
            elif ftype == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pred) & 0xFF
        rows.append(bytes(line))
        prev = line
    return Image(width, height, channels, rows)


def rect_mismatches(img, x, y, w, h, rgb):
    """Number of pixels in the rectangle that are not exactly rgb."""
    bad = 0
    expected = bytes(rgb)
    for yy in range(y, y + h):
        row = img.rows[yy]
        for xx in range(x, x + w):
            i = xx * img.channels
            if row[i:i + 3] != expected:
                bad += 1
    return bad
