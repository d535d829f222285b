"""The inner QEMU, shared by both inner machines (inner_machine.py drives it
over qtest, inner_guest.py boots a guest in it): its command line's machine
and the seed's topology, and its control socket.
"""

import json
import os
import subprocess
import sys

QMP_PY = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "emulated", "qmp.py")


def trace_args(events):
    """-trace options for QEMU's trace events, with timestamped lines
    ("pid@seconds.micros:event ..."): QEMU's own times of its steps."""
    args = ["-msg", "timestamp=on"] if events else []
    for event in events:
        args += ["-trace", f"enable={event}"]
    return args


def scanout_args(scanout_sock):
    """The chardev that takes the scanout's dma-buf (qemu/ patch 9, a test
    hook): a unix socket QEMU listens on from its start; the consumer
    (dmabuf_from_qemu.py) connects when the scanout is up, and QEMU sends it
    every scanout that shows a blob with a dma-buf, fd attached."""
    if not scanout_sock:
        return [], ""
    return (["-chardev", f"socket,id=scanout,path={scanout_sock},server=on,wait=off"],
            ",x-scanout-dmabuf-chardev=scanout")


def seed_machine_args(a, accel, passthrough, blob=True, scanout_sock=None):
    """QEMU, its machine and the seed's topology (vm/host/run.sh): the device
    in the VF's place (`passthrough`, its -device options) on one downstream
    port of a PCIe switch below a root port, virtio-gpu on the other, guest
    RAM in a shared memfd; with `scanout_sock`, virtio-gpu sends its scanout's
    dma-buf to a socket there.  The caller appends its own control options."""
    w, h = a.size
    chardev, scanout_prop = scanout_args(scanout_sock)
    return [a.qemu, "-name", "zcdisplay-chain-inner",
            "-machine", "q35,memory-backend=mem", *accel, "-m", a.memory,
            "-object", f"memory-backend-memfd,id=mem,size={a.memory},share=on",
            "-nodefaults", "-display", "none", "-no-reboot",
            "-device", "ioh3420,id=root_port1,bus=pcie.0,chassis=1,slot=1",
            "-device", "x3130-upstream,id=upstream1,bus=root_port1",
            "-device", "xio3130-downstream,id=downstream1,bus=upstream1,chassis=2,slot=1",
            "-device", "xio3130-downstream,id=downstream2,bus=upstream1,chassis=3,slot=2",
            *passthrough, *chardev,
            "-device", f"virtio-gpu-pci,{'blob=true,' if blob else ''}max_outputs=1,"
                       f"xres={w},yres={h},bus=downstream2{scanout_prop}"]


def qmp(sock, command, arguments=None):
    """One QMP command through vm/emulated/qmp.py; its answer, or RuntimeError."""
    args = [sys.executable, QMP_PY, sock, command]
    if arguments is not None:
        args.append(json.dumps(arguments))
    r = subprocess.run(args, capture_output=True, text=True, check=False, timeout=300)
    if r.returncode != 0:
        raise RuntimeError(f"QMP {command}: {(r.stderr or r.stdout).strip()}")
    return r.stdout.strip()


def quit_qemu(qmp_sock, proc, wait_s):
    """Asks QEMU to quit, kills it if it has not within wait_s; its exit status.

    A QEMU that never answers QMP (hung, or gone) must not outlive the chain
    step: the outer VM's time limit would then be spent waiting for it.
    """
    try:
        qmp(qmp_sock, "quit")
    except (RuntimeError, subprocess.TimeoutExpired):
        pass
    try:
        proc.wait(timeout=wait_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    return proc.returncode
