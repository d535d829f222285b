"""The chain's inner machine as a real guest (inner_machine.py --inner guest).

The series' kernel boots under nested TCG in the seed's topology (the same
PCIe switch, the VF through vfio-pci and virtio-gpu-pci blob=true on its two
downstream ports, memfd RAM) with its root over 9p (the outer VM's root) and
vm/chain/inner-init.sh as PID 1.  That loads the VF's test driver
(vm/chain/vf-lmem, exporting dma-bufs over the VF's memory BAR) and runs
zc-inner-scanout: the frame drawn into a VF dma-buf, PRIME-imported into
virtio-gpu (drm/virtio sends RESOURCE_CREATE_BLOB with the BAR's guest
addresses), scanned out with KMS.  The guest reports on its serial console
("zcd-inner: KEY: VALUE"); this module waits for "ready", takes QEMU's
screendump, runs the outer side's consumer and stops the machine.

The report keys match the qtest driver's where the meaning is the same, so
chain_report_check.py judges both; where the guest can only observe
something indirectly the value says how (e.g. a command's answer is known
from the absence of drm/virtio's error line plus QEMU's trace of it).
"""
import os
import re
import subprocess
import time

from inner_qemu import qmp, quit_qemu, seed_machine_args, trace_args

CONSOLE_PREFIX = "zcd-inner: "


def qemu_args(a, qmp_sock, console, scanout_sock=None):
    """The inner guest's QEMU command line: the seed's topology, a kernel."""
    w, h = a.size
    append = " ".join([
        "console=ttyS0", "quiet", "panic=-1", "tsc=unstable",
        # under nested TCG the IO-APIC timer check misjudges the 8254 ("MP-BIOS
        # bug: 8254 timer not connected") and an early interrupt trips KASAN
        "no_timer_check",
        # the debug kernel's leak scanner costs boot time and is judged by
        # the main emulated VM, not here
        "kmemleak=off",
        "root=/dev/root", "rootfstype=9p", "rootflags=trans=virtio,version=9p2000.L,msize=262144", "ro",
        f"init={a.init}", f"zcd.ko={a.vf_ko}", f"zcd.bin={a.bin}", f"zcd.size={w}x{h}",
        f"zcd.frame={a.frame}", f"zcd.offset={a.blob_offset:#x}"])
    # la57=off: 7.3's identify_cpu() clears the boot CPU's capability words
    # and refills them; an interrupt in that window sees LA57 off while the
    # kernel runs 5-level page tables, and KASAN reports its per-CPU reads
    # as wild accesses.  Nested TCG is slow enough to land one there.
    accel = ["-accel", "tcg", "-cpu", "max,la57=off", "-smp", "1"]
    vf = ["-device", f"vfio-pci,host={a.vf},bus=downstream1"]
    return [*seed_machine_args(a, accel, vf, scanout_sock=scanout_sock),
            # the guest's root: the outer VM's (read-only), beside the topology
            "-fsdev", "local,id=innerroot,path=/,security_model=none,readonly=on,multidevs=remap",
            "-device", "virtio-9p-pci,fsdev=innerroot,mount_tag=/dev/root,bus=pcie.0",
            "-kernel", a.kernel, "-append", append,
            "-serial", f"file:{console}",
            "-qmp", f"unix:{qmp_sock},server=on,wait=off",
            *trace_args(a.trace)]


def console_lines(path):
    """The guest's "zcd-inner: KEY: VALUE" lines, as (key, value), in order."""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
    except OSError:
        return []
    out = []
    for line in text.splitlines():
        line = line.rstrip("\r")
        i = line.find(CONSOLE_PREFIX)
        if i < 0:
            continue
        key, sep, value = line[i + len(CONSOLE_PREFIX):].partition(": ")
        if sep:
            out.append((key, value))
    return out


def wait_for(console, proc, keys, deadline):
    """Until one of KEYS shows on the console, QEMU exits or DEADLINE
    (monotonic seconds) passes.  Returns the key seen, 'exit' or 'timeout'."""
    while True:
        seen = {k for k, _ in console_lines(console)}
        for k in keys:
            if k in seen:
                return k
        if proc.poll() is not None:
            return "exit"
        if time.monotonic() > deadline:
            return "timeout"
        time.sleep(1)


MAP_ENTRY = re.compile(r"zcd-vf-lmem: map entry \d+: dma (0x[0-9a-f]+) len (0x[0-9a-f]+)")


