#!/usr/bin/env python3
"""zc-verify end to end on pattern images computed with common/pattern:
computed references (also scaled), reference files (missing, --update,
perturbed), fuzz and clip, the diff PNG's colours, the HTML and JSON
reports, frame-identity analysis, and one-line errors (exit 2).

usage: zc_verify_cli_test.py ZC_VERIFY PATTERN_PNG WORKDIR
"""
import json
import os
import shutil
import struct
import subprocess
import sys
import zlib

zc_verify, pattern_png, work = sys.argv[1], sys.argv[2], sys.argv[3]
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def p(*names):
    return os.path.join(work, *names)


def make(name, *args):
    subprocess.run([pattern_png, p(name), *args], check=True)
    return p(name)


def verify(*args):
    return subprocess.run([zc_verify, *args], capture_output=True, text=True, timeout=120)


def read_png_rgba(path):
    """Minimal decoder for the 8-bit RGBA non-interlaced PNGs zc-verify writes."""
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, w, h = 8, b"", 0, 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and ctype == 6, "expected RGBA8"
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw, stride, rows, prev = zlib.decompress(idat), w * 4, [], bytearray(w * 4)
    for y in range(h):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - 4] if i >= 4 else 0
            b = prev[i]
            c = prev[i - 4] if i >= 4 else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(line)
        prev = line
    return w, h, rows


def pixel(img, x, y):
    return tuple(img[2][y][x * 4:x * 4 + 3])


# Computed references: each pattern's own frame passes, frame read from the stripe.
for pat in ["smpte", "gradient", "checker", "motion", "solid:3366cc"]:
    shot = make(pat.replace(":", "-") + ".png", pat, "42", "320x240")
    r = verify("--expect-pattern", pat, "--out", p("out-" + pat.replace(":", "-")), shot)
    check(r.returncode == 0, f"{pat} computed reference: {r.returncode} {r.stdout} {r.stderr}")
    check(f"frame 42" in r.stdout, f"{pat}: frame not read from the stripe: {r.stdout}")
# The motion pattern of another frame is a different picture.
shot = make("motion-wrong.png", "motion", "42", "320x240")
r = verify("--expect-pattern", "motion", "--frame", "43", "--out", p("out-motion-wrong"), shot)
check(r.returncode == 1, "motion frame 42 must not match frame 43")

# Integer scaling: a 160x120 buffer at scale 2 placed at 8,8 on a 400x300 output.
shot = make("scaled.png", "checker", "3", "160x120", "--scale", "2", "--canvas", "400x300", "--at", "8,8")
args = ["--expect-pattern", "checker", "--expect-size", "160x120", "--expect-at", "8,8"]
r = verify(*args, "--expect-scale", "2", "--out", p("out-scaled"), shot)
check(r.returncode == 0, f"scaled computed reference: {r.stdout} {r.stderr}")
r = verify(*args, "--expect-scale", "1", "--frame", "3", "--out", p("out-scaled-wrong"), shot)
check(r.returncode == 1, "wrong scale must fail")

# --locate: position and scale from the stripe, wherever the window is.
for at, scale in (("37,21", "1"), ("5,90", "3")):
    shot = make(f"located-{scale}.png", "motion", "11", "96x64", "--canvas", "400x300",
                "--at", at, "--scale", scale)
    r = verify("--expect-pattern", "motion", "--expect-size", "96x64", "--locate",
               "--out", p("out-locate"), shot)
    check(r.returncode == 0 and f"at {at} x{scale}" in r.stdout, f"--locate {at} x{scale}: {r.stdout}")
    r = verify("--expect-pattern", "checker", "--expect-size", "96x64", "--locate",
               "--out", p("out-locate-wrong"), shot)
    check(r.returncode == 1, f"--locate with the wrong pattern must fail: {r.stdout}")
blank = make("blank.png", "solid:000000", "0", "96x64", "--canvas", "200x100", "--at", "300,300")
r = verify("--expect-pattern", "motion", "--expect-size", "96x64", "--locate", "--out", p("out-locate-none"), blank)
check(r.returncode == 1 and "no_stripe" in r.stdout, f"--locate without a stripe: {r.stdout}")

# A deliberately wrong colour fails, with a diff PNG and an HTML report showing it.
shot = make("red.png", "solid:ff0000", "1", "160x120")
out = p("out-wrong-colour")
r = verify("--expect-pattern", "solid:00ff00", "--fuzz", "8", "--out", out, shot)
check(r.returncode == 1, f"wrong colour exit {r.returncode}")
res = json.load(open(os.path.join(out, "result.json")))
check(res["pass"] is False and res["shots"][0]["outcome"] == "mismatch", "result.json says mismatch")
check(os.path.exists(os.path.join(out, "red-diff.png")), "diff PNG written")
check(os.path.exists(os.path.join(out, "red.png")), "failing shot kept")
html = open(os.path.join(out, "report.html")).read()
check("red-diff.png" in html and "mismatch" in html and "FAIL" in html, "HTML report shows the diff")

