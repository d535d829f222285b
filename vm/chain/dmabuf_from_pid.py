#!/usr/bin/env python3
"""Take a dma-buf that another process holds and run a command with it.

usage: dmabuf_from_pid.py PID EXP-NAME-PART BYTES CMD [ARGS...]

The chain's consumer stand-in.  The seed's QEMU hands its scanout dma-buf to
a display (gtk/egl, dbus) in its own process; with no display in CI, this
helper takes the fd from QEMU instead: it finds, in /proc/PID/fdinfo, the one
dma-buf whose exporter name contains EXP-NAME-PART and whose size is BYTES,
duplicates it with pidfd_getfd(2) (root, or ptrace rights on PID), prints what
it found, and execs CMD with the fd inherited (its number in ZC_DMABUF_FD, as
zc-vfio-dmabuf --exec does).  Exit 1 when no such dma-buf (or several) exists,
2 on bad arguments.
"""
import ctypes
import os
import sys

SYS_PIDFD_GETFD = 438  # x86_64 (and every architecture using the generic table)


def dmabufs(pid):
    """[(fd, {fdinfo key: value})] of PID's dma-buf fds."""
    found = []
    base = f"/proc/{pid}/fdinfo"
    for name in sorted(os.listdir(base), key=int):
        try:
            with open(os.path.join(base, name), encoding="utf-8", errors="replace") as f:
                info = dict(line.rstrip("\n").split(":", 1) for line in f if ":" in line)
        except OSError:
            continue
        info = {k.strip(): v.strip() for k, v in info.items()}
        if "exp_name" in info:
            found.append((int(name), info))
    return found


def main(argv):
    if len(argv) < 4 or argv[0] in ("-h", "--help"):
        print(__doc__.splitlines()[2], file=sys.stderr)
        return 2
    pid, part, want = int(argv[0]), argv[1], int(argv[2], 0)
    all_bufs = dmabufs(pid)
    match = [(fd, i) for fd, i in all_bufs if part in i["exp_name"] and int(i.get("size", -1)) == want]
    if len(match) != 1:
        seen = ", ".join(f"fd {fd} {i['exp_name']} {i.get('size')} bytes" for fd, i in all_bufs) or "none"
        print(f"dmabuf_from_pid: {len(match)} dma-bufs of '{part}' with {want} bytes in process {pid} "
              f"(dma-bufs: {seen})", file=sys.stderr)
        return 1
    their_fd, info = match[0]
    libc = ctypes.CDLL(None, use_errno=True)
    pidfd = os.pidfd_open(pid)
    fd = libc.syscall(SYS_PIDFD_GETFD, pidfd, their_fd, 0)
    if fd < 0:
        err = ctypes.get_errno()
        print(f"dmabuf_from_pid: pidfd_getfd({pid}, {their_fd}): {os.strerror(err)}", file=sys.stderr)
        return 1
    os.close(pidfd)
    os.set_inheritable(fd, True)
    st = os.fstat(fd)
    print(f"dmabuf_from_pid: process {pid} fd {their_fd} -> fd {fd}: exp_name {info['exp_name']}, "
          f"{info.get('size')} bytes, inode {st.st_ino}", flush=True)
    os.environ["ZC_DMABUF_FD"] = str(fd)
    os.execvp(argv[3], argv[3:])
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
