#!/usr/bin/env python3
"""Print a results file's table as Markdown (for docs/performance.md),
judged with the current targets: to_markdown.py RESULTS.json"""
import json
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from rows import Row, render_markdown  # noqa: E402
from targets import judge  # noqa: E402


def main(argv):
    if len(argv) != 1:
        print("usage: to_markdown.py RESULTS.json", file=sys.stderr)
        return 2
    try:
        with open(argv[0]) as f:
            doc = json.load(f)
    except (OSError, json.JSONDecodeError) as e:
        print(f"to_markdown: cannot read {argv[0]}: {e}", file=sys.stderr)
        return 2
    verdicts, _ = judge(doc["rows"])
    fields = set(Row.__dataclass_fields__)
    rows = [Row(**{k: v for k, v in r.items() if k in fields}) for r in doc["rows"]]
    print(render_markdown(rows, verdicts), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