# Reference files: missing -> fail and keep the shot; --update; then pass.
refs = p("refs")
shot = make("smpte-01.png", "smpte", "9", "200x150")
r = verify("--ref-dir", refs, "--out", p("out-missing"), shot)
check(r.returncode == 1 and "no reference" in r.stdout, f"missing reference: {r.returncode} {r.stdout}")
check(os.path.exists(p("out-missing", "smpte-01.png")), "missing reference keeps the shot for review")
r = verify("--ref-dir", refs, "--update", "--out", p("out-update"), shot)
check(r.returncode == 0 and os.path.exists(os.path.join(refs, "smpte-01.png")), "--update writes the reference")
r = verify("--ref-dir", refs, "--out", p("out-same"), shot)
check(r.returncode == 0, "shot equals its reference")

# The report is self-contained: every image it shows is inside its folder
# (the shot and the reference copied into images/), so an archived copy of
# the folder still shows them; the user's shot and reference are untouched.
def report_images(out):
    import re
    html = open(os.path.join(out, "report.html")).read()
    return sorted(set(re.findall(r'(?:src|href)="([^"]+\.png)"', html)))


before = {f: open(f, "rb").read() for f in (shot, os.path.join(refs, "smpte-01.png"))}
out = p("out-same")
srcs = report_images(out)
check(len(srcs) >= 2, f"report shows the shot and the reference: {srcs}")
for src in srcs:
    check(not os.path.isabs(src) and not src.startswith(".."), f"report links outside: {src}")
archive = p("archived-report")
shutil.copytree(out, archive)
for src in srcs:
    check(os.path.exists(os.path.join(archive, src)), f"archived report misses {src}")
r = verify("--ref-dir", refs, "--out", out, shot)  # again: the copies are replaced
check(r.returncode == 0 and report_images(out) == srcs, f"second report: {r.stdout}")
for f, data in before.items():
    check(os.path.exists(f) and open(f, "rb").read() == data, f"{f} was changed")
# A shot already inside the report folder is linked where it is, not copied.
os.makedirs(p("out-inside"), exist_ok=True)
inside = shutil.copy(shot, p("out-inside", "smpte-01.png"))
r = verify("--ref-dir", refs, "--out", p("out-inside"), inside)
check(r.returncode == 0 and "smpte-01.png" in report_images(p("out-inside")),
      f"shot inside the report folder: {report_images(p('out-inside'))}")

# One pixel beyond the fuzz fails; within the fuzz or outside the clip passes.
bumped = make("bumped.png", "smpte", "9", "200x150", "--perturb", "150,100,6")
os.makedirs(p("bumped-dir"))
bumped_shot = p("bumped-dir", "smpte-01.png")
os.rename(bumped, bumped_shot)
out = p("out-bumped")
r = verify("--ref-dir", refs, "--fuzz", "5", "--out", out, bumped_shot)
check(r.returncode == 1 and "1 pixels differ" in r.stdout, f"beyond fuzz: {r.stdout}")
w, h, rows = read_png_rgba(os.path.join(out, "smpte-01-diff.png"))
img = (w, h, rows)
check(pixel(img, 150, 100) == (255, 0, 0), f"diff pixel is red: {pixel(img, 150, 100)}")
check(pixel(img, 10, 10) == (0, 255, 0), "matching pixel is green")
r = verify("--ref-dir", refs, "--fuzz", "6", "--out", p("out-bumped-ok"), bumped_shot)
check(r.returncode == 0, "within fuzz passes")
r = verify("--ref-dir", refs, "--fuzz", "r=-6:0", "--out", p("out-signed"), bumped_shot)
check(r.returncode == 1, "signed fuzz r=-6:0 rejects +6")
out = p("out-clip")
r = verify("--ref-dir", refs, "--clip", "0,0,100,75", "--out", out, bumped_shot)
check(r.returncode == 0, "outside the clip passes")
r = verify("--ref-dir", refs, "--clip", "140,90,20,20", "--out", out, bumped_shot)
check(r.returncode == 1, "inside the clip fails")
img = read_png_rgba(os.path.join(out, "smpte-01-diff.png"))
check(pixel(img, 10, 10) == (0, 0, 0), "outside the clip is black in the diff")
r = verify("--ref-dir", refs, "--max-diff-pixels", "1", "--out", p("out-maxdiff"), bumped_shot)
check(r.returncode == 0, "--max-diff-pixels 1 allows one pixel")

