#!/usr/bin/env python3
"""zc-compositor as a new user meets it: mistakes in the environment and on
the command line end the run at once with one stderr line that says what
failed and what to do, a non-zero exit and no crash, and leave the user's
files alone.

The cases are data (CASES below); each runs as its own CTest test
(`compositor_cli_<name>`), registered from `compositor_cli.py --list`.

usage: compositor_cli.py --bin DIR --out DIR CASE | --list
"""
import argparse
import os
import re
import shutil
import signal
import json
import socket
import stat
import subprocess
import sys
import tempfile

# A case: zc-compositor ARGS (after --backend headless unless the case names
# a backend) in ENV (DISPLAY and WAYLAND_DISPLAY removed first, then these
# set), in a fresh directory {tmp} made by SETUP.  It must exit with
# EXIT (a number, or "nonzero"), print exactly one stderr line matching SAYS
# (None: nothing on stderr), and CHECK({tmp}) must return None (else the
# failure).  DURING({tmp}), if given, runs once zc-compositor is ready.
#   setup(tmp) -> None, check(tmp) -> None or a message
CASES = {}


def case(name, args, says, env=None, exit="nonzero", setup=None, check=None, headless=True,
         during=None, duration=1):
    CASES[name] = dict(args=args, says=says, env=env or {}, exit=exit, setup=setup,
                       check=check, headless=headless, during=during, duration=duration)


# 1. A nested backend whose display does not answer (ssh, tmux, a stale
# variable): wlroots 0.15.1 would abort on an assertion.
case("nested_auto_stale_wayland_display", [],
     r"--backend auto \(chose wayland: WAYLAND_DISPLAY is set\): cannot connect to the Wayland "
     r"display 'nonexistent'.*--backend headless", env={"WAYLAND_DISPLAY": "nonexistent"},
     headless=False)
case("nested_auto_stale_x11_display", [],
     r"--backend auto \(chose x11: DISPLAY is set\): cannot connect to the X display ':42'"
     r".*--backend headless", env={"DISPLAY": ":42"}, headless=False)
case("nested_x11_without_display", ["--backend", "x11"],
     r"--backend x11: DISPLAY is not set.*--backend headless", headless=False)
case("nested_wayland_without_display", ["--backend", "wayland"],
     r"--backend wayland: cannot connect to the Wayland display.*--backend headless",
     headless=False)


# 2. --stats-socket PATH removes only a stale socket (its listener gone).
PRECIOUS = "the user's notes\n"


def write_precious(tmp):
    with open(os.path.join(tmp, "notes.txt"), "w") as f:
        f.write(PRECIOUS)


def precious_untouched(tmp):
    try:
        with open(os.path.join(tmp, "notes.txt")) as f:
            return None if f.read() == PRECIOUS else "notes.txt was changed"
    except OSError as e:
        return f"notes.txt is gone: {e}"


# Sockets a setup made that must stay open while zc-compositor runs.
_held = []


def unix_socket(path, listen):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(path)
    if listen:
        s.listen(1)
        _held.append(s)
    else:
        s.close()  # the file stays: what a killed run leaves behind


def is_socket(path):
    return os.path.exists(path) and stat.S_ISSOCK(os.lstat(path).st_mode)


case("stats_socket_refuses_regular_file", ["--stats-socket", "{tmp}/notes.txt"],
     r"--stats-socket: .*notes\.txt exists and is not a socket; left as it is",
     setup=write_precious, check=precious_untouched)
case("stats_socket_refuses_directory", ["--stats-socket", "{tmp}/dir"],
     r"--stats-socket: .*dir exists and is not a socket",
     setup=lambda tmp: os.mkdir(os.path.join(tmp, "dir")),
     check=lambda tmp: None if os.path.isdir(os.path.join(tmp, "dir")) else "dir was removed")
