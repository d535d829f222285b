"""PCI enumeration of the inner machine, as firmware would do it.

With `-accel qtest` no firmware runs, so nobody numbers the buses behind the
PCIe ports or assigns BARs.  This module does the minimum over configuration
mechanism #1 (ports 0xcf8/0xcfc, 256 bytes of config space, enough for bridges
and virtio's vendor capabilities): depth-first bus numbering, BAR sizing, and
one memory window per bridge holding everything below it (prefetchable BARs
included: a bridge forwards by address, and everything fits below 4 GiB here).
I/O BARs are left unassigned; nothing in the chain needs them.
"""

CFG_ADDR, CFG_DATA = 0xCF8, 0xCFC
MEM_WINDOW_ALIGN = 1 << 20  # bridge memory windows have 1 MiB granularity


def align_up(value, align):
    return (value + align - 1) // align * align


class Config:
    """Config space of bus/device/function over ports 0xcf8/0xcfc."""

    def __init__(self, qt):
        self.qt = qt

    def _select(self, bdf, off):
        bus, dev, fn = bdf
        self.qt.outl(CFG_ADDR, 0x80000000 | bus << 16 | dev << 11 | fn << 8 | (off & 0xFC))

    def read(self, bdf, off, width=4):
        self._select(bdf, off)
        port = CFG_DATA + (off & 3)
        return {1: self.qt.inb, 2: self.qt.inw, 4: self.qt.inl}[width](port)

    def write(self, bdf, off, value, width=4):
        self._select(bdf, off)
        port = CFG_DATA + (off & 3)
        {1: self.qt.outb, 2: self.qt.outw, 4: self.qt.outl}[width](port, value)

    def capabilities(self, bdf):
        """[(cap_id, offset)] of the standard capability list."""
        caps, seen = [], set()
        if not self.read(bdf, 0x06, 2) & 0x10:
            return caps
        off = self.read(bdf, 0x34, 1) & 0xFC
        while off and off not in seen:
            seen.add(off)
            caps.append((self.read(bdf, off, 1), off))
            off = self.read(bdf, off + 1, 1) & 0xFC
        return caps


class Function:
    def __init__(self, bdf, vendor, device, is_bridge):
        self.bdf, self.vendor, self.device, self.is_bridge = bdf, vendor, device, is_bridge
        self.bars = {}       # index -> {"size", "is64", "prefetch", "addr"}
        self.children = []   # functions on the secondary bus (bridges only)
        self.secondary = None

    def name(self):
        return "%02x:%02x.%x" % self.bdf

    def walk(self):
        yield self
        for c in self.children:
            yield from c.walk()


def size_bars(cfg, fn, count):
    """Size BARs 0..count-1 of fn (memory only), leaving them unassigned."""
    i = 0
    while i < count:
        off = 0x10 + 4 * i
        orig = cfg.read(fn.bdf, off)
        cfg.write(fn.bdf, off, 0xFFFFFFFF)
        low = cfg.read(fn.bdf, off)
        cfg.write(fn.bdf, off, orig)
        if orig & 1 or low == 0:  # an I/O BAR, or none
            i += 1
            continue
        is64 = (orig >> 1) & 3 == 2
        mask = low & ~0xF
        if is64:
            cfg.write(fn.bdf, off + 4, 0xFFFFFFFF)
            high = cfg.read(fn.bdf, off + 4)
            cfg.write(fn.bdf, off + 4, 0)
            mask |= high << 32
            size = (~mask & 0xFFFFFFFFFFFFFFFF) + 1
        else:
            size = (~mask & 0xFFFFFFFF) + 1
        fn.bars[i] = {"size": size, "is64": is64, "prefetch": bool(orig & 8), "addr": None}
        i += 2 if is64 else 1


def pcie_port_type(cfg, bdf):
    """Device/port type of the PCI Express capability (4 root port, 5 upstream,
    6 downstream), None without one."""
    for cap_id, off in cfg.capabilities(bdf):
        if cap_id == 0x10:
            return (cfg.read(bdf, off + 2, 2) >> 4) & 0xF
    return None


