"""A minimal virtio-gpu driver over qtest: modern virtio-pci, one split
virtqueue (controlq) in inner-guest RAM, polled (no interrupts).

It sends the commands a guest kernel's drm/virtio sends when it imports a
dma-buf as a guest blob and scans it out: RESOURCE_CREATE_BLOB (blob_mem
GUEST, entries = the buffer's guest-physical pages), SET_SCANOUT_BLOB,
RESOURCE_FLUSH.  Structures follow the virtio 1.2 specification ("Virtio
Over PCI Bus", "Split Virtqueues", "GPU Device"); the layouts below are
written from it.
"""
import struct
import time

# virtio-pci vendor capability (cap id 0x09) cfg_type values
VIRTIO_PCI_CAP_COMMON_CFG, VIRTIO_PCI_CAP_NOTIFY_CFG = 1, 2
# device status bits
ACKNOWLEDGE, DRIVER, DRIVER_OK, FEATURES_OK = 1, 2, 4, 8
VIRTIO_F_VERSION_1 = 32
VIRTIO_GPU_F_RESOURCE_BLOB = 3
# split virtqueue descriptor flags
VIRTQ_DESC_F_NEXT, VIRTQ_DESC_F_WRITE = 1, 2

# virtio-gpu control commands and answers
CMD_GET_DISPLAY_INFO = 0x0100
CMD_RESOURCE_UNREF = 0x0102
CMD_SET_SCANOUT = 0x0103
CMD_RESOURCE_FLUSH = 0x0104
CMD_RESOURCE_CREATE_BLOB = 0x010C
CMD_SET_SCANOUT_BLOB = 0x010D
RESP_OK_NODATA = 0x1100
RESP_OK_DISPLAY_INFO = 0x1101
RESP_NAMES = {0x1100: "OK_NODATA", 0x1101: "OK_DISPLAY_INFO", 0x1200: "ERR_UNSPEC",
              0x1201: "ERR_OUT_OF_MEMORY", 0x1202: "ERR_INVALID_SCANOUT_ID",
              0x1203: "ERR_INVALID_RESOURCE_ID", 0x1204: "ERR_INVALID_CONTEXT_ID",
              0x1205: "ERR_INVALID_PARAMETER"}
BLOB_MEM_GUEST = 1
BLOB_FLAG_USE_SHAREABLE = 2
FORMAT_B8G8R8X8_UNORM = 2  # DRM_FORMAT_XRGB8888 in memory order

# common configuration structure offsets
CC_DFSELECT, CC_DF, CC_GFSELECT, CC_GF = 0x00, 0x04, 0x08, 0x0C
CC_STATUS, CC_Q_SELECT, CC_Q_SIZE = 0x14, 0x16, 0x18
CC_Q_ENABLE, CC_Q_NOTIFY_OFF = 0x1C, 0x1E
CC_Q_DESC, CC_Q_DRIVER, CC_Q_DEVICE = 0x20, 0x28, 0x30


def hdr(cmd_type):
    """struct virtio_gpu_ctrl_hdr: type, flags, fence_id, ctx_id, ring_idx, padding."""
    return struct.pack("<IIQIB3x", cmd_type, 0, 0, 0, 0)


class VirtioGpuError(RuntimeError):
    pass


