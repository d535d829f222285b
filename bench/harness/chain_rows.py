"""Chain rows: the seed chain's stage times (vm/README.md, "The seed chain").

The chain runs in a VM of its own after the emulated test's main VM
(`./zcd vm emulated-test`) or alone (`./zcd vm chain-test`); its judge
(vm/chain/chain_report_check.py) writes chain/timings.json:
  {"inner": "qtest"|"guest", "clock": "...",
   "stages": {KEY: {"label": "...", "value": MS or null}, ...}}
The bench does not boot that VM (6-9 minutes here, more with --inner guest):
it reads the newest timings.json either run left and says which run and how
old it is.  One row per stage, in milliseconds (the inner guest's boot in
seconds); docs/performance.md says what each stage starts and ends with.
"""
import datetime
import json
import os

from rows import measured, missing

G = "chain: the seed chain's stages (emulated VM, nested QEMU)"
# (stage key, unit, short label), in the order the chain runs them; the
# chain's own label (what was timed in its mode) goes into the row's details
STAGES = (
    ("frame_write_ms", "ms", "frame write into the VF's memory"),
    ("blob_create_ms", "ms", "blob create"),
    ("qemu_blob_to_dmabuf_ms", "ms", "QEMU: blob command to vfio dma-buf"),
    ("set_scanout_ms", "ms", "set scanout"),
    ("flush_ms", "ms", "flush"),
    ("screendump_ms", "ms", "QMP screendump"),
    ("interconnect_map_ms", "ms", "PF: interconnect map"),
    ("pf_import_first_read_ms", "ms", "PF: import and first read of the frame"),
    ("inner_boot_to_scanout_s", "s", "inner guest: QEMU start to scanout"),
)
SOURCES = (  # (path under the checkout, what wrote it)
    (("out", "vm-emulated", "chain", "share", "chain", "timings.json"), "./zcd vm emulated-test"),
    (("out", "vm-chain", "share", "chain", "timings.json"), "./zcd vm chain-test"),
)


def newest(root):
    """(path, what wrote it) of the newest timings.json, or (None, None)."""
    found = [(os.path.getmtime(p), p, who) for p, who in
             ((os.path.join(root, *parts), who) for parts, who in SOURCES) if os.path.exists(p)]
    if not found:
        return None, None
    _, path, who = max(found)
    return path, who


def rows_from(doc, source, when):
    """The rows of one timings.json (already parsed); WHEN is the short note."""
    inner = doc.get("inner", "?")
    stages = doc.get("stages", {})
    out = []
    for key, unit, short in STAGES:
        rid = f"chain.{key}"
        label = f"{short} (inner: {inner})"
        st = stages.get(key)
        if st is None:
            if key == "inner_boot_to_scanout_s" and inner != "guest":
                continue  # only a real inner guest boots
            out.append(missing(rid, G, label, f"not in the chain's timings ({source})", unit=unit))
            continue
        if st.get("value") is None:
            out.append(missing(rid, G, label, f"the chain measured no value ({source})", unit=unit))
            continue
        out.append(measured(rid, G, label, st["value"], unit, note=when, inner=inner, source=source,
                            timed=st.get("label", key)))
    return out


def run(args, run_dir):
    del run_dir  # the chain's own artefacts stay where its run wrote them
    path, who = newest(args.root)
    if path is None:
        return [missing("chain.stages", G, "the seed chain's stage times",
                        "no chain timings.json: run ./zcd vm emulated-test or ./zcd vm chain-test "
                        "(the bench does not boot the chain's VM)")]
    mtime = datetime.datetime.fromtimestamp(os.path.getmtime(path), datetime.timezone.utc)
    when = f"{who}, {mtime.strftime('%Y-%m-%d %H:%M')} UTC"
    source = f"last {who} ({mtime.isoformat(timespec='minutes')}, {os.path.relpath(path, args.root)})"
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except (OSError, ValueError) as e:
        return [missing("chain.stages", G, "the seed chain's stage times",
                        f"{os.path.relpath(path, args.root)} unreadable: {e}")]
    return rows_from(doc, source, when)