def scan_bus(cfg, bus, next_bus, only_device0=False):
    """Functions on BUS, numbering the buses behind bridges depth first.
    ONLY_DEVICE0: BUS is the link below a PCIe root or downstream port, where
    only device 0 can exist (every config read is a qtest round trip, slow
    under TCG).  Returns (functions, next free bus number)."""
    found = []
    for dev in range(1 if only_device0 else 32):
        for fn_no in range(8):
            bdf = (bus, dev, fn_no)
            ids = cfg.read(bdf, 0x00)
            if ids & 0xFFFF == 0xFFFF:
                if fn_no == 0:
                    break
                continue
            header = cfg.read(bdf, 0x0E, 1)
            fn = Function(bdf, ids & 0xFFFF, ids >> 16, header & 0x7F == 1)
            found.append(fn)
            if fn.is_bridge:
                size_bars(cfg, fn, 2)
                fn.secondary = next_bus
                # primary, secondary, subordinate (open until the scan below returns)
                cfg.write(bdf, 0x18, bus | next_bus << 8 | 0xFF << 16 | (cfg.read(bdf, 0x18) & 0xFF000000))
                fn.children, next_bus = scan_bus(cfg, fn.secondary, next_bus + 1,
                                                 pcie_port_type(cfg, bdf) in (4, 6))
                cfg.write(bdf, 0x1A, next_bus - 1, 1)
            else:
                size_bars(cfg, fn, 6)
            if fn_no == 0 and not header & 0x80:
                break  # not a multi-function device
    return found, next_bus


def assign(cfg, functions, cursor):
    """Assign memory BARs and bridge windows from CURSOR on; returns the new cursor."""
    for fn in functions:
        if fn.is_bridge:
            # the bridge's own BARs decode on its primary side: outside its window
            cursor = assign_bars(cfg, fn, cursor)
            cursor = align_up(cursor, max([MEM_WINDOW_ALIGN] + [b["size"] for c in fn.children
                                                                   for f in c.walk()
                                                                   for b in f.bars.values()]))
            base = cursor
            cursor = assign(cfg, fn.children, cursor)
            cursor = align_up(max(cursor, base + 1), MEM_WINDOW_ALIGN)
            limit = cursor - 1
            # memory window: bits 31:20 in 15:4 of base and limit
            cfg.write(fn.bdf, 0x20, (base >> 16) & 0xFFF0 | ((limit >> 16) & 0xFFF0) << 16)
            # prefetchable window and I/O window off (base above limit)
            cfg.write(fn.bdf, 0x24, 0x0000FFF0)
            cfg.write(fn.bdf, 0x28, 0)
            cfg.write(fn.bdf, 0x2C, 0)
            cfg.write(fn.bdf, 0x1C, 0x00F0, 2)
            fn.window = (base, limit)
        else:
            cursor = assign_bars(cfg, fn, cursor)
        # memory decoding and bus mastering (virtio reads its queues by DMA)
        cfg.write(fn.bdf, 0x04, cfg.read(fn.bdf, 0x04, 2) | 0x6, 2)
    return cursor


def assign_bars(cfg, fn, cursor):
    for i, bar in sorted(fn.bars.items(), key=lambda kv: -kv[1]["size"]):
        cursor = align_up(cursor, bar["size"])
        bar["addr"] = cursor
        off = 0x10 + 4 * i
        cfg.write(fn.bdf, off, cursor & 0xFFFFFFFF)
        if bar["is64"]:
            cfg.write(fn.bdf, off + 4, cursor >> 32)
        cursor += bar["size"]
    return cursor


def enumerate_and_assign(qt, mmio_base):
    """Number the buses, assign every memory BAR from MMIO_BASE on.
    Returns (Config, [top-level functions])."""
    cfg = Config(qt)
    functions, _ = scan_bus(cfg, 0, 1)
    assign(cfg, functions, mmio_base)
    return cfg, functions


def find(functions, vendor, device):
    for top in functions:
        for fn in top.walk():
            if fn.vendor == vendor and fn.device == device:
                return fn
    return None


def path_to(functions, target):
    """Bridges from the root bus down to TARGET, as [Function...]."""
    for top in functions:
        if top is target:
            return []
        if top.is_bridge:
            sub = path_to(top.children, target)
            if sub is not None:
                return [top] + sub
    return None
