#!/usr/bin/env bash
# `./zcd bench`: measure zcdisplay against the physical limit and its peers,
# write bench/results/<date>-<host>.json and print the table.  Benchmarks are
# not tests: a missing prerequisite fills its row with the reason, and the
# exit code stays 0 (docs/performance.md).
set -euo pipefail

usage() {
	cat <<'USAGE'
usage: ./zcd bench [--quick] [--check] [options]

Runs the benchmarks (import cost per path and size, copy fallback vs memcpy,
compositor CPU per frame vs weston and sway, commit-to-present latency,
overlay cost, the demo's frame rate and missed vblanks, kernel interconnect
vs legacy map, the seed chain's stage times), writes
bench/results/<date>-<host>.json and prints the table.  See docs/performance.md.

  --quick          short run: 1 client, 3 s, 1 round, fewer import samples,
                   a 5 s demo instead of 15 s
  --check          only print which targets the latest results meet or miss
  --clients N      clients per compositor run (default 2; --quick 1)
  --seconds S      measurement window per compositor run (default 5; --quick 3)
  --rounds N       interleaved rounds per compositor (default 3; --quick 1)
  --only GROUP     run only this group: import, compositors, hotpath, demo
                   (scripts/demo.sh for 15 s: FPS and missed vblanks), kernel,
                   chain (the seed chain's last stage times), or soak (never part
                   of a full run) (repeatable)
  --duration S     soak length in seconds (default 1800: 30 minutes)
USAGE
}

die() { echo "bench: $*" >&2; exit 2; }

root=${ZCD_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
build=${ZCD_BUILD:-$root/build}
harness=$root/bench/harness
args=()
check=0
while [ $# -gt 0 ]; do
	case "$1" in
	-h | --help) usage; exit 0 ;;
	--quick) args+=(--quick); shift ;;
	--check) check=1; shift ;;
	--clients | --rounds)
		[[ ${2:-} =~ ^[1-9][0-9]?$ ]] || die "$1 needs a count 1..99, got '${2:-}'"
		args+=("$1" "$2"); shift 2 ;;
	--seconds)
		if ! [[ ${2:-} =~ ^[0-9]+(\.[0-9]+)?$ ]] || [[ ${2} =~ ^0+(\.0*)?$ ]]; then
			die "--seconds needs positive seconds, got '${2:-}'"
		fi
		args+=("$1" "$2"); shift 2 ;;
	--only)
		case "${2:-}" in import | compositors | hotpath | demo | kernel | chain | soak) ;;
		*) die "--only needs import, compositors, hotpath, demo, kernel, chain or soak, got '${2:-}'" ;;
		esac
		args+=("$1" "$2"); shift 2 ;;
	--duration)
		[[ ${2:-} =~ ^[1-9][0-9]*$ ]] || die "--duration needs whole seconds > 0, got '${2:-}'"
		args+=("$1" "$2"); shift 2 ;;
	*) die "unknown argument '$1' (see --help)" ;;
	esac
done

command -v python3 >/dev/null || die "python3 not found; run ./zcd setup"

if [ $check -eq 1 ]; then
	exec python3 "$harness/check.py" "$root/bench/results"
fi

[ -d "$build/bin" ] || die "no build in $build; run ./zcd build (or ./zcd bench, which builds)"
exec python3 "$harness/zcbench.py" --root "$root" --build "$build" "${args[@]}"