case("stats_socket_refuses_live_socket", ["--stats-socket", "{tmp}/live.sock"],
     r"--stats-socket: .*live\.sock is in use by a running process",
     setup=lambda tmp: unix_socket(os.path.join(tmp, "live.sock"), listen=True),
     check=lambda tmp: None if is_socket(os.path.join(tmp, "live.sock")) else
     "the live socket was removed")
case("stats_socket_replaces_stale_socket", ["--stats-socket", "{tmp}/stale.sock"], None, exit=0,
     setup=lambda tmp: unix_socket(os.path.join(tmp, "stale.sock"), listen=False))


# 3. --capture DIR is checked at startup: created with its parents (mkdir -p)
# and written into once, so a run that cannot capture never passes as one
# that captured nothing.
def unwritable_dir(tmp):
    """{tmp}/readonly: a directory in which no file can be created, even by
    root (whom permission bits do not stop): /proc/self/fdinfo then."""
    path = os.path.join(tmp, "readonly")
    if os.geteuid() == 0:
        os.symlink("/proc/self/fdinfo", path)
    else:
        os.mkdir(path, 0o555)


case("capture_into_unwritable_directory", ["--capture", "{tmp}/readonly"],
     r"--capture: cannot write into '.*readonly'", setup=unwritable_dir)
case("capture_under_a_file", ["--capture", "{tmp}/notes.txt/captures"],
     r"--capture: cannot create directory '.*notes\.txt/captures'", setup=write_precious,
     check=precious_untouched)
# Captures that fail later (here: the directory removed under the running
# compositor) are counted into one line at exit, and the run fails.
case("capture_directory_removed_mid_run", ["--capture", "{tmp}/shots", "--capture-every", "1"],
     r"--capture: \d+ of \d+ capture\(s\) could not be written \(first: .*shots",
     during=lambda tmp: shutil.rmtree(os.path.join(tmp, "shots")))
case("capture_creates_every_level", ["--capture", "{tmp}/a/b/c"], None, exit=0,
     check=lambda tmp: None if os.path.isdir(os.path.join(tmp, "a", "b", "c")) else
     "a/b/c was not created")


# 4. A client command after -- that cannot be executed ends the run at once
# with a shell's status (127 not found, 126 not executable), with or without
# --exit-with-client; one that runs and exits does not end the run.
def not_executable(tmp):
    with open(os.path.join(tmp, "script.txt"), "w") as f:
        f.write("echo hi\n")
    os.chmod(os.path.join(tmp, "script.txt"), 0o644)


case("client_command_not_found", ["--", "{tmp}/nonexistent/cmd", "--arg"],
     r"cannot run the client '.*nonexistent/cmd': No such file or directory", exit=127)
case("client_command_not_found_exit_with_client",
     ["--exit-with-client", "--", "{tmp}/nonexistent/cmd"],
     r"cannot run the client '.*nonexistent/cmd': No such file or directory", exit=127)
case("client_command_not_executable", ["--", "{tmp}/script.txt"],
     r"cannot run the client '.*script\.txt': Permission denied", exit=126, setup=not_executable)
case("client_that_runs_and_exits", ["--", "true"], None, exit=0)


# 5. --kstat and --host-kstat treat a missing path alike: one warning line,
# the run goes on, and the counters are read once the path appears
# (docs/options.md says why).
KSTAT_TEXT = "version: 1\ninterconnect: iov\n\tmaps: 7\n\tfallbacks: 0\n\trejected_ranges: 4\n\n"


def write_kstat_later(tmp):
    with open(os.path.join(tmp, "late.txt"), "w") as f:
        f.write(KSTAT_TEXT)


def kernel_counters_read(side):
    def check(tmp):
        try:
            with open(os.path.join(tmp, "stats.json")) as f:
                got = json.load(f)["kernel"][side]
        except (OSError, ValueError, KeyError) as e:
            return f"no kernel.{side} in stats.json: {e}"
        return None if got and got.get("interconnect_maps") == 7 else \
            f"kernel.{side} is {got}, expected the late file's counters"
    return check