# Frame identity across a capture sequence: drop, repeat, reorder, tear.
seq = [make("c1.png", "motion", "1", "320x120"), make("c2.png", "motion", "2", "320x120"),
       make("c4.png", "motion", "4", "320x120"), make("c4b.png", "motion", "4", "320x120"),
       make("c3.png", "motion", "3", "320x120"),
       make("c5.png", "motion", "5", "320x120", "--tear-with", "6"),
       make("c7.png", "motion", "7", "320x120")]
out = p("out-identity")
stats = p("stats.json")
with open(stats, "w") as f:
    json.dump({"frames": 7, "FpsOutput": 59.9}, f)
r = verify("--identity", "--stats", stats, "--out", out, *seq)
check(r.returncode == 1, f"identity problems fail: {r.stdout}")
ident = json.load(open(os.path.join(out, "result.json")))["identity"]
check((ident["dropped"], ident["repeated"], ident["out_of_order"], ident["torn"]) == (3, 1, 1, 1),
      f"identity counts {ident}")
verdicts = [f["verdict"] for f in ident["frames"]]
check(verdicts == ["ok", "ok", "after_drop", "repeated", "out_of_order", "torn", "after_drop"], f"verdicts {verdicts}")
html = open(os.path.join(out, "report.html")).read()
check("Frame identity" in html and "FpsOutput" in html, "report has identity and stats")
clean = seq[:3]
r = verify("--identity", "--out", p("out-identity-clean"), seq[0], seq[1], seq[2])
check(r.returncode == 0, "drops alone only reported")
r = verify("--identity", "--max-dropped", "0", "--out", p("out-identity-strict"), *clean)
check(r.returncode == 1, "--max-dropped 0 fails on a drop")

# Captures before the client's first frame and after its last (what the demo's
# captures/*.png hold) are skipped with a count; stripeless captures between
# frames still fail, and so does a sequence with no client frame at all.
blank0 = make("blank0.png", "solid:000000", "0", "96x64", "--canvas", "320x120", "--at", "400,400")
out = p("out-identity-ends")
r = verify("--identity", "--out", out, blank0, seq[0], seq[1], blank0)
ident = json.load(open(os.path.join(out, "result.json")))["identity"]
check(r.returncode == 0 and (ident["before_first_frame"], ident["after_last_frame"],
                             ident["no_stripe"]) == (1, 1, 0), f"skipped ends: {r.stdout} {ident}")
check("no client frame yet: 1, none any more: 1" in r.stdout, f"skip counts printed: {r.stdout}")
r = verify("--identity", "--out", p("out-identity-gap"), seq[0], blank0, seq[1])
check(r.returncode == 1 and "no stripe 1" in r.stdout, f"stripeless capture between frames: {r.stdout}")
r = verify("--identity", "--out", p("out-identity-none"), blank0, blank0)
check(r.returncode == 1, f"no client frame at all must fail: {r.stdout}")

# Bad input: one line on stderr, exit 2.
with open(p("garbage.png"), "wb") as f:
    f.write(b"not a png")
small = make("small.png", "smpte", "1", "100x100")
os.makedirs(p("mismatch-refs"))
shutil.copy(make("big.png", "smpte", "1", "120x100"), p("mismatch-refs", "small.png"))
cases = {
    "unreadable": ["--expect-pattern", "smpte", p("garbage.png")],
    "missing file": ["--expect-pattern", "smpte", p("nope.png")],
    "size mismatch": ["--ref-dir", p("mismatch-refs"), small],
    "bad fuzz": ["--expect-pattern", "smpte", "--fuzz", "abc", small],
    "bad clip": ["--expect-pattern", "smpte", "--clip", "1,2,3", small],
    "clip outside": ["--ref", small, "--clip", "500,500,5,5", small],
    "bad pattern": ["--expect-pattern", "plaid", small],
    "nothing to do": [small],
    "unknown flag": ["--frobnicate", small],
    "no shot": ["--identity"],
    "locate without size": ["--expect-pattern", "smpte", "--locate", small],
}
for what, args in cases.items():
    r = verify("--out", p("out-bad"), *args)
    lines = r.stderr.strip().splitlines()
    check(r.returncode == 2 and len(lines) == 1 and lines[0].startswith("zc-verify: "),
          f"{what}: exit {r.returncode} stderr {r.stderr!r}")

print(f"{len(failures)} failure(s)")
sys.exit(1 if failures else 0)
