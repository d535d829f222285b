#!/usr/bin/env python3
"""Judges the x-sriov-lmem artefacts of the emulated guest (guest-lmem-path.sh).

Input: the directory guest-lmem-steps.sh filled (report-{pf,legacy,forged}.txt,
frame-{pf,legacy}.raw, written.raw, stats-{before,after}.txt,
bufinfo-{held,after}.txt), the PF's register BAR (sysfs resource0, or a file
with the same bytes), VF 0's address and BAR 2, and the forged range (inside
VF 1's BAR 2).  The expected DPA comes from the PF's registers, not from the
importer: VF n's slice offset is the 64-bit value at 0x100 + 0x10 * n.
Prints one "NAME<TAB>pass|fail<TAB>DETAIL" line per check; exit 0 when all pass.
"""
import argparse
import mmap
import os
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kernel_report_check import expected_deltas, parse_report, parse_span, parse_stats, read  # noqa: E402
from ppm_to_png import png_bytes  # noqa: E402

CHECKS = ["lmem.pf-read-pixels", "lmem.legacy-read-pixels", "lmem.forged-range-rejected",
          "lmem.counters-bufinfo-agree"]
IMPORTS = ("pf", "legacy", "forged")
MAGIC = 0x4d4d4c5a
EPERM, ERANGE = 1, 34


def vf_slice(regs_path, n):
    """(offset, size) of VF n's slice from the PF's register BAR."""
    with open(regs_path, "rb") as f:
        try:
            regs = mmap.mmap(f.fileno(), 4096, mmap.MAP_SHARED, mmap.PROT_READ)
        except (OSError, ValueError):
            regs = f.read(4096)

        # The registers are 32 bits wide: a wider load reads nothing.
        def reg(off):
            return struct.unpack_from("<I", regs, off)[0]

        if reg(0) != MAGIC:
            raise ValueError(f"{regs_path}: magic {reg(0):#x} is not x-sriov-lmem's {MAGIC:#x}")
        base = 0x100 + 0x10 * n
        return reg(base) | reg(base + 4) << 32, reg(base + 8) | reg(base + 12) << 32


def first_word(value):
    return (value or "").split()[:1]


def raw_to_png(raw, width, height, path):
    """XRGB8888 little-endian rows -> an RGB PNG (what zc-verify reads)."""
    n = width * height
    xrgb = raw[:n * 4]
    rgb = bytearray(n * 3)
    rgb[0::3], rgb[1::3], rgb[2::3] = xrgb[2::4], xrgb[1::4], xrgb[0::4]
    with open(path, "wb") as f:
        f.write(png_bytes(width, height, bytes(rgb)))