for flag, side in (("--kstat", "guest"), ("--host-kstat", "host")):
    stem = flag.lstrip("-").replace("-", "_")
    case(f"{stem}_missing_file_warns_and_runs", [flag, "{tmp}/missing.txt"],
         flag + r": .*missing\.txt: No such file or directory; its counters stay \"not available\"",
         exit=0)
    case(f"{stem}_file_that_appears_later_is_read",
         [flag, "{tmp}/late.txt", "--stats-json", "{tmp}/stats.json"],
         flag + r": .*late\.txt: No such file or directory", exit=0, during=write_kstat_later,
         duration=3, check=kernel_counters_read(side))


def run_case(name, spec, bin_dir, out_dir):
    shutil.rmtree(out_dir, ignore_errors=True)
    os.makedirs(out_dir)
    tmp = tempfile.mkdtemp(prefix="zcd-cli-")
    runtime = os.path.join(tmp, "xdg-runtime")
    os.mkdir(runtime, 0o700)
    if spec["setup"]:
        spec["setup"](tmp)
    env = {k: v for k, v in os.environ.items() if k not in ("WAYLAND_DISPLAY", "DISPLAY")}
    env["XDG_RUNTIME_DIR"] = runtime
    env.update(spec["env"])
    # --duration bounds a run that wrongly goes ahead.
    cmd = [os.path.join(bin_dir, "zc-compositor"), "--socket", "zcd-cli",
           "--duration", str(spec["duration"])]
    if spec["headless"]:
        cmd += ["--backend", "headless", "--size", "160x120"]
    cmd += [a.format(tmp=tmp) for a in spec["args"]]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    stdout = ""
    if spec["during"]:
        stdout = proc.stdout.readline()  # the readiness line (or "" if it died)
        if stdout.startswith("zc-compositor: ready"):
            spec["during"](tmp)
    try:
        out, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        return f"still running after 60 s: {cmd}"
    p = subprocess.CompletedProcess(cmd, proc.returncode, stdout + out, err)
    with open(os.path.join(out_dir, "compositor.log"), "w") as f:
        f.write(f"$ {' '.join(cmd)}\nexit {p.returncode}\n--- stdout\n{p.stdout}--- stderr\n"
                f"{p.stderr}")
    problems = []
    if p.returncode < 0:
        problems.append(f"killed by {signal.Signals(-p.returncode).name}")
    elif spec["exit"] == "nonzero" and p.returncode == 0:
        problems.append("exit 0, expected non-zero")
    elif spec["exit"] != "nonzero" and p.returncode != spec["exit"]:
        problems.append(f"exit {p.returncode}, expected {spec['exit']}")
    lines = p.stderr.strip().splitlines()
    if spec["says"] is None:
        if lines:
            problems.append(f"want nothing on stderr, got {lines}")
    elif len(lines) != 1 or not re.search(spec["says"], lines[0]):
        problems.append(f"want one stderr line matching /{spec['says']}/, got {lines}")
    if spec["check"]:
        msg = spec["check"](tmp)
        if msg:
            problems.append(msg)
    shutil.rmtree(tmp, ignore_errors=True)
    return "; ".join(problems) or None


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--list", action="store_true", help="print the case names")
    ap.add_argument("--bin", help="directory with zc-compositor")
    ap.add_argument("--out", help="directory for the logs")
    ap.add_argument("case", nargs="?")
    a = ap.parse_args()
    if a.list:
        print(";".join(CASES))
        return 0
    if not (a.bin and a.out and a.case in CASES):
        print("compositor_cli: need --bin, --out and a known case (see --list)", file=sys.stderr)
        return 2
    out = os.path.join(a.out, a.case)
    problem = run_case(a.case, CASES[a.case], a.bin, out)
    if problem:
        print(f"FAIL {a.case}: {problem} (log in {out})")
        return 1
    print(f"PASS {a.case}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
