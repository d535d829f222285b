#!/usr/bin/env python3
"""Fail when docs/options.md and the code disagree.

Every flag a program prints in --help must have a row in that program's
section of docs/options.md, and every documented flag must appear in --help.
Every environment variable read with getenv() in C++ or as ${ZCD_*} in the
shell scripts must have a row under "## Environment", and every documented
variable must be read somewhere.  (MangoHud checks its option list against
its README the same way.)
"""
import os
import re
import subprocess
import sys

# docs section -> command printing that program's --help (relative to repo/build)
PROGRAMS = {
    "zc-compositor": ["{bin}/zc-compositor"],
    "zc-client": ["{bin}/zc-client"],
    "zc-stat": ["{bin}/zc-stat"],
    "zc-verify": ["{bin}/zc-verify"],
    "zc-vfio-dmabuf": ["{bin}/zc-vfio-dmabuf"],
    "zc-kstat": ["{bin}/zc-kstat"],
    "zc-inner-scanout": ["{bin}/zc-inner-scanout"],
    "zcd vm": ["{root}/vm/zcd-vm.sh"],
    "zcd bench": ["{root}/bench/run.sh"],
    "zcd kernel": ["{root}/kernel/zcd-kernel.sh"],
    "zcd qemu": ["{root}/qemu/zcd-qemu.sh"],
    "zcd test": ["{root}/scripts/test.sh"],
    "tests/fuzz/run.sh": ["{root}/tests/fuzz/run.sh"],
    "zcd demo": ["{root}/scripts/demo.sh"],
    "zcd setup": ["{root}/scripts/setup-debian.sh"],
}
FLAG_RE = re.compile(r"(?<![\w-])(--[a-z0-9][a-z0-9-]*)")
ROW_FLAG_RE = re.compile(r"^\|\s*`(--[a-z0-9][a-z0-9-]*)")
ROW_ENV_RE = re.compile(r"^\|\s*`([A-Z][A-Z0-9_]+)`")
GETENV_RE = re.compile(r'getenv\(\s*"([A-Z][A-Z0-9_]+)"')
SHELL_ENV_RE = re.compile(r"\$\{?(ZCD_[A-Z0-9_]+)")
# Flags every program has; documented once in the page's introduction.
COMMON_FLAGS = {"--help"}


def parse_doc(path):
    sections, current = {}, None
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = re.match(r"^## (.+?)\s*$", line)
            if m:
                current = m.group(1)
                sections.setdefault(current, set())
                continue
            if current is None:
                continue
            rm = (ROW_ENV_RE if current == "Environment" else ROW_FLAG_RE).match(line)
            if rm:
                sections[current].add(rm.group(1))
    return sections


def help_flags(cmd):
    try:
        out = subprocess.run(cmd + ["--help"], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired) as e:
        return None, str(e)
    if out.returncode != 0:
        return None, f"--help exited {out.returncode}"
    return set(FLAG_RE.findall(out.stdout + out.stderr)) - COMMON_FLAGS, None


def source_env_vars(root):
    found = {}
    for top in ("app", "renderer", "common", "client_core", "interconnect_client", "tools", "bench", "vm",
                "kernel", "qemu", "scripts", "tests", "include"):
        for dirpath, _, files in os.walk(os.path.join(root, top)):
            for name in files:
                p = os.path.join(dirpath, name)
                if name.endswith((".cpp", ".hpp", ".h", ".c")):
                    regex = GETENV_RE
                elif name.endswith(".sh") or name == "zcd":
                    regex = SHELL_ENV_RE
                else:
                    continue
                with open(p, encoding="utf-8", errors="replace") as f:
                    for var in regex.findall(f.read()):
                        found.setdefault(var, os.path.relpath(p, root))
    with open(os.path.join(root, "zcd"), encoding="utf-8") as f:
        for var in SHELL_ENV_RE.findall(f.read()):
            found.setdefault(var, "zcd")
    return found


def main():
    if len(sys.argv) != 3:
        print("usage: check_options.py REPO_ROOT BIN_DIR", file=sys.stderr)
        return 2
    root, bindir = sys.argv[1], sys.argv[2]
    doc = parse_doc(os.path.join(root, "docs", "options.md"))
    problems = []
    for section, template in PROGRAMS.items():
        cmd = [part.format(bin=bindir, root=root) for part in template]
        exists = os.path.exists(cmd[0])
        if section not in doc:
            if exists:
                problems.append(f"{section}: program exists but docs/options.md has no '## {section}' section")
            continue
        if not exists:
            problems.append(f"{section}: documented but {cmd[0]} does not exist")
            continue
        flags, err = help_flags(cmd)
        if flags is None:
            problems.append(f"{section}: cannot read --help ({err})")
            continue
        for f in sorted(flags - doc[section]):
            problems.append(f"{section}: {f} is in --help but not in docs/options.md")
        for f in sorted(doc[section] - flags):
            problems.append(f"{section}: {f} is documented but not in --help")
    env_code = source_env_vars(root)
    env_doc = doc.get("Environment", set())
    for var in sorted(set(env_code) - env_doc):
        problems.append(f"Environment: {var} is read in {env_code[var]} but not documented")
    for var in sorted(env_doc - set(env_code)):
        problems.append(f"Environment: {var} is documented but read nowhere")
    for p in problems:
        print(p)
    checked = sum(1 for s in PROGRAMS if s in doc)
    print(f"checked {checked} programs and {len(env_doc)} environment variables: "
          f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
