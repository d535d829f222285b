#!/usr/bin/env python3
"""Judges the chain's artefacts (vm/chain/guest-chain.sh), inside the outer VM.

Input: the directory the inner machine (inner_machine.py), the consumer
(dmabuf_from_qemu.py + guest-chain-steps.sh) and guest-chain.sh filled, the
PF's register BAR (sysfs resource0), VF 0's address and BAR 2, and the forged
range (inside VF 1's BAR 2).  Prints one "NAME<TAB>pass|fail<TAB>DETAIL" line
per check of vm/chain/checks.txt after chain.outer-vf-iommu; exit 0 when all
pass.
"""
import argparse
import json
import os
import re
import subprocess
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "emulated"))
from kernel_report_check import expected_deltas, parse_report, parse_span, parse_stats, read  # noqa: E402
from lmem_report_check import first_word, verify_frame, vf_slice  # noqa: E402
from ppm_to_png import png_bytes, read_ppm  # noqa: E402

CHECKS = ["chain.inner-topology", "chain.blob-scanout", "chain.qemu-vfio-dmabuf",
          "chain.screendump-pixels", "chain.pf-read-pixels", "chain.forged-range-rejected",
          "chain.legacy-fallback-counted", "chain.counters-agree", "chain.shutdown-revokes",
          "chain.stage-timings"]
EPERM, ERANGE = 1, 34
ROOT_PORT, UPSTREAM, DOWNSTREAM = "8086:3420", "104c:8232", "104c:8233"
VF_ID, GPU_ID = "1b36:00f1", "1af4:1050"
VIRTIO_GPU_F_RESOURCE_BLOB = 3
MSG_BYTES = 48  # the scanout socket's message (dmabuf_from_qemu.py, qemu/ patch 9)
CONSUMER_RE = re.compile(
    r"dmabuf_from_qemu: socket \S+: magic (?P<magic>0x[0-9a-f]+) version (?P<version>\d+) "
    r"scanout (?P<scanout>\d+) resource (?P<resource>\d+) (?P<width>\d+)x(?P<height>\d+) "
    r"stride (?P<stride>\d+) offset (?P<offset>\d+) fourcc (?P<fourcc>\S+) size (?P<size>\d+); "
    r"fd \d+: exp_name (?P<exp_name>\S+), (?P<bytes>\d+) bytes, inode (?P<inode>\d+); "
    r"QEMU \(pid \d+\) holds it as fd (?P<held>[\d,]+)")


def inner_report(text):
    """inner-report.txt -> {key: value} (first value) plus '_all' {key: [values]}."""
    rep, every = {}, {}
    for line in (text or "").splitlines():
        key, sep, value = line.partition(": ")
        if sep:
            rep.setdefault(key, value)
            every.setdefault(key, []).append(value)
    rep["_all"] = every
    return rep


def path_ids(path):
    """'00:01.0 8086:3420 -> ...' -> [(bdf, id), ...]"""
    return [tuple(hop.split()) for hop in (path or "").split(" -> ") if hop.strip()]


def hold_state(text):
    return {k.strip(): v.strip() for k, _, v in
            (line.partition(":") for line in (text or "").splitlines()) if k}


def bufinfo_rows(text):
    return [line.split() for line in (text or "").splitlines()]


def lists_buffer(text, size, exp_name):
    return any(len(r) >= 5 and r[0].isdigit() and int(r[0]) == size and r[4] == exp_name
               for r in bufinfo_rows(text))


