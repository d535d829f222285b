#!/usr/bin/env python3
"""Receive the scanout dma-buf QEMU sends over a socket and run a command with it.

usage: dmabuf_from_qemu.py SOCKET QEMU-PID EXP-NAME-PART BYTES CMD [ARGS...]

The chain's consumer.  The project's QEMU (qemu/ patch 9, a test hook) gives
virtio-gpu the property x-scanout-dmabuf-chardev: on each scanout change, and
for every scanout when a peer connects, it writes one message to that chardev
with the blob's dma-buf fd attached (SCM_RIGHTS).  The message is 48 bytes,
little-endian:

  u32 magic 0x4f53435a ("ZCSO"), u32 version 1, u32 scanout id,
  u32 resource id, u32 width, u32 height, u32 stride, u32 offset,
  u32 DRM fourcc, u32 reserved, u64 size

This connects to SOCKET (the inner QEMU's chardev, server=on), reads the first
message, checks it (magic, version, one fd, the fd a dma-buf whose exporter
name contains EXP-NAME-PART and whose size is BYTES, as the header says),
finds the fd in QEMU-PID's fd table that is the same dma-buf (same inode),
prints one line saying all of it, and execs CMD with the fd inherited (its
number in ZC_DMABUF_FD, as zc-vfio-dmabuf --exec does).  Exit 1 with one
"dmabuf_from_qemu: ..." line on stderr when anything is wrong, 2 on bad
arguments.
"""
import os
import socket
import struct
import sys
import time

MAGIC = 0x4F53435A  # "ZCSO" in its little-endian bytes
VERSION = 1
LAYOUT = struct.Struct("<10IQ")  # magic .. reserved, size
FIELDS = ("magic", "version", "scanout_id", "resource_id", "width", "height", "stride",
          "offset", "fourcc", "reserved", "size")
CONNECT_S = 10   # QEMU's chardev listens from its start; allow it a moment
RECEIVE_S = 30


class MessageError(Exception):
    """The message is not what QEMU's test hook sends."""


def fourcc_text(code):
    text = code.to_bytes(4, "little").decode("ascii", "replace")
    return text if text.isprintable() else f"{code:#x}"


def parse_message(data, fds):
    """{field: value} of one message with the fds received with it.

    Raises MessageError for a short or long message, a wrong magic or
    version, or not exactly one fd (the caller closes the fds)."""
    if len(data) != LAYOUT.size:
        raise MessageError(f"{'short' if len(data) < LAYOUT.size else 'long'} message: "
                           f"{len(data)} bytes, the layout has {LAYOUT.size}")
    msg = dict(zip(FIELDS, LAYOUT.unpack(data)))
    if msg["magic"] != MAGIC:
        raise MessageError(f"bad magic {msg['magic']:#010x} (want {MAGIC:#010x})")
    if msg["version"] != VERSION:
        raise MessageError(f"version {msg['version']} (this receiver reads {VERSION})")
    if len(fds) != 1:
        raise MessageError(f"{'no fd' if not fds else f'{len(fds)} fds'} attached (want one dma-buf)")
    if msg["size"] == 0 or msg["width"] == 0 or msg["height"] == 0:
        raise MessageError(f"empty scanout in the header: {msg['width']}x{msg['height']}, "
                           f"{msg['size']} bytes")
    if msg["offset"] + msg["stride"] * msg["height"] > msg["size"]:
        raise MessageError(f"the header's frame (offset {msg['offset']} + stride {msg['stride']} x "
                           f"{msg['height']} rows) does not fit in its {msg['size']} bytes")
    return msg


def fdinfo(path):
    """{key: value} of a /proc/.../fdinfo file."""
    with open(path, encoding="utf-8", errors="replace") as f:
        return {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in f) if k.strip()}


def check_dmabuf(fd, msg, part, want):
    """The fd's fdinfo, checked: a dma-buf of PART's exporter, WANT bytes = the header's size."""
    try:
        info = fdinfo(f"/proc/self/fdinfo/{fd}")
    except OSError as e:
        raise MessageError(f"fdinfo of the received fd {fd}: {e}") from e
    if "exp_name" not in info:
        raise MessageError(f"the received fd {fd} is not a dma-buf (its fdinfo has no exp_name)")
    if part not in info["exp_name"]:
        raise MessageError(f"the received dma-buf's exporter is {info['exp_name']}, not {part}")
    size = int(info.get("size", "-1"))
    if size != want or msg["size"] != want:
        raise MessageError(f"sizes differ: dma-buf {size}, header {msg['size']}, expected {want} bytes")
    return info


def qemu_holder(pid, inode):
    """QEMU's fd numbers that are the dma-buf of INODE (its fd table, root)."""
    held = []
    base = f"/proc/{pid}/fd"
    for name in sorted(os.listdir(base), key=int):
        try:
            st = os.stat(os.path.join(base, name))
        except OSError:
            continue
        if st.st_ino == inode and os.path.exists(f"/proc/{pid}/fdinfo/{name}") and \
                "exp_name" in fdinfo(f"/proc/{pid}/fdinfo/{name}"):
            held.append(int(name))
    return held


def receive(path):
    """(bytes, fds) of the first message on the socket at PATH."""
    deadline = time.monotonic() + CONNECT_S
    while True:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect(path)
            break
        except OSError as e:
            s.close()
            if time.monotonic() > deadline:
                raise MessageError(f"cannot connect to QEMU's scanout socket {path}: {e}") from e
            time.sleep(0.2)
    data, fds = b"", []
    with s:
        s.settimeout(RECEIVE_S)
        try:
            while len(data) < LAYOUT.size:
                chunk, got, flags, _ = socket.recv_fds(s, LAYOUT.size - len(data), 4)
                fds += got
                if flags & socket.MSG_CTRUNC:
                    raise MessageError("the message's fds were truncated (MSG_CTRUNC)")
                if not chunk:
                    break
                data += chunk
        except socket.timeout as e:
            raise MessageError(f"no message from QEMU within {RECEIVE_S} s "
                               f"(got {len(data)} bytes)") from e
    return data, fds


def main(argv):
    if len(argv) < 5 or argv[0] in ("-h", "--help"):
        print(__doc__.splitlines()[2], file=sys.stderr)
        return 2
    path, pid, part, want = argv[0], int(argv[1]), argv[2], int(argv[3], 0)
    fds = []
    try:
        data, fds = receive(path)
        msg = parse_message(data, fds)
        fd = fds[0]
        info = check_dmabuf(fd, msg, part, want)
        inode = os.fstat(fd).st_ino
        held = qemu_holder(pid, inode)
        if not held:
            raise MessageError(f"QEMU (pid {pid}) holds no dma-buf of inode {inode} in its fd table")
    except (MessageError, OSError, ValueError) as e:
        for fd in fds:
            os.close(fd)
        print(f"dmabuf_from_qemu: {e}", file=sys.stderr)
        return 1
    os.set_inheritable(fd, True)
    print(f"dmabuf_from_qemu: socket {path}: magic {msg['magic']:#x} version {msg['version']} "
          f"scanout {msg['scanout_id']} resource {msg['resource_id']} {msg['width']}x{msg['height']} "
          f"stride {msg['stride']} offset {msg['offset']} fourcc {fourcc_text(msg['fourcc'])} "
          f"size {msg['size']}; fd {fd}: exp_name {info['exp_name']}, {info.get('size')} bytes, "
          f"inode {inode}; QEMU (pid {pid}) holds it as fd {','.join(map(str, held))}", flush=True)
    os.environ["ZC_DMABUF_FD"] = str(fd)
    os.execvp(argv[4], argv[4:])
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
