"""A raw Wayland wire-protocol client for hostile tests.

libwayland's client library refuses to send some requests (or a toolkit
never would); this speaks the wire format directly (socket + struct, fds by
SCM_RIGHTS) so a test can send exactly what it wants.  Only the requests and
events the hostile suite needs are named here; opcodes are from wayland.xml
and xdg-shell.xml (request order in the XML).

Wire format: each message is object id (u32), then (size << 16 | opcode)
(u32), then the arguments: 32-bit ints, strings and arrays as a u32 length
(strings: with their NUL) and bytes padded to 4, fds out of band.

It stays outside the shared C++ client core (client_core/, used by
zc-client, zc-bench-client and zc-test-client) by necessity: that core sits
on libwayland, which is exactly what would refuse these messages.
"""
import array
import os
import select
import socket
import struct
import time

# Request opcodes.
WL_DISPLAY_SYNC, WL_DISPLAY_GET_REGISTRY = 0, 1
WL_REGISTRY_BIND = 0
WL_COMPOSITOR_CREATE_SURFACE = 0
WL_SURFACE_DESTROY, WL_SURFACE_ATTACH, WL_SURFACE_DAMAGE, WL_SURFACE_FRAME = 0, 1, 2, 3
WL_SURFACE_COMMIT = 6
WL_SHM_CREATE_POOL = 0
WL_SHM_POOL_CREATE_BUFFER, WL_SHM_POOL_DESTROY, WL_SHM_POOL_RESIZE = 0, 1, 2
WL_BUFFER_DESTROY = 0
ZWP_LINUX_DMABUF_V1_CREATE_PARAMS = 1
ZWP_LINUX_BUFFER_PARAMS_V1_ADD, ZWP_LINUX_BUFFER_PARAMS_V1_CREATE_IMMED = 1, 3
XDG_WM_BASE_CREATE_POSITIONER, XDG_WM_BASE_GET_XDG_SURFACE, XDG_WM_BASE_PONG = 1, 2, 3
XDG_POSITIONER_SET_SIZE, XDG_POSITIONER_SET_ANCHOR_RECT = 1, 2
XDG_SURFACE_GET_TOPLEVEL, XDG_SURFACE_GET_POPUP, XDG_SURFACE_ACK_CONFIGURE = 1, 2, 4
XDG_TOPLEVEL_SET_PARENT, XDG_TOPLEVEL_SET_TITLE, XDG_TOPLEVEL_SET_APP_ID = 1, 2, 3
XDG_TOPLEVEL_SET_MIN_SIZE, XDG_TOPLEVEL_SET_MAXIMIZED = 8, 9

WL_SHM_FORMAT_XRGB8888 = 1
DRM_FORMAT_XRGB8888 = 0x34325258  # 'XR24'
WL_SHM_ERROR_INVALID_FD = 2  # also what libwayland posts when a pool access faults


def u32(v):
    return struct.pack("<I", v & 0xFFFFFFFF)


def i32(v):
    return struct.pack("<i", v)


def string(s):
    """A wire string: s may be bytes (sent as they are, valid UTF-8 or not)."""
    data = (s.encode() if isinstance(s, str) else s) + b"\0"
    return u32(len(data)) + data + b"\0" * (-len(data) % 4)


class ProtocolError(Exception):
    pass


