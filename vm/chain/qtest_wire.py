"""QEMU's qtest text protocol, client side (the inner machine's "CPU").

With `-accel qtest` a machine has no guest CPU; whoever holds the socket named
by `-qtest` reads and writes guest memory and I/O ports, one command per line
("writel ADDR VALUE", "b64write ADDR SIZE DATA", "inl PORT", ...), each answered
by one line "OK [VALUE]" (or "FAIL ..."/"ERR ...").  QEMU connects to the
socket as a client: listen() first, start QEMU, then accept().  Standard
library only; no code of QEMU's libqtest is used.
"""
import base64
import socket


class QtestError(RuntimeError):
    pass


class Qtest:
    """One qtest connection.  All values are guest-physical, little-endian."""

    def __init__(self, listener, timeout=600):
        listener.settimeout(timeout)
        self.sock, _ = listener.accept()
        self.sock.settimeout(timeout)
        self.stream = self.sock.makefile("rwb", buffering=0)
        self._buf = b""
        self.commands = 0

    @staticmethod
    def listen(path):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.bind(path)
        s.listen(1)
        return s

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def _line(self):
        while b"\n" not in self._buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise QtestError("QEMU closed the qtest socket")
            self._buf += chunk
        line, _, self._buf = self._buf.partition(b"\n")
        return line.decode("ascii", "replace")

    def command(self, text):
        """Send one command; the words of its answer after "OK"."""
        self.sock.sendall(text.encode("ascii") + b"\n")
        self.commands += 1
        while True:
            reply = self._line()
            # Interrupt notes arrive only with irq_intercept, which we never ask for.
            if reply.startswith("IRQ "):
                continue
            words = reply.split()
            if not words or words[0] != "OK":
                raise QtestError(f"'{text[:60]}' answered '{reply[:200]}'")
            return words[1:]

    # -- I/O ports (PCI configuration mechanism #1) --
    def outb(self, port, value):
        self.command(f"outb {port:#x} {value:#x}")

    def outw(self, port, value):
        self.command(f"outw {port:#x} {value:#x}")

    def outl(self, port, value):
        self.command(f"outl {port:#x} {value:#x}")

    def inb(self, port):
        return int(self.command(f"inb {port:#x}")[0], 16)

    def inw(self, port):
        return int(self.command(f"inw {port:#x}")[0], 16)

    def inl(self, port):
        return int(self.command(f"inl {port:#x}")[0], 16)

    # -- memory --
    def write(self, addr, width, value):
        """One access of WIDTH bytes (1, 2, 4, 8): MMIO registers need their width."""
        op = {1: "writeb", 2: "writew", 4: "writel", 8: "writeq"}[width]
        self.command(f"{op} {addr:#x} {value:#x}")

    def read(self, addr, width):
        op = {1: "readb", 2: "readw", 4: "readl", 8: "readq"}[width]
        return int(self.command(f"{op} {addr:#x}")[0], 16)

    def write_bytes(self, addr, data):
        """Bulk write (base64 on the wire), in pieces of at most 1 MiB."""
        step = 1 << 20
        for off in range(0, len(data), step):
            piece = data[off:off + step]
            self.command(f"b64write {addr + off:#x} {len(piece):#x} "
                         + base64.b64encode(piece).decode("ascii"))

    def read_bytes(self, addr, size):
        out = bytearray()
        step = 1 << 20
        for off in range(0, size, step):
            n = min(step, size - off)
            words = self.command(f"b64read {addr + off:#x} {n:#x}")
            out += base64.b64decode(words[0]) if words else b""
        return bytes(out)