def verify_frame(zc_verify, raw, width, height, frame, out_dir):
    """zc-verify: the bytes are frame `frame` of the SMPTE pattern, stripe included."""
    if not zc_verify or not os.access(zc_verify, os.X_OK):
        return False, f"zc-verify not built ({zc_verify or 'no path'})"
    png = os.path.join(out_dir, "frame-pf.png")
    raw_to_png(raw, width, height, png)
    r = subprocess.run([zc_verify, "--expect-pattern", "smpte", "--frame", str(frame),
                        "--expect-size", f"{width}x{height}", "--out", os.path.join(out_dir, "verify"), png],
                       capture_output=True, text=True, check=False)
    last = (r.stdout.strip().splitlines() or r.stderr.strip().splitlines() or [""])[-1]
    return r.returncode == 0, f"zc-verify frame {frame}: {last}"


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--zc-verify", default="")
    ap.add_argument("--frame", type=int, required=True)
    ap.add_argument("--size", required=True, help="WxH of the frame")
    ap.add_argument("dir")
    ap.add_argument("regs")
    ap.add_argument("vf")
    ap.add_argument("bar_start")
    ap.add_argument("bar_end")
    ap.add_argument("forge_start")
    ap.add_argument("forge_len")
    a = ap.parse_args(argv)
    width, height = (int(v) for v in a.size.split("x"))
    bytes_ = width * height * 4
    bar = (int(a.bar_start, 16), int(a.bar_end, 16))
    forge = (int(a.forge_start, 16), int(a.forge_start, 16) + int(a.forge_len, 16) - 1)
    d = a.dir
    verdicts = {}

    def verdict(name, ok, detail):
        verdicts[name] = ("pass" if ok else "fail", detail)

    raw = {n: read(os.path.join(d, f"report-{n}.txt")) for n in IMPORTS}
    reports = {n: parse_report(raw[n]) for n in IMPORTS}
    pf, legacy, forged = (reports[n] for n in IMPORTS)

    def frame_bytes(name):
        try:
            with open(os.path.join(d, name), "rb") as f:
                return f.read()
        except OSError:
            return None

    written = frame_bytes("written.raw")

    # 1. The PF: IOV path, Xe's translation gives DPA = slice offset + offset
    #    into VF 0's BAR, and the bytes read through the PF's BAR are the frame.
    problems = []
    try:
        offset, slice_size = vf_slice(a.regs, 0)
    except (OSError, ValueError, struct.error) as e:
        offset, slice_size = None, None
        problems.append(f"PF registers: {e}")
    if raw["pf"] is None:
        problems.append("no import report")
    else:
        if pf.get("interconnect") != "iov" or pf.get("path") != "iov":
            problems.append(f"interconnect={pf.get('interconnect')} path={pf.get('path')} reason={pf.get('reason')}")
        if pf.get("exporter", "").split() != [a.vf, "bar", "2"]:
            problems.append(f"exporter '{pf.get('exporter')}' is not {a.vf} bar 2")
        want_range = (bar[0], bar[0] + bytes_ - 1)
        spans = [parse_span(x) for x in pf["_ranges"] if x.split()[-1] == "ok"]
        if spans != [want_range]:
            problems.append(f"ranges {pf['_ranges']} != {want_range[0]:#x}-{want_range[1]:#x}")
        dpas = [parse_span(line.split(":", 1)[1]) for line in (raw["pf"] or "").splitlines()
                if line.startswith("dpa:")]
        if offset is not None:
            want_dpa = (offset + want_range[0] - bar[0], offset + want_range[1] - bar[0])
            if first_word(pf.get("lmem_vf")) != ["1"] or f"offset {offset:#x}" not in pf.get("lmem_vf", ""):
                problems.append(f"lmem_vf '{pf.get('lmem_vf')}' is not VF 1 at offset {offset:#x}")
            if dpas != [want_dpa]:
                problems.append(f"DPAs {[f'{x:#x}-{y:#x}' for x, y in dpas]} != {want_dpa[0]:#x}-{want_dpa[1]:#x}")
        if first_word(pf.get("lmem_translate")) != ["ok"] or pf.get("lmem_region_check") != "0":
            problems.append(f"lmem_translate '{pf.get('lmem_translate')}' region check {pf.get('lmem_region_check')}")
        if pf.get("lmem_read") != str(bytes_):
            problems.append(f"lmem_read {pf.get('lmem_read')} != {bytes_}")
    got = frame_bytes("frame-pf.raw")
    if written is None or len(written) != bytes_:
        problems.append(f"written.raw has {None if written is None else len(written)} bytes, not {bytes_}")
    elif got != written:
        problems.append("bytes read through the PF's BAR differ from the frame written into VF 0's BAR"
                        f" ({None if got is None else len(got)} bytes)")
    pixels = ""
    if not problems:
        ok, pixels = verify_frame(a.zc_verify, got, width, height, a.frame, d)
        if not ok:
            problems.append(pixels)
    verdict(CHECKS[0], not problems, "; ".join(problems) or
            f"iov path; Xe's translation: DPA {want_dpa[0]:#x}-{want_dpa[1]:#x} = VF 0 slice offset "
            f"{offset:#x} (PF register) + BAR offset 0; {bytes_} bytes read through the PF's BAR 2 "
            f"equal the written frame; {pixels}")

    # 2. VF 1 (not the PF): no match, the exporter's sg_table map, same bytes.
    problems = []
    if raw["legacy"] is None:
        problems.append("no import report")
    else:
        if not (legacy.get("interconnect") == "none" and legacy.get("path") == "fallback"
                and legacy.get("reason") == "no-match" and legacy.get("fallback_map", "").startswith("ok")):
            problems.append(f"interconnect={legacy.get('interconnect')} path={legacy.get('path')} "
                            f"reason={legacy.get('reason')} fallback_map={legacy.get('fallback_map')}")
        if legacy.get("fallback_read") != str(bytes_):
            problems.append(f"fallback_read {legacy.get('fallback_read')} != {bytes_}")
        if written is None or frame_bytes("frame-legacy.raw") != written:
            problems.append("bytes read through the fallback map differ from the written frame")
    verdict(CHECKS[1], not problems, "; ".join(problems) or
            f"importer {legacy.get('importer')}: no match, fallback_map {legacy.get('fallback_map')}, "
            f"{bytes_} bytes read at its DMA addresses equal the written frame")

    # 3. A range inside VF 1's window offered as VF 0's: the core's window
    #    check (-ERANGE) and Xe's translation (-EPERM: another VF's memory)
    #    both refuse it; the import falls back and keeps no interconnect.
    if raw["forged"] is None:
        verdict(CHECKS[2], False, "no import report")
    else:
        lines = [x for x in forged["_ranges"] if "forged" in x.split()]
        rejected = [x for x in lines if x.split()[-2:] == ["rejected", f"-{ERANGE}"]]
        xe = forged.get("lmem_translate", "")
        ok = (len(rejected) == 1 and parse_span(rejected[0]) == forge
              and xe.split()[:2] == ["error", f"-{EPERM}"]
              and forged.get("path") == "fallback" and forged.get("reason") == "rejected-range"
              and forged.get("attachment_interconnect") == "none" and "lmem_read" not in forged)
        verdict(CHECKS[2], ok, f"forged {forge[0]:#x}-{forge[1]:#x} (VF 1's BAR 2): core {lines or 'no line'}; "
                f"Xe translation '{xe}'; path={forged.get('path')} reason={forged.get('reason')} "
                f"attachment interconnect={forged.get('attachment_interconnect')}")

    # 4. Counters moved as the reports predict; bufinfo listed the buffer and
    #    kept no attachment.
    before = parse_stats(read(os.path.join(d, "stats-before.txt"))).get("iov")
    after = parse_stats(read(os.path.join(d, "stats-after.txt"))).get("iov")
    held, after_text = read(os.path.join(d, "bufinfo-held.txt")), read(os.path.join(d, "bufinfo-after.txt"))
    problems = []
    got_d = None
    if before is None or after is None:
        problems.append("no 'interconnect: iov' block in interconnect_stats")
    else:
        want = expected_deltas([reports[n] for n in IMPORTS if raw[n] is not None])
        got_d = {k: after.get(k, 0) - before.get(k, 0) for k in want}
        if got_d != want:
            problems.append(f"deltas {got_d} != predicted {want}")
    exp_name = pf.get("exp_name", "vfio")
    rows = [line.split() for line in (held or "").splitlines()]
    if not any(len(r) >= 5 and r[0].isdigit() and int(r[0]) == bytes_ and r[4] == exp_name for r in rows):
        problems.append(f"bufinfo did not list a {bytes_}-byte buffer from {exp_name}")
    leaked = [line for line in (after_text or "").splitlines() if "interconnect=" in line]
    totals = [line for line in (after_text or "").splitlines() if line.startswith("Total") and "attached" in line]
    attached = sum(int(t.split()[1]) for t in totals if t.split()[1].isdigit())
    if after_text is None or leaked or attached:
        problems.append(f"attachments after the imports: {attached} {leaked}")
    verdict(CHECKS[3], not problems, "; ".join(problems) or
            f"deltas {got_d}; bufinfo listed the {bytes_}-byte buffer from {exp_name}, no attachment left")

    for name in CHECKS:
        status, detail = verdicts[name]
        print(f"{name}\t{status}\t{detail}")
    return 0 if all(v[0] == "pass" for v in verdicts.values()) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
