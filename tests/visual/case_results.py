"""The results file of a visual run over many cases (visual.py --results).

One line per case, "visual.<case><TAB><status><TAB><detail>", the line format
of the emulated VM's results.tsv, so its host side counts these lines like
its other checks (vm/README.md).  Statuses:

  pass   the case's checks passed
  fail   they failed, or the case could not run; detail says why
  skip   a device is missing; detail starts with "missing hardware: "
  shown  the case ran and its captures wait for the checks (visual.py
         --show-only, then --judge on a faster machine)

A line is appended (and flushed) as soon as its case is decided, so a run
cut short still reports every case it finished.
"""
import os

PREFIX = "visual."
STATUSES = ("pass", "fail", "skip", "shown")
MISSING_HARDWARE = "missing hardware: "


class ResultsError(Exception):
    """A results file line that does not follow the format; one line."""


def append(path, case, status, detail):
    if status not in STATUSES:
        raise ValueError(f"unknown status {status!r}")
    if status == "skip" and not detail.startswith(MISSING_HARDWARE):
        raise ValueError(f"a skip must name the missing hardware: {detail!r}")
    # One line each: tabs and newlines in a detail would break the format.
    detail = " ".join(detail.replace("\t", " ").split())
    with open(path, "a") as f:
        f.write(f"{PREFIX}{case}\t{status}\t{detail}\n")
        f.flush()
        os.fsync(f.fileno())


def read(path):
    """[(case, status, detail)] in file order; ResultsError on a bad line."""
    rows = []
    with open(path) as f:
        for number, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line:
                continue
            parts = line.split("\t")
            where = f"{path}:{number}"
            if len(parts) != 3:
                raise ResultsError(f"{where}: {len(parts)} tab-separated fields, expected 3")
            name, status, detail = parts
            if not name.startswith(PREFIX) or len(name) == len(PREFIX):
                raise ResultsError(f"{where}: check name '{name}' does not start with '{PREFIX}'")
            if status not in STATUSES:
                raise ResultsError(f"{where}: unknown status '{status}'")
            if status == "skip" and not detail.startswith(MISSING_HARDWARE):
                raise ResultsError(f"{where}: a skip that names no missing hardware: '{detail}'")
            rows.append((name[len(PREFIX):], status, detail))
    return rows