class VirtioGpu:
    """The device at pci_setup.Function FN, driven through qtest QT.

    RAM_BASE..RAM_BASE+1 MiB of inner-guest RAM holds the queue and the
    command buffers."""

    QUEUE_SIZE = 16

    def __init__(self, qt, cfg, fn, ram_base):
        self.qt, self.cfg, self.fn, self.ram = qt, cfg, fn, ram_base
        self.common = self.notify = None
        self.notify_mult = 0
        for cap_id, off in cfg.capabilities(fn.bdf):
            if cap_id != 0x09:
                continue
            cfg_type = cfg.read(fn.bdf, off + 3, 1)
            bar = cfg.read(fn.bdf, off + 4, 1)
            offset = cfg.read(fn.bdf, off + 8)
            if bar not in fn.bars or fn.bars[bar]["addr"] is None:
                continue
            where = fn.bars[bar]["addr"] + offset
            if cfg_type == VIRTIO_PCI_CAP_COMMON_CFG:
                self.common = where
            elif cfg_type == VIRTIO_PCI_CAP_NOTIFY_CFG:
                self.notify = where
                self.notify_mult = cfg.read(fn.bdf, off + 16)
        if self.common is None or self.notify is None:
            raise VirtioGpuError(f"{fn.name()}: no modern virtio-pci common/notify capability")
        self.features = 0
        self.avail_idx = self.used_seen = 0

    def _cc(self, off, width, value=None):
        if value is None:
            return self.qt.read(self.common + off, width)
        self.qt.write(self.common + off, width, value)
        return None

    def init(self, want_features):
        """Reset, negotiate (VERSION_1 plus WANT_FEATURES bits the device
        offers), set up controlq.  Returns (offered, accepted) feature masks."""
        self._cc(CC_STATUS, 1, 0)
        self._cc(CC_STATUS, 1, ACKNOWLEDGE | DRIVER)
        offered = 0
        for half in (0, 1):
            self._cc(CC_DFSELECT, 4, half)
            offered |= self._cc(CC_DF, 4) << (32 * half)
        if not offered >> VIRTIO_F_VERSION_1 & 1:
            raise VirtioGpuError("device does not offer VIRTIO_F_VERSION_1")
        accepted = offered & (want_features | 1 << VIRTIO_F_VERSION_1)
        for half in (0, 1):
            self._cc(CC_GFSELECT, 4, half)
            self._cc(CC_GF, 4, accepted >> (32 * half) & 0xFFFFFFFF)
        self._cc(CC_STATUS, 1, ACKNOWLEDGE | DRIVER | FEATURES_OK)
        if not self._cc(CC_STATUS, 1) & FEATURES_OK:
            raise VirtioGpuError(f"device refused features {accepted:#x}")
        self.features = accepted
        # controlq: descriptors, then the available ring, then the used ring
        self._cc(CC_Q_SELECT, 2, 0)
        size = self._cc(CC_Q_SIZE, 2)
        if size == 0:
            raise VirtioGpuError("controlq has size 0")
        self.qsize = min(size, self.QUEUE_SIZE)
        self._cc(CC_Q_SIZE, 2, self.qsize)
        self.desc, self.avail, self.used = self.ram, self.ram + 0x1000, self.ram + 0x2000
        self.buf = self.ram + 0x10000
        self.qt.write_bytes(self.ram, bytes(0x3000))
        self._cc(CC_Q_DESC, 8, self.desc)
        self._cc(CC_Q_DRIVER, 8, self.avail)
        self._cc(CC_Q_DEVICE, 8, self.used)
        self.notify_at = self.notify + self._cc(CC_Q_NOTIFY_OFF, 2) * self.notify_mult
        self._cc(CC_Q_ENABLE, 2, 1)
        self._cc(CC_STATUS, 1, ACKNOWLEDGE | DRIVER | FEATURES_OK | DRIVER_OK)
        return offered, accepted

    def has(self, bit):
        return bool(self.features >> bit & 1)

    def submit(self, request, response_size, timeout=60):
        """One request/response pair on controlq; returns (response bytes,
        seconds from the notify until the device marked it used)."""
        req_at, resp_at = self.buf, self.buf + 0x8000
        self.qt.write_bytes(req_at, request)
        self.qt.write_bytes(resp_at, bytes(response_size))
        d0 = (self.avail_idx * 2) % self.qsize
        d1 = (d0 + 1) % self.qsize
        self.qt.write_bytes(self.desc + 16 * d0,
                            struct.pack("<QIHH", req_at, len(request), VIRTQ_DESC_F_NEXT, d1))
        self.qt.write_bytes(self.desc + 16 * d1,
                            struct.pack("<QIHH", resp_at, response_size, VIRTQ_DESC_F_WRITE, 0))
        # avail: flags (1 = no interrupts wanted), idx, ring[]
        self.qt.write(self.avail + 4 + 2 * (self.avail_idx % self.qsize), 2, d0)
        self.avail_idx = (self.avail_idx + 1) & 0xFFFF
        self.qt.write(self.avail, 2, 1)
        self.qt.write(self.avail + 2, 2, self.avail_idx)
        t0 = time.monotonic()
        self.qt.write(self.notify_at, 2, 0)
        while True:
            used_idx = self.qt.read(self.used + 2, 2)
            if used_idx == self.avail_idx:
                break
            if time.monotonic() - t0 > timeout:
                raise VirtioGpuError(f"no answer within {timeout} s (used idx {used_idx})")
            time.sleep(0.002)
        elapsed = time.monotonic() - t0
        return self.qt.read_bytes(resp_at, response_size), elapsed

    def command(self, request, response_size=24, want=RESP_OK_NODATA):
        """Submit; check the answer's type.  Returns (response, seconds)."""
        resp, elapsed = self.submit(request, response_size)
        rtype = struct.unpack_from("<I", resp)[0]
        if rtype != want:
            raise VirtioGpuError(f"command {struct.unpack_from('<I', request)[0]:#06x} answered "
                                 f"{RESP_NAMES.get(rtype, hex(rtype))}")
        return resp, elapsed

    # -- the commands --
    def display_info(self):
        """[(enabled, x, y, w, h)] of the 16 scanouts."""
        resp, _ = self.command(hdr(CMD_GET_DISPLAY_INFO), 24 + 16 * 24, RESP_OK_DISPLAY_INFO)
        modes = []
        for i in range(16):
            x, y, w, h, enabled, _flags = struct.unpack_from("<6I", resp, 24 + 24 * i)
            modes.append((enabled, x, y, w, h))
        return modes

    def create_blob(self, resource_id, entries, size):
        """RESOURCE_CREATE_BLOB, blob_mem GUEST, shareable, over ENTRIES
        [(guest-physical address, length)]."""
        req = hdr(CMD_RESOURCE_CREATE_BLOB) + struct.pack(
            "<IIIIQQ", resource_id, BLOB_MEM_GUEST, BLOB_FLAG_USE_SHAREABLE, len(entries), 0, size)
        for addr, length in entries:
            req += struct.pack("<QII", addr, length, 0)
        return self.command(req)[1]

    def set_scanout_blob(self, scanout_id, resource_id, width, height):
        stride = width * 4
        req = hdr(CMD_SET_SCANOUT_BLOB) + struct.pack(
            "<4I6I4I4I", 0, 0, width, height, scanout_id, resource_id, width, height,
            FORMAT_B8G8R8X8_UNORM, 0, stride, 0, 0, 0, 0, 0, 0, 0)
        return self.command(req)[1]

    def flush(self, resource_id, width, height):
        req = hdr(CMD_RESOURCE_FLUSH) + struct.pack("<4III", 0, 0, width, height, resource_id, 0)
        return self.command(req)[1]

    def disable_scanout(self, scanout_id):
        req = hdr(CMD_SET_SCANOUT) + struct.pack("<4III", 0, 0, 0, 0, scanout_id, 0)
        return self.command(req)[1]

    def unref(self, resource_id):
        return self.command(hdr(CMD_RESOURCE_UNREF) + struct.pack("<II", resource_id, 0))[1]
