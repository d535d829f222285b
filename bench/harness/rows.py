"""Rows of the benchmark table and the results file.

A row is one number (usually a ratio of two things measured in the same run)
or, when a prerequisite is missing, the precise reason instead of a number.
Never a made-up value: `value` is None exactly when `missing` is set.
"""
from dataclasses import dataclass, field, asdict
from typing import Optional


@dataclass
class Row:
    id: str                 # stable key, used by targets and --check
    group: str              # table section
    label: str              # what it is, in words
    value: Optional[float] = None
    unit: str = ""
    missing: Optional[str] = None   # why there is no value
    details: dict = field(default_factory=dict)  # the parts of the ratio, raw figures
    note: str = ""          # one short line for the table (e.g. the ratio's parts)

    def to_json(self):
        d = asdict(self)
        return {k: v for k, v in d.items() if v not in (None, {}, "") or k in ("value",)}


def measured(id, group, label, value, unit, note="", **details):
    return Row(id=id, group=group, label=label, value=float(value), unit=unit, details=details,
               note=note)


def missing(id, group, label, reason, unit="", **details):
    return Row(id=id, group=group, label=label, value=None, unit=unit, missing=reason,
               details=details)


def fmt_value(v, unit):
    if v is None:
        return "-"
    if unit in ("bytes", "frames", "clients", "fds"):
        return f"{v:,.0f}"
    if abs(v) >= 100:
        return f"{v:,.1f}"
    if abs(v) >= 1:
        return f"{v:.3f}"
    return f"{v:.4f}"


def grouped(rows):
    """Rows with each group's rows together, groups in order of first appearance."""
    order = {}
    for r in rows:
        order.setdefault(r.group, len(order))
    return sorted(rows, key=lambda r: order[r.group])  # stable: row order kept in a group


def render_table(rows, verdicts):
    """Plain-text table, grouped; verdicts maps row id -> 'met'/'MISSED'/...."""
    rows = grouped(rows)
    lines = []
    width = max([len(r.label) for r in rows] + [20])
    width = min(width, 58)
    group = None
    for r in rows:
        if r.group != group:
            group = r.group
            lines.append("")
            lines.append(f"== {group}")
        label = r.label if len(r.label) <= width else r.label[: width - 1] + "~"
        if r.missing:
            lines.append(f"  {label:<{width}}  {'n/a':>12}  missing: {r.missing}")
            continue
        extra = "  ".join(x for x in (r.note, verdicts.get(r.id, "")) if x)
        lines.append(f"  {label:<{width}}  {fmt_value(r.value, r.unit):>12} {r.unit:<6} {extra}")
    return "\n".join(lines)


def render_markdown(rows, verdicts):
    """The same table as Markdown, for docs/performance.md."""
    rows = grouped(rows)
    out, group = [], None
    for r in rows:
        if r.group != group:
            group = r.group
            out += ["", f"**{group}**", "", "| row | value | | notes |", "| --- | ---: | --- | --- |"]
        if r.missing:
            out.append(f"| {r.label} | n/a | | missing: {r.missing} |")
            continue
        extra = "; ".join(x for x in (r.note, verdicts.get(r.id, "")) if x)
        out.append(f"| {r.label} | {fmt_value(r.value, r.unit)} | {r.unit} | {extra} |")
    return "\n".join(out).lstrip("\n") + "\n"
