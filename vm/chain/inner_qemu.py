"""The inner QEMU's control socket, shared by both inner machines
(inner_machine.py drives it over qtest, inner_guest.py boots a guest in it).
"""

import json
import os
import subprocess
import sys

QMP_PY = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "emulated", "qmp.py")


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
