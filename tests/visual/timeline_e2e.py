#!/usr/bin/env python3
"""A real headless run's --trace, --csv and --summary, read by zc-stat.

zc-compositor (headless) runs zc-client for a fixed number of frames with
every timeline export on; the test checks that the files follow
docs/trace-format.md, that zc-stat summarises and plots both the compositor's
and the client's trace, and that the numbers agree with what the client
itself reports.

usage: timeline_e2e.py --bin DIR --out DIR
"""
import argparse
import csv
import json
import os
import re
import signal
import subprocess
import sys
import xml.dom.minidom

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "harness"))
import zcd_harness as h  # noqa: E402

FRAMES = 60


def check(cond, msg):
    if not cond:
        raise h.HarnessError(msg)


def zc_stat(bin_dir, *args):
    r = subprocess.run([os.path.join(bin_dir, "zc-stat"), *args], capture_output=True,
                       text=True, timeout=120)
    check(r.returncode == 0, f"zc-stat {' '.join(args)} exited {r.returncode}: {r.stderr.strip()}")
    return r.stdout


def run(bin_dir, out):
    files = {k: os.path.join(out, k) for k in ("trace.json", "frames.csv", "summary.json",
                                                 "client-trace.json", "plot.svg")}
    comp = h.Compositor(bin_dir, out, size=(400, 300), capture_every=1000,
                        args=["--trace", files["trace.json"], "--csv", files["frames.csv"],
                              "--summary", files["summary.json"]])
    try:
        client = comp.start_client(
            [os.path.join(bin_dir, "zc-client"), "--pattern", "motion", "--size", "160x120",
             "--frames", str(FRAMES), "--trace", files["client-trace.json"]], "client")
        check(comp.wait_client(client, 60) == 0, f"zc-client failed (log: {client.log_path})")
        rc, _ = comp.stop()
        check(rc == 0, f"zc-compositor exited with {rc}")
    finally:
        for p in comp.clients + [comp.proc]:
            if p.poll() is None:
                p.kill()
                p.wait()
    with open(client.log_path) as f:
        m = re.search(r"(\d+) frames committed, (\d+) presented", f.read())
    check(m, "zc-client printed no summary line")
    committed, presented = int(m.group(1)), int(m.group(2))

    # The trace: Perfetto-loadable JSON with the documented metadata.
    with open(files["trace.json"]) as f:
        trace = json.load(f)
    check(trace["metadata"]["clock"] == "CLOCK_MONOTONIC", "trace clock is not CLOCK_MONOTONIC")
    cats = [e.get("cat") for e in trace["traceEvents"]]
    check(cats.count("zcd.commit") >= committed, f"trace has {cats.count('zcd.commit')} commit "
          f"events for {committed} client commits")
    check(cats.count("zcd.frame") > 0, "trace has no output frames")

    # zc-stat summarises the compositor's trace like its own --summary.
    summary = json.loads(zc_stat(bin_dir, "--json", "--plot", files["plot.svg"], files["trace.json"]))
    with open(files["summary.json"]) as f:
        written = json.load(f)
    out0, wout0 = summary["outputs"][0], written["outputs"][0]
    check(out0["FramesPresented"] == wout0["FramesPresented"] > 0,
          f"FramesPresented: zc-stat {out0['FramesPresented']}, --summary {wout0['FramesPresented']}")
    check(out0["MsBetweenPresents"] == wout0["MsBetweenPresents"], "MsBetweenPresents differ")
    c = [c for c in summary["clients"] if c["Commits"] >= committed]
    check(c, f"no client with {committed} commits in the summary: {summary['clients']}")
    check(c[0]["Commits"] - c[0]["CommitsDiscarded"] >= presented,
          f"summary shows {c[0]['Commits'] - c[0]['CommitsDiscarded']} displayed commits, "
          f"client saw {presented} presented")
    check(c[0]["MsUntilDisplayed"]["count"] > 0, "no MsUntilDisplayed values")
    doc = xml.dom.minidom.parse(files["plot.svg"])
    check(len(doc.getElementsByTagName("polyline")) >= 1, "plot has no series")
    text = zc_stat(bin_dir, files["trace.json"])
    check("FpsOutput" in text and "MsUntilDisplayed" in text, "text summary lacks metrics")

    # The client's own trace: one displayed commit per presented frame.
    client_summary = json.loads(zc_stat(bin_dir, "--json", files["client-trace.json"]))
    cc = client_summary["clients"][0]
    check(cc["Commits"] == committed, f"client trace: {cc['Commits']} commits, client said {committed}")
    check(cc["MsUntilDisplayed"]["count"] == presented,
          f"client trace: {cc['MsUntilDisplayed']['count']} displayed, client said {presented}")

    # The CSV: documented header, one row per frame and per commit.
    with open(files["frames.csv"], newline="") as f:
        rows = list(csv.DictReader(f))
    kinds = [r["Record"] for r in rows]
    check(kinds.count("frame") == len([e for e in trace["traceEvents"] if e.get("cat") == "zcd.frame"]),
          "CSV frame rows differ from the trace")
    check(kinds.count("commit") == cats.count("zcd.commit"), "CSV commit rows differ from the trace")
    shown = [float(r["MsUntilDisplayed"]) for r in rows if r["MsUntilDisplayed"]]
    check(shown and min(shown) >= 0, "CSV has no MsUntilDisplayed values")
    print(f"timeline: {committed} commits, {presented} presented; output FpsOutput "
          f"{out0['FpsOutput']:.1f}, MsBetweenPresents p99 {out0['MsBetweenPresents']['p99']:.2f} ms")


def main():
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin", required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    try:
        run(a.bin, a.out)
    except h.HarnessError as e:
        print(f"timeline_e2e: {e}", file=sys.stderr)
        return 1
    print("timeline_e2e: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