def check_scanout_socket(consumer, qemu_log, width, height, nbytes):
    """(problems, detail): the consumer's dma-buf came from QEMU's scanout
    socket with a header that is the scanout (size, stride, XRGB8888), is a
    vfio dma-buf of the frame's size, and is the one QEMU created for the
    blob (the fd its trace names holds the same inode)."""
    m = CONSUMER_RE.search(consumer)
    if not m:
        first = (consumer.strip().splitlines() or ["(empty)"])[0][:200]
        return [f"the consumer got no dma-buf from QEMU's scanout socket: '{first}'"], ""
    g = m.groupdict()
    problems = []
    want = {"width": width, "height": height, "stride": width * 4, "offset": 0, "size": nbytes,
            "bytes": nbytes}
    for key, value in want.items():
        if int(g[key]) != value:
            problems.append(f"socket header {key} {g[key]} != {value}")
    if g["fourcc"] != "XR24":
        problems.append(f"socket header fourcc {g['fourcc']} is not XR24 (XRGB8888)")
    if "vfio" not in g["exp_name"]:
        problems.append(f"the received dma-buf's exporter is {g['exp_name']}, not vfio-pci")
    exported = re.findall(r"virtio_gpu_vfio_dmabuf res 0x([0-9a-f]+), \d+ ranges, dma-buf fd (\d+)", qemu_log)
    sent = re.findall(r"virtio_gpu_scanout_dmabuf_send scanout (\d+), res 0x([0-9a-f]+), "
                      r"dma-buf fd (\d+): (-?\d+)", qemu_log)
    held = g["held"].split(",")
    if not exported or exported[-1][1] not in held:
        problems.append(f"QEMU holds the received dma-buf as fd {g['held']}, not as the fd its trace "
                        f"gave the blob ({exported[-1][1] if exported else 'no virtio_gpu_vfio_dmabuf trace'})")
    ok_sent = [x for x in sent if x[3] == str(MSG_BYTES)]
    if not ok_sent or (exported and ok_sent[-1][2] != exported[-1][1]):
        problems.append(f"QEMU's trace has no {MSG_BYTES}-byte virtio_gpu_scanout_dmabuf_send of the blob's "
                        f"dma-buf (sends: {sent or 'none'})")
    detail = (f"the fd left QEMU through virtio-gpu's scanout socket (x-scanout-dmabuf-chardev; trace "
              f"virtio_gpu_scanout_dmabuf_send scanout {g['scanout']} res 0x{int(g['resource']):x}: "
              f"{MSG_BYTES} bytes): header {g['width']}x{g['height']} stride {g['stride']} {g['fourcc']} "
              f"{g['size']} bytes = the scanout; {g['exp_name']} dma-buf, inode {g['inode']} (bufinfo's) = QEMU's "
              f"fd {g['held']}, the blob's fd in its trace")
    return problems, detail


