#!/usr/bin/env python3
"""dmabuf_from_qemu.py, the chain's consumer, reading QEMU's scanout socket
(qemu/ patch 9's message): a good message parses; a bad magic, another
version, a short or long message, a missing fd or two fds, and a header whose
frame does not fit its size are refused.  End to end over a real unix socket
(a stand-in server in QEMU's place): the message and its fd arrive, and an fd
that is not a dma-buf, a short message and a message without an fd each end
the receiver with one error line and exit 1."""
import os
import socket
import struct
import subprocess
import sys
import tempfile
import threading

here = os.path.dirname(os.path.abspath(__file__))
RECEIVER = os.path.join(here, "..", "chain", "dmabuf_from_qemu.py")
sys.path.insert(0, os.path.join(here, "..", "chain"))
import dmabuf_from_qemu as rx  # noqa: E402

XR24 = 0x34325258
W, H = 320, 240
SIZE = W * H * 4


def message(magic=rx.MAGIC, version=1, width=W, height=H, stride=W * 4, offset=0, size=SIZE):
    return struct.pack("<10IQ", magic, version, 0, 1, width, height, stride, offset, XR24, 0, size)


failures = []


def check(label, got, want):
    if got != want:
        failures.append(f"{label}: got {got!r}, want {want!r}")


def refused(label, data, fds, words):
    try:
        rx.parse_message(data, fds)
    except rx.MessageError as e:
        if words not in str(e):
            failures.append(f"{label}: error '{e}' does not say '{words}'")
        return
    failures.append(f"{label}: accepted")


check("layout size", rx.LAYOUT.size, 48)
check("magic bytes", struct.pack("<I", rx.MAGIC), b"ZCSO")
msg = rx.parse_message(message(), [5])
check("good message", (msg["width"], msg["height"], msg["stride"], msg["offset"], msg["size"],
                       rx.fourcc_text(msg["fourcc"])), (W, H, W * 4, 0, SIZE, "XR24"))
refused("bad magic", message(magic=0x12345678), [5], "bad magic 0x12345678")
refused("other version", message(version=2), [5], "version 2")
refused("short message", message()[:40], [5], "short message: 40 bytes")
refused("long message", message() + b"\0", [5], "long message: 49 bytes")
refused("missing fd", message(), [], "no fd attached")
refused("two fds", message(), [5, 6], "2 fds attached")
refused("frame larger than the buffer", message(height=H + 1), [5], "does not fit")
refused("empty scanout", message(width=0), [5], "empty scanout")


def serve(path, data, with_fd, ready):
    """QEMU's side: listen, accept one peer, send DATA (with a memfd when WITH_FD)."""
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(1)
    ready.set()
    conn, _ = srv.accept()
    with conn, srv:
        if with_fd:
            fd = os.memfd_create("not-a-dma-buf")
            socket.send_fds(conn, [data], [fd])
            os.close(fd)
        else:
            conn.sendall(data)


def run_receiver(data, with_fd):
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "scanout.sock")
        ready = threading.Event()
        t = threading.Thread(target=serve, args=(path, data, with_fd, ready), daemon=True)
        t.start()
        ready.wait(10)
        r = subprocess.run([sys.executable, RECEIVER, path, str(os.getpid()), "vfio", str(SIZE), "true"],
                           capture_output=True, text=True, check=False, timeout=60)
        t.join(10)
    return r.returncode, r.stderr.strip().splitlines()


def end_to_end(label, data, with_fd, words):
    rc, err = run_receiver(data, with_fd)
    if rc != 1 or len(err) != 1 or not err[0].startswith("dmabuf_from_qemu: ") or words not in err[0]:
        failures.append(f"{label}: exit {rc}, stderr {err} (want exit 1, one line saying '{words}')")


end_to_end("fd is not a dma-buf", message(), True, "is not a dma-buf")
end_to_end("short message over the socket", message()[:20], True, "short message: 20 bytes")
end_to_end("no fd over the socket", message(), False, "no fd attached")
check("bad arguments", subprocess.run([sys.executable, RECEIVER, "x"], capture_output=True,
                                      check=False).returncode, 2)

for f in failures:
    print("FAIL", f)
print(f"{len(failures)} failure(s)")
sys.exit(1 if failures else 0)
