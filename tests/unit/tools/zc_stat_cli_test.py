#!/usr/bin/env python3
"""zc-stat end to end: summaries, plot, diff, live view against a fake
stats-socket server, and one-line errors (exit 2) for bad input.

usage: zc_stat_cli_test.py ZC_STAT SAMPLE_TRACE WORKDIR
"""
import json
import os
import subprocess
import sys
import xml.dom.minidom

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "harness"))
from fake_stats_socket import serve  # noqa: E402

zc_stat, sample_trace, work = sys.argv[1], sys.argv[2], sys.argv[3]
os.makedirs(work, exist_ok=True)
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def run(*args, **kw):
    return subprocess.run([zc_stat, *args], capture_output=True, text=True, timeout=60, **kw)


def path(name):
    return os.path.join(work, name)


subprocess.run([sample_trace, path("a.json")], check=True)
subprocess.run([sample_trace, path("b.json"), "--copy", "--hitch", "50"], check=True)
subprocess.run([sample_trace, path("a2.json")], check=True)

# Text summary names the metrics of docs/metrics.md.
r = run(path("a.json"))
check(r.returncode == 0, f"summary exit {r.returncode}: {r.stderr}")
for name in ["FpsOutput", "MsBetweenPresents", "UpsClient", "MsUntilDisplayed", "PathShare shm_host_import 100.0%"]:
    check(name in r.stdout, f"text summary lacks {name}")

# JSON summary is the documented shape with the right numbers.
r = run("--json", path("b.json"))
check(r.returncode == 0, "json exit")
s = json.loads(r.stdout)
out = s["outputs"][0]
check(s["format"] == "zcdisplay-summary", "json format key")
check(out["MissedVblanks"] == 2, f"MissedVblanks {out['MissedVblanks']} != 2")
check(abs(out["MsBetweenPresents"]["max"] - 50.0) < 1e-3, "MsBetweenPresents.max != 50")
check(s["clients"][0]["Fallbacks"]["forced_copy"] == 120, "forced_copy count")
# A summary is accepted as input too, and summarises the same.
with open(path("b-summary.json"), "w") as f:
    f.write(r.stdout)
r2 = run(path("b-summary.json"))
check(r2.returncode == 0 and "MissedVblanks 2" in r2.stdout, "summary input")

# Plot: well-formed SVG with a line per series and a histogram.
r = run("--plot", path("b.svg"), path("b.json"))
check(r.returncode == 0, f"plot exit {r.returncode} {r.stderr}")
doc = xml.dom.minidom.parse(path("b.svg"))
check(len(doc.getElementsByTagName("polyline")) == 2, "plot has 2 series")
bars = [e for e in doc.getElementsByTagName("rect") if e.getAttribute("fill") == "#1f77b4"]
check(len(bars) == 2, f"histogram of 16.7 ms and one 50 ms interval has 2 bars, not {len(bars)}")
r = run("--plot", path("x.svg"), path("b-summary.json"))
check(r.returncode == 2 and "needs a trace" in r.stderr, "plot of a summary is refused")

# diff: identical runs -> exit 0; zero-copy vs forced copy -> exit 1, names the movers.
r = run("diff", path("a.json"), path("a2.json"))
check(r.returncode == 0 and r.stdout.startswith("0 of "), f"diff same: {r.returncode} {r.stdout[:80]}")
r = run("diff", "--threshold", "10", path("a.json"), path("b.json"))
check(r.returncode == 1, f"diff moved exit {r.returncode}")
check("client 1 Fallbacks.forced_copy" in r.stdout, "diff names forced_copy")
check("client 1 MsImport.p50" in r.stdout and "+1566.7%" in r.stdout, "diff MsImport change")
check("MsGpu" not in r.stdout, "MsGpu did not move beyond 10% but is listed")
r = run("diff", "--json", path("a.json"), path("b.json"))
moved = [m["metric"] for m in json.loads(r.stdout)["metrics"] if m["moved"]]
check("output HEADLESS-1 MissedVblanks" in moved, "diff json lists MissedVblanks")

# Bad input: exactly one line on stderr, exit 2, never a crash.
with open(path("a.json")) as f:
    good = f.read()
bad_inputs = {
    "truncated.json": good[: len(good) // 2],
    "notjson.json": "hello",
    "empty.json": "",
    "wrongtype.json": good.replace('"output_seq":1,', '"output_seq":"x",', 1),
    "notatrace.json": '{"traceEvents": []}',
    "binary.json": "\x00\x01\x02",
}
for name, text in bad_inputs.items():
    with open(path(name), "w") as f:
        f.write(text)
    r = run(path(name))
    lines = r.stderr.strip().splitlines()
    check(r.returncode == 2, f"{name}: exit {r.returncode}")
    check(len(lines) == 1 and lines[0].startswith("zc-stat: "), f"{name}: stderr {r.stderr!r}")
for args in [[path("missing.json")], [work], ["--bogus"], [], ["diff", path("a.json")], ["--threshold", "x", path("a.json")]]:
    r = run(*args)
    lines = r.stderr.strip().splitlines()
    check(r.returncode == 2 and len(lines) == 1, f"{args}: exit {r.returncode} stderr {r.stderr!r}")


# Live view against a fake compositor serving two stats lines (and one line
# of another type, which must be skipped).
summary = json.loads(run("--json", path("a.json")).stdout)
lines = []
for i, fps in enumerate([59.5, 30.25]):
    obj = {"type": "stats", "version": 1, "t_ns": 1000 + i, "window_s": 1.0}
    obj.update({k: v for k, v in summary.items() if k not in ("format", "version")})
    obj["outputs"][0]["FpsOutput"] = fps
    lines.append(json.dumps(obj) + "\n")
    if i == 0:
        lines.append('{"type":"hello"}\n')
sock = path("live.sock")
if os.path.exists(sock):
    os.unlink(sock)
t = serve(sock, lines)
r = run("--live", sock, "--count", "2")
t.join(5)
check(r.returncode == 0, f"live exit {r.returncode} {r.stderr}")
check("FpsOutput 59.50" in r.stdout and "FpsOutput 30.25" in r.stdout, f"live output {r.stdout[:200]!r}")
check(r.stdout.count("output HEADLESS-1") == 2, "live printed two updates")

os.unlink(sock)
t = serve(sock, ['{"type":"stats", "version":1, "outputs": [\n'])
r = run("--live", sock)
t.join(5)
check(r.returncode == 2 and "line 1: invalid JSON" in r.stderr, f"live bad line: {r.returncode} {r.stderr!r}")
os.unlink(sock)
r = run("--live", sock)
check(r.returncode == 2 and "cannot connect" in r.stderr, "live without server")

print(f"{len(failures)} failure(s)")
sys.exit(1 if failures else 0)