def check_screendump(zc_verify, ppm_path, frame, width, height, out_dir):
    """The screendump (PPM) is frame FRAME of the SMPTE pattern (zc-verify)."""
    try:
        with open(ppm_path, "rb") as f:
            w, h, rgb = read_ppm(f.read())
    except (OSError, ValueError) as e:
        return False, f"screendump: {e}"
    if (w, h) != (width, height):
        return False, f"screendump is {w}x{h}, the scanout is {width}x{height}"
    png = os.path.join(out_dir, "screendump.png")
    with open(png, "wb") as f:
        f.write(png_bytes(w, h, rgb))
    if not zc_verify or not os.access(zc_verify, os.X_OK):
        return False, f"zc-verify not built ({zc_verify or 'no path'})"
    r = subprocess.run([zc_verify, "--expect-pattern", "smpte", "--frame", str(frame),
                        "--expect-size", f"{width}x{height}", "--out",
                        os.path.join(out_dir, "verify-screendump"), png],
                       capture_output=True, text=True, check=False)
    last = (r.stdout.strip().splitlines() or r.stderr.strip().splitlines() or [""])[-1]
    return r.returncode == 0, f"zc-verify frame {frame}: {last}"


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--zc-verify", default="")
    ap.add_argument("--frame", type=int, required=True)
    ap.add_argument("--size", required=True)
    ap.add_argument("--blob-offset", type=lambda s: int(s, 0), required=True)
    ap.add_argument("dir")
    ap.add_argument("regs")
    ap.add_argument("vf")
    ap.add_argument("bar_start")
    ap.add_argument("bar_end")
    ap.add_argument("forge_start")
    ap.add_argument("forge_len")
    a = ap.parse_args(argv)
    width, height = (int(v) for v in a.size.split("x"))
    nbytes = width * height * 4
    bar = (int(a.bar_start, 16), int(a.bar_end, 16))
    forge = (int(a.forge_start, 16), int(a.forge_start, 16) + int(a.forge_len, 16) - 1)
    d = a.dir
    verdicts = {}

    def verdict(name, problems, detail):
        verdicts[name] = ("fail" if problems else "pass", "; ".join(problems) or detail)

    inner = inner_report(read(os.path.join(d, "inner-report.txt")))
    cmdline = read(os.path.join(d, "inner-cmdline.txt")) or ""
    qemu_log = read(os.path.join(d, "inner-qemu.log")) or ""
    consumer = read(os.path.join(d, "consumer.log")) or ""
    stopped = f" (inner machine stopped: {inner['error']})" if "error" in inner else ""
    # qtest: inner_machine.py drove QEMU; guest: a real guest kernel did
    # (inner_guest.py), and some values are what the guest could observe.
    guest = inner.get("inner_machine", "").startswith("guest")

    # 1. The inner machine: the seed's topology, blob negotiated.
    problems = []
    vf_path, gpu_path = path_ids(inner.get("vf_path")), path_ids(inner.get("gpu_path"))
    if [i for _, i in vf_path] != [ROOT_PORT, UPSTREAM, DOWNSTREAM, VF_ID]:
        problems.append(f"VF path '{inner.get('vf_path')}' is not root port -> upstream -> downstream -> VF")
    if [i for _, i in gpu_path] != [ROOT_PORT, UPSTREAM, DOWNSTREAM, GPU_ID]:
        problems.append(f"virtio-gpu path '{inner.get('gpu_path')}' is not root port -> upstream -> downstream -> gpu")
    elif vf_path and vf_path[:2] != gpu_path[:2] or vf_path[2:3] == gpu_path[2:3]:
        problems.append("VF and virtio-gpu are not on two downstream ports of one switch")
    m = re.search(r"accepted (0x[0-9a-f]+)", inner.get("virtio_features", ""))
    if not m or not int(m.group(1), 16) >> VIRTIO_GPU_F_RESOURCE_BLOB & 1:
        problems.append(f"VIRTIO_GPU_F_RESOURCE_BLOB not negotiated ({inner.get('virtio_features')})")
    accel = ("-accel tcg", "-kernel") if guest else ("-accel qtest",)
    for want in (*accel, "memory-backend-memfd,id=mem", "share=on", "vfio-pci,host=" + a.vf,
                 "virtio-gpu-pci,blob=true"):
        if want not in " ".join(t for t in cmdline.split() if t != "\\"):
            problems.append(f"inner command line lacks '{want}'")
    verdict(CHECKS[0], problems + ([stopped] if stopped and not inner.get("virtio_features") else []),
            f"{'a guest kernel under nested TCG (' + inner.get('kernel', '?') + ')' if guest else '-accel qtest (no guest CPU)'}"
            f", memfd share=on; VF {vf_path[-1][0] if vf_path else '?'} and "
            f"virtio-gpu {gpu_path[-1][0] if gpu_path else '?'} on two xio3130 ports below x3130 and a root "
            f"port; {inner.get('virtio_features')}")

    # 2. The blob: frame written into the VF's BAR and read back there, blob
    #    over those guest-physical addresses, scanout and flush accepted.
    problems = []
    m = re.match(r"(0x[0-9a-f]+)\+(0x[0-9a-f]+)", inner.get("vf_bar2", ""))
    inner_bar = (int(m.group(1), 16), int(m.group(2), 16)) if m else None
    entries = [tuple(int(v, 16) for v in e.split("+")) for e in inner.get("blob_entries", "").split()]
    if inner.get("frame_readback") != "equal":
        problems.append(f"frame read back through the inner VF BAR: {inner.get('frame_readback')}")
    if not entries or inner_bar is None:
        problems.append("no blob entries or no VF BAR 2 in the inner report")
    else:
        if entries[0][0] != inner_bar[0] + a.blob_offset or sum(n for _, n in entries) != nbytes:
            problems.append(f"entries {inner.get('blob_entries')} do not cover the frame at BAR2 + {a.blob_offset:#x}")
        if any(x < inner_bar[0] or x + n > inner_bar[0] + inner_bar[1] for x, n in entries):
            problems.append("an entry lies outside the VF's BAR 2")
    for step in ("blob_create", "set_scanout_blob", "resource_flush"):
        if inner.get(step) != "OK_NODATA":
            problems.append(f"{step}: {inner.get(step, 'not reached')}")
    if guest:
        detail = (f"zc-inner-scanout drew the frame through zcd-vf-lmem's dma-buf ({inner.get('vf_dmabuf')}) "
                  f"at inner GPA {entries[0][0]:#x} (VF BAR 2 {inner.get('vf_bar2')} + {a.blob_offset:#x}), "
                  f"read back equal; the VF driver saw {inner.get('vf_driver_saw')}; drm/virtio's PRIME import "
                  f"sent RESOURCE_CREATE_BLOB (GUEST, {len(entries)} entries = the driver's map), "
                  f"drmModeSetCrtc SET_SCANOUT_BLOB, drmModeDirtyFB RESOURCE_FLUSH: OK_NODATA (QEMU traced "
                  f"each, no error response in the guest's log)" if entries else "")
    else:
        detail = (f"frame at inner GPA {entries[0][0]:#x} (VF BAR 2 {inner.get('vf_bar2')} + {a.blob_offset:#x}), "
                  f"read back equal; RESOURCE_CREATE_BLOB (GUEST, {len(entries)} entries), SET_SCANOUT_BLOB, "
                  f"RESOURCE_FLUSH: OK_NODATA" if entries else "")
    verdict(CHECKS[1], problems + ([stopped] if stopped and problems else []), detail)

    # 3. QEMU's half: vfio exported exactly the blob's ranges of VF 0's BAR 2.
    raw = {n: read(os.path.join(d, f"report-{n}.txt")) for n in ("pf", "legacy", "forged")}
    reports = {n: parse_report(t) for n, t in raw.items()}
    pf = reports["pf"]
    problems = []
    traced = [line.strip() for line in qemu_log.splitlines() if "virtio_gpu_vfio_dmabuf" in line
              or "vfio_device_create_dmabuf_fd" in line]
    if not any("virtio_gpu_vfio_dmabuf" in t for t in traced):
        problems.append("QEMU's log has no virtio_gpu_vfio_dmabuf trace (blob not exported through vfio; "
                        f"its last line: '{(qemu_log.strip().splitlines() or [''])[-1][:160]}')")
    socket_problems, socket_detail = check_scanout_socket(consumer, qemu_log, width, height, nbytes)
    problems += socket_problems
    m = CONSUMER_RE.search(consumer)
    exp_name = pf.get("exp_name", m.group("exp_name") if m else "?")
    held_info = read(os.path.join(d, "bufinfo-held.txt"))
    if not lists_buffer(held_info, nbytes, exp_name):
        problems.append(f"bufinfo did not list a {nbytes}-byte buffer from {exp_name}")
    elif m and not any(len(r) >= 6 and r[0].isdigit() and int(r[0]) == nbytes and r[4] == exp_name
                       and r[5].isdigit() and int(r[5]) == int(m.group("inode"))
                       for r in bufinfo_rows(held_info)):
        problems.append(f"bufinfo lists no {nbytes}-byte {exp_name} buffer of inode {m.group('inode')} "
                        "(the received dma-buf)")
    want_range = (bar[0] + a.blob_offset, bar[0] + a.blob_offset + nbytes - 1)
    spans = [parse_span(x) for x in pf["_ranges"] if x.split()[-1] == "ok"]
    if raw["pf"] is None:
        problems.append("no PF import report")
    else:
        if pf.get("exporter", "").split() != [a.vf, "bar", "2"]:
            problems.append(f"exporter '{pf.get('exporter')}' is not {a.vf} bar 2")
        if spans != [want_range] or pf.get("ranges") != "1":
            problems.append(f"the dma-buf's ranges {pf['_ranges']} are not exactly "
                            f"{want_range[0]:#x}-{want_range[1]:#x}")
    verdict(CHECKS[2], problems,
            f"{'; '.join(traced[-2:])}; QEMU held a {exp_name} dma-buf of {nbytes} bytes (bufinfo); its one "
            f"range {want_range[0]:#x}-{want_range[1]:#x} = VF 0 {a.vf} BAR 2 + {a.blob_offset:#x}; "
            f"{socket_detail}")

    # 4. QEMU's screendump of the scanout is the frame.
    shot = inner.get("screendump")
    if not shot:
        verdict(CHECKS[3], [f"no screendump{stopped}"], "")
    else:
        ok, text = check_screendump(a.zc_verify, shot, a.frame, width, height, d)
        verdict(CHECKS[3], [] if ok else [text], f"QMP screendump {width}x{height}: {text}")

    # 5. The PF's import: IOV path, DPAs, bytes read through the PF's BAR.
    problems = []
    with open(os.path.join(d, "written.raw"), "rb") as f:
        written = f.read()
    try:
        offset, _ = vf_slice(a.regs, 0)
    except (OSError, ValueError) as e:
        offset = None
        problems.append(f"PF registers: {e}")
    dpas = [parse_span(line.split(":", 1)[1]) for line in (raw["pf"] or "").splitlines()
            if line.startswith("dpa:")]
    want_dpa = None
    if raw["pf"] is None:
        problems.append("no PF import report")
    else:
        if pf.get("interconnect") != "iov" or pf.get("path") != "iov":
            problems.append(f"interconnect={pf.get('interconnect')} path={pf.get('path')} reason={pf.get('reason')}")
        if offset is not None:
            want_dpa = (offset + a.blob_offset, offset + a.blob_offset + nbytes - 1)
            if dpas != [want_dpa]:
                problems.append(f"DPAs {[f'{x:#x}-{y:#x}' for x, y in dpas]} != {want_dpa[0]:#x}-{want_dpa[1]:#x}")
        if first_word(pf.get("lmem_translate")) != ["ok"] or pf.get("lmem_region_check") != "0":
            problems.append(f"lmem_translate '{pf.get('lmem_translate')}' region check {pf.get('lmem_region_check')}")
        if pf.get("lmem_read") != str(nbytes):
            problems.append(f"lmem_read {pf.get('lmem_read')} != {nbytes}")
    try:
        with open(os.path.join(d, "frame-pf.raw"), "rb") as f:
            got = f.read()
    except OSError:
        got = None
    if got != written:
        problems.append(f"the bytes read through the PF's BAR ({None if got is None else len(got)}) are not "
                        "the frame the inner machine wrote")
    pixels = ""
    if not problems:
        ok, pixels = verify_frame(a.zc_verify, got, width, height, a.frame, d)
        if not ok:
            problems.append(pixels)
    verdict(CHECKS[4], problems,
            f"iov path; Xe's translation: DPA {want_dpa[0]:#x}-{want_dpa[1]:#x} = VF 0 slice offset "
            f"{offset:#x} + blob offset {a.blob_offset:#x}; {nbytes} bytes read through the PF's BAR 2 equal "
            f"the inner machine's frame; {pixels}" if want_dpa else "")

    # 6. A range inside VF 1's window offered with VF 0's buffer is refused.
    forged = reports["forged"]
    if raw["forged"] is None:
        verdict(CHECKS[5], ["no import report"], "")
    else:
        lines = [x for x in forged["_ranges"] if "forged" in x.split()]
        rejected = [x for x in lines if x.split()[-2:] == ["rejected", f"-{ERANGE}"]]
        xe = forged.get("lmem_translate", "")
        ok = (len(rejected) == 1 and parse_span(rejected[0]) == forge
              and xe.split()[:2] == ["error", f"-{EPERM}"]
              and forged.get("path") == "fallback" and forged.get("reason") == "rejected-range"
              and forged.get("attachment_interconnect") == "none" and "lmem_read" not in forged)
        verdict(CHECKS[5], [] if ok else ["not refused as expected"],
                f"forged {forge[0]:#x}-{forge[1]:#x} (VF 1's BAR 2) with QEMU's dma-buf: core {lines}; "
                f"Xe translation '{xe}'; path={forged.get('path')} reason={forged.get('reason')}")
        if not ok:
            verdicts[CHECKS[5]] = ("fail", f"forged {forge[0]:#x}-{forge[1]:#x}: core {lines}; Xe '{xe}'; "
                                   f"path={forged.get('path')} reason={forged.get('reason')} "
                                   f"attachment={forged.get('attachment_interconnect')}")

    # 7. No interconnect (VF 1 is not the exporter's PF): the legacy path is
    #    taken and counted.  Behind the IOMMU p2pdma may refuse the map itself;
    #    the detail says which.
    legacy = reports["legacy"]
    ok = (raw["legacy"] is not None and legacy.get("interconnect") == "none"
          and legacy.get("path") == "fallback" and legacy.get("reason") == "no-match"
          and "fallback_map" in legacy)
    verdict(CHECKS[6], [] if ok else [f"interconnect={legacy.get('interconnect')} path={legacy.get('path')} "
                                      f"reason={legacy.get('reason')} fallback_map={legacy.get('fallback_map')}"],
            f"importer {legacy.get('importer')}: no match, legacy map_dma_buf: {legacy.get('fallback_map')}, "
            f"read: {legacy.get('fallback_read', 'none')} (counted: see chain.counters-agree)")

    # 8. Counters: what the three reports predict.  The PF's import is held:
    #    its match (counted at detach, kernel_report_check.expected_deltas)
    #    and its unmap are counted once the importer lets go.
    problems = []
    before = parse_stats(read(os.path.join(d, "stats-before.txt"))).get("iov")
    after = parse_stats(read(os.path.join(d, "stats-after.txt"))).get("iov")
    released = parse_stats(read(os.path.join(d, "stats-released.txt"))).get("iov")
    got_d = None
    if before is None or after is None or released is None:
        problems.append("no 'interconnect: iov' block in interconnect_stats (before/after/released)")
    else:
        want = expected_deltas([reports[n] for n in ("forged", "legacy", "pf") if raw[n] is not None])
        held_unmap = dict(want, unmaps=want["unmaps"] - 1, matches=want["matches"] - 1)
        got_d = {k: after.get(k, 0) - before.get(k, 0) for k in want}
        rel_d = {k: released.get(k, 0) - before.get(k, 0) for k in want}
        if got_d != held_unmap:
            problems.append(f"while held: deltas {got_d} != predicted {held_unmap}")
        if rel_d != want:
            problems.append(f"after release: deltas {rel_d} != predicted {want}")
    verdict(CHECKS[7], problems, f"deltas while the PF holds its mapping {got_d}; after release matches +1, "
            "unmaps +1")

    # 9. The inner machine's shutdown revokes the dma-buf; the importer lets go.
    problems = []
    up = hold_state(read(os.path.join(d, "hold-while-up.txt")))
    down = hold_state(read(os.path.join(d, "hold-after-shutdown.txt")))
    if up.get("held") != "1" or up.get("revoked") != "0":
        problems.append(f"while the machine ran: {up}")
    if down.get("held") != "1" or down.get("revoked") != "1":
        problems.append(f"after QEMU exited: {down} (want held 1, revoked 1)")
    if inner.get("qemu_exit") != "0":
        problems.append(f"QEMU exit status {inner.get('qemu_exit')}")
    rel = read(os.path.join(d, "bufinfo-released.txt"))
    if rel is None or lists_buffer(rel, nbytes, exp_name) or "interconnect=" in rel:
        problems.append(f"after release bufinfo still lists the {nbytes}-byte {exp_name} buffer or an attachment")
    verdict(CHECKS[8], problems, f"held while up {up}; after QEMU quit {down}; after release bufinfo "
            f"lists neither the buffer nor an attachment")

    # 10. Stage times, CLOCK_MONOTONIC, and QEMU's own from its trace.
    stamps = {}
    for line in qemu_log.splitlines():
        m = re.match(r"\d+@(\d+)\.(\d{6}):(\w+)", line)
        if m:
            stamps.setdefault(m.group(3), int(m.group(1)) * 1e6 + int(m.group(2)))
    export = None
    if "virtio_gpu_cmd_res_create_blob" in stamps and "vfio_device_create_dmabuf_fd" in stamps:
        export = f"{(stamps['vfio_device_create_dmabuf_fd'] - stamps['virtio_gpu_cmd_res_create_blob']) / 1000:.3f}"
    # (stable key, label, value): the key names the stage in timings.json,
    # the bench's chain rows (bench/harness/chain_rows.py) and
    # docs/performance.md; the label says what was timed in this mode.
    pf_ms = (read(os.path.join(d, "ms-import-pf.txt")) or "").strip() or None
    stages = [
        ("blob_create_ms", "blob create (guest: PRIME import: attach, pin, map, CREATE_BLOB queued)" if guest
         else "blob create (notify to used, QEMU's vfio export inside)", inner.get("ms_blob_create")),
        ("qemu_blob_to_dmabuf_ms", "QEMU: blob command to vfio dma-buf (trace times, gettimeofday)", export),
        ("set_scanout_ms", "set scanout blob (guest: drmModeSetCrtc)" if guest else "set scanout blob",
         inner.get("ms_set_scanout_blob")),
        ("flush_ms", "flush (guest: drmModeDirtyFB)" if guest else "flush", inner.get("ms_resource_flush")),
        ("interconnect_map_ms", "interconnect map (importer map_ns)",
         f"{int(pf['map_ns']) / 1e6:.3f}" if pf.get("map_ns", "").isdigit() else None),
        ("pf_import_first_read_ms", "PF import with the first read of the frame (attach, map, translate, read)",
         pf_ms),
        ("frame_write_ms", "frame write through the VF dma-buf's mmap (guest)" if guest else
         "frame write through the VF BAR (qtest)", inner.get("ms_frame_write")),
        ("screendump_ms", "screendump", inner.get("ms_screendump")),
    ]
    if guest:
        stages.append(("inner_boot_to_scanout_s", "inner guest: QEMU start to the scanout (s)",
                       inner.get("s_boot_to_scanout")))
    missing = [label for _, label, v in stages if v is None]
    with open(os.path.join(d, "timings.tsv"), "w", encoding="utf-8") as f:
        for _, label, v in stages:
            f.write(f"{label}\t{v}\n")
    with open(os.path.join(d, "timings.json"), "w", encoding="utf-8") as f:
        json.dump({"inner": "guest" if guest else "qtest", "clock": "CLOCK_MONOTONIC (QEMU's own: gettimeofday)",
                   "stages": {key: {"label": label, "value": None if v is None else float(v)}
                              for key, label, v in stages}}, f, indent=1)
        f.write("\n")
    verdict(CHECKS[9], [f"no time for: {', '.join(missing)}"] if missing else [],
            "ms: " + ", ".join(f"{label} {v}" for _, label, v in stages))

    for name in CHECKS:
        status, detail = verdicts[name]
        print(f"{name}\t{status}\t{detail}")
    return 0 if all(v[0] == "pass" for v in verdicts.values()) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