class WireClient:
    def __init__(self, env):
        path = os.path.join(env["XDG_RUNTIME_DIR"], env["WAYLAND_DISPLAY"])
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(path)
        self.next_id = 2
        self.interfaces = {1: "wl_display"}
        self.globals = {}  # interface -> (name, version)
        self.error = None  # (object id, interface, code, message) of wl_display.error
        self.closed = False  # the compositor closed the connection (read end-of-file)
        self.send_failed = False
        self.configure_serials = {}  # xdg_surface id -> last configure serial
        self.done_callbacks = set()
        self.released_buffers = set()  # wl_buffer ids that got wl_buffer.release
        self._buf = b""
        self.registry = self.new_id("wl_registry")
        self.send(1, WL_DISPLAY_GET_REGISTRY, u32(self.registry))
        self.roundtrip()

    def new_id(self, interface):
        oid = self.next_id
        self.next_id += 1
        self.interfaces[oid] = interface
        return oid

    def send(self, obj, opcode, args=b"", fds=()):
        size = 8 + len(args)
        msg = u32(obj) + u32(size << 16 | opcode) + args
        try:
            if fds:
                anc = [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", fds).tobytes())]
                self.sock.sendmsg([msg], anc)
            else:
                self.sock.sendall(msg)
        except (BrokenPipeError, ConnectionResetError):
            # The compositor may have ended us for an earlier request; what
            # it sent before closing (the error) is still there to read.
            self.send_failed = True

    def bind(self, interface, version):
        name, advertised = self.globals[interface]
        oid = self.new_id(interface)
        v = min(version, advertised)
        self.send(self.registry, WL_REGISTRY_BIND, u32(name) + string(interface) + u32(v) + u32(oid))
        return oid

    def _dispatch(self, obj, opcode, body):
        iface = self.interfaces.get(obj)
        if obj == 1 and opcode == 0:  # wl_display.error(object, code, message)
            eobj, code, mlen = struct.unpack_from("<III", body)
            message = body[12:12 + mlen - 1].decode(errors="replace")
            self.error = (eobj, self.interfaces.get(eobj), code, message)
        elif iface == "wl_registry" and opcode == 0:  # global(name, interface, version)
            name, slen = struct.unpack_from("<II", body)
            interface = body[8:8 + slen - 1].decode()
            (version,) = struct.unpack_from("<I", body, 8 + slen + (-slen % 4))
            self.globals[interface] = (name, version)
        elif iface == "wl_callback" and opcode == 0:
            self.done_callbacks.add(obj)
        elif iface == "wl_buffer" and opcode == 0:
            self.released_buffers.add(obj)
        elif iface == "xdg_wm_base" and opcode == 0:  # ping(serial)
            self.send(obj, XDG_WM_BASE_PONG, body[:4])
        elif iface == "xdg_surface" and opcode == 0:  # configure(serial)
            self.configure_serials[obj] = struct.unpack_from("<I", body)[0]

    def read(self, timeout):
        """Reads and dispatches what arrives within timeout s (all of it when
        the compositor closes the connection)."""
        deadline = time.monotonic() + timeout
        while not self.closed:
            left = deadline - time.monotonic()
            if left <= 0:
                return
            ready, _, _ = select.select([self.sock], [], [], left)
            if not ready:
                return
            try:
                # fds the compositor sends (keymaps) are received and closed.
                data, anc, _, _ = self.sock.recvmsg(65536, socket.CMSG_SPACE(28 * 4))
            except ConnectionResetError:
                data, anc = b"", []
            for level, kind, fdbytes in anc:
                if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                    for fd in array.array("i", fdbytes[:len(fdbytes) - len(fdbytes) % 4]):
                        os.close(fd)
            if not data:
                self.closed = True
                return
            self._buf += data
            while len(self._buf) >= 8:
                obj, word = struct.unpack_from("<II", self._buf)
                size = word >> 16
                if len(self._buf) < size:
                    break
                body, self._buf = self._buf[8:size], self._buf[size:]
                self._dispatch(obj, word & 0xFFFF, body)

    def roundtrip(self, timeout=10):
        cb = self.new_id("wl_callback")
        self.send(1, WL_DISPLAY_SYNC, u32(cb))
        deadline = time.monotonic() + timeout
        while cb not in self.done_callbacks:
            if self.error or self.closed:
                raise ProtocolError(f"connection ended during roundtrip: {self.error}")
            if time.monotonic() > deadline:
                raise ProtocolError(f"no wl_callback.done in {timeout} s")
            self.read(0.2)

    def wait_end(self, timeout):
        """Reads until the compositor closes the connection; True if it did."""
        deadline = time.monotonic() + timeout
        while not self.closed and time.monotonic() < deadline:
            self.read(deadline - time.monotonic())
        return self.closed

    def close(self):
        self.sock.close()

    # Helpers for the objects the cases build.

    def toplevel(self, compositor, wm_base):
        """A wl_surface with an xdg_toplevel, initial commit done and its
        configure acknowledged; returns (surface, xdg_surface, toplevel)."""
        surface = self.new_id("wl_surface")
        self.send(compositor, WL_COMPOSITOR_CREATE_SURFACE, u32(surface))
        xdg = self.new_id("xdg_surface")
        self.send(wm_base, XDG_WM_BASE_GET_XDG_SURFACE, u32(xdg) + u32(surface))
        top = self.new_id("xdg_toplevel")
        self.send(xdg, XDG_SURFACE_GET_TOPLEVEL, u32(top))
        self.send(surface, WL_SURFACE_COMMIT)
        self.roundtrip()
        if xdg in self.configure_serials:
            self.send(xdg, XDG_SURFACE_ACK_CONFIGURE, u32(self.configure_serials[xdg]))
        return surface, xdg, top

    def shm_buffer(self, shm, width, height, rgb=0x808080):
        """A wl_buffer of one colour in a memfd-backed pool (sealed against
        shrinking: the compositor may import it without a copy)."""
        buf, _, fd = self.shm_pool_buffer(shm, width, height, rgb)
        os.close(fd)
        return buf

    def shm_pool_buffer(self, shm, width, height, rgb=0x808080, seal=True, file_size=None,
                        pool_size=None):
        """A one-colour wl_buffer at offset 0 of a new memfd pool; returns
        (buffer, pool, fd), the fd still open so a case can shrink it.  seal:
        F_SEAL_SHRINK the memfd; file_size, pool_size: default to the
        buffer's size (a pool larger than its file is legal)."""
        import fcntl
        stride, size = width * 4, width * height * 4
        fd = os.memfd_create("hostile-shm", os.MFD_CLOEXEC | os.MFD_ALLOW_SEALING)
        file_size = size if file_size is None else file_size
        # In 4 MiB writes: a 1 GiB buffer needs no 1 GiB bytes object.
        chunk = struct.pack("<I", rgb) * (1 << 20)
        left = min(size, file_size) // 4 * 4
        while left > 0:
            left -= os.write(fd, chunk[:left])
        os.ftruncate(fd, file_size)
        if seal:
            fcntl.fcntl(fd, fcntl.F_ADD_SEALS, fcntl.F_SEAL_SHRINK)
        pool = self.new_id("wl_shm_pool")
        self.send(shm, WL_SHM_CREATE_POOL, u32(pool) + i32(pool_size or size), fds=[fd])
        buf = self.new_id("wl_buffer")
        self.send(pool, WL_SHM_POOL_CREATE_BUFFER, u32(buf) + i32(0) + i32(width) + i32(height) +
                  i32(stride) + u32(WL_SHM_FORMAT_XRGB8888))
        return buf, pool, fd

    def memfd_dmabuf(self, dmabuf, width, height, stride, rgb=0x808080):
        """A linear XRGB8888 "dmabuf" backed by an unsealed memfd (linux-dmabuf
        carries any fd) made with create_immed; returns (buffer, fd)."""
        fd = os.memfd_create("hostile-dmabuf", os.MFD_CLOEXEC | os.MFD_ALLOW_SEALING)
        row = struct.pack("<I", rgb) * width
        os.write(fd, (row + b"\0" * (stride - len(row))) * height)
        params = self.new_id("zwp_linux_buffer_params_v1")
        self.send(dmabuf, ZWP_LINUX_DMABUF_V1_CREATE_PARAMS, u32(params))
        # add(fd, plane_idx, offset, stride, modifier_hi, modifier_lo): LINEAR
        self.send(params, ZWP_LINUX_BUFFER_PARAMS_V1_ADD,
                  u32(0) + u32(0) + u32(stride) + u32(0) + u32(0), fds=[fd])
        buf = self.new_id("wl_buffer")
        self.send(params, ZWP_LINUX_BUFFER_PARAMS_V1_CREATE_IMMED,
                  u32(buf) + i32(width) + i32(height) + u32(DRM_FORMAT_XRGB8888) + u32(0))
        return buf, fd

    def show(self, surface, buf, width, height, frame=False):
        """Attach buf with full damage and commit; frame: ask for a frame
        callback with the commit and return its id."""
        cb = None
        if frame:
            cb = self.new_id("wl_callback")
            self.send(surface, WL_SURFACE_FRAME, u32(cb))
        self.send(surface, WL_SURFACE_ATTACH, u32(buf) + i32(0) + i32(0))
        self.send(surface, WL_SURFACE_DAMAGE, i32(0) * 2 + i32(width) + i32(height))
        self.send(surface, WL_SURFACE_COMMIT)
        return cb

    def wait_for(self, pred, timeout):
        """Reads until pred() holds or the connection ends; True if it held."""
        deadline = time.monotonic() + timeout
        while not pred() and not self.closed and time.monotonic() < deadline:
            self.read(min(0.05, max(0.0, deadline - time.monotonic())))
        return pred()


def open_fds(pid):
    """Number of fds process pid has open."""
    return len(os.listdir(f"/proc/{pid}/fd"))