def guest_report(lines):
    """What the console says, as report entries [(key, value)] in the qtest
    driver's vocabulary (chain_report_check.py)."""
    kv = {}
    for k, v in lines:
        kv.setdefault(k, v)
    dmesg = [v for k, v in lines if k == "dmesg"]
    out = [(k, v) for k, v in lines if k not in ("dmesg", "ready", "driver_report")]
    entries = []
    for d in dmesg:
        m = MAP_ENTRY.search(d)
        if m:
            entries.append((int(m.group(1), 16), int(m.group(2), 16)))
    if entries:
        out.append(("blob_entries", " ".join(f"{x:#x}+{n:#x}" for x, n in entries)))
    steps = [s for s in ("pin", "map entry", "unpin", "unmap") if any(f"zcd-vf-lmem: {s}" in d for d in dmesg)]
    out.append(("vf_driver_saw", ", ".join(steps) or "nothing"))
    errors = [d for d in dmesg if re.search(r"response 0x[0-9a-f]+ \(command", d)]
    out.append(("virtio_gpu_errors", "; ".join(errors) or "none"))
    return out, entries, errors


def answered(traced, event, errors, done_key, kv):
    """A command's answer as the guest can know it: drm/virtio logs an error
    line for every error response; none, the guest's call returned, and QEMU
    traced the command means OK_NODATA (its only other answer)."""
    if done_key not in kv:
        return f"not reached ({done_key} missing)"
    if event not in traced:
        return f"QEMU did not trace {event}"
    if errors:
        return "error response: " + "; ".join(errors)
    return "OK_NODATA"


def run(a, rep, qemu_log, sock_dir):
    """Boot, wait for the scanout, screendump, consumer (--then), stop."""
    console = os.path.join(a.out, "inner-console.log")
    qmp_sock = os.path.join(sock_dir, "qmp.sock")
    scanout_sock = os.path.join(sock_dir, "scanout.sock") if a.scanout_socket else None
    args = qemu_args(a, qmp_sock, console, scanout_sock)
    with open(os.path.join(a.out, "inner-cmdline.txt"), "w", encoding="utf-8") as f:
        f.write(" \\\n    ".join(subprocess.list2cmdline([x]) for x in args) + "\n")
    t0 = time.monotonic()
    proc = subprocess.Popen(args, stdout=qemu_log, stderr=qemu_log)
    rep.put("qemu_pid", proc.pid)
    try:
        seen = wait_for(console, proc, ("init_uptime_s", "error"), t0 + a.boot_timeout)
        rep.put("s_boot_to_init", f"{time.monotonic() - t0:.1f}")
        if seen in ("exit", "timeout", "error"):
            raise RuntimeError(f"the inner guest did not reach its init ({seen}; "
                               f"see inner-console.log)")
        seen = wait_for(console, proc, ("driver_report", "error"), t0 + a.boot_timeout)
        rep.put("s_boot_to_scanout", f"{time.monotonic() - t0:.1f}")
        lines = console_lines(console)
        kv = dict(reversed(lines))
        report, _, errors = guest_report(lines)
        for k, v in report:
            rep.put(k, v)
        if seen != "driver_report":
            raise RuntimeError(f"the inner guest did not scan out: {kv.get('error', seen)}")
        traced = {m.group(1) for m in re.finditer(r"\d+@\d+\.\d+:(\w+)", _read(a.out, "inner-qemu.log"))}
        rep.put("blob_create", answered(traced, "virtio_gpu_cmd_res_create_blob", errors, "ms_prime_import", kv))
        rep.put("ms_blob_create", kv.get("ms_prime_import", "none"))
        rep.put("set_scanout_blob", answered(traced, "virtio_gpu_cmd_set_scanout_blob", errors, "ms_set_crtc", kv))
        rep.put("ms_set_scanout_blob", kv.get("ms_set_crtc", "none"))
        rep.put("resource_flush", answered(traced, "virtio_gpu_cmd_res_flush", errors, "ms_dirty_fb", kv))
        rep.put("ms_resource_flush", kv.get("ms_dirty_fb", "none"))

        t = time.monotonic()
        shot = os.path.join(a.out, "screendump.ppm")
        qmp(qmp_sock, "screendump", {"filename": shot, "format": "ppm"})
        rep.put("ms_screendump", f"{(time.monotonic() - t) * 1000:.1f}")
        rep.put("screendump", shot)

        if a.then:
            env = dict(os.environ, CHAIN_QEMU_PID=str(proc.pid), CHAIN_SCANOUT_SOCK=scanout_sock or "")
            t = time.monotonic()
            r = subprocess.run(a.then, shell=True, env=env, check=False)
            rep.put("then_status", r.returncode)
            rep.put("ms_then", f"{(time.monotonic() - t) * 1000:.1f}")
    finally:
        rep.put("qemu_exit", quit_qemu(qmp_sock, proc, 120))
        rep.put("s_inner_machine", f"{time.monotonic() - t0:.1f}")


def _read(directory, name):
    try:
        with open(os.path.join(directory, name), encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError:
        return ""
