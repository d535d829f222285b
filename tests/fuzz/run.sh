#!/usr/bin/env bash
# The fuzz suite of ./zcd test (docs/fuzzing.md): builds the libFuzzer
# targets of tests/fuzz/ with clang into their own build directory, then for
# each target replays its seed corpus (every file once: the regression part)
# and fuzzes for a bounded time on a scratch copy of the corpus, so the
# repository's corpus is never written.  A crash, leak, timeout or
# out-of-memory fails the target and prints the reproducer's path.
set -euo pipefail

usage() {
	cat <<'USAGE'
usage: tests/fuzz/run.sh [--seconds N] [--only TARGET]... [--replay-only] [--list]

  --seconds N     fuzz each target for N seconds (default $ZCD_FUZZ_SECONDS or 20)
  --only TARGET   run only this target (repeatable)
  --replay-only   only replay the seed corpora, no fuzzing
  --list          print the target names and exit
Ends with "zcd-summary: ran=N failed=N skipped=0" (one test per target).
Environment: ZCD_FUZZ_BUILD (default ${ZCD_BUILD}-fuzz), ZCD_FUZZ_OUT (scratch
corpora and reproducers, default out/test/fuzz), ZCD_CACHE (ccache).
USAGE
}

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=${ZCD_ROOT:-$(cd "$here/../.." && pwd)}
targets=(kstat_text host_snapshots stat_input stats_lines png)
# Seed directories besides tests/fuzz/corpus/<target>: existing test data.
extra_seeds() {
	case "$1" in
	kstat_text) echo "$root/tests/data/kstat" ;;
	png) echo "$root/tests/references" ;;
	esac
}

seconds=${ZCD_FUZZ_SECONDS:-20} replay_only=0 only=()
while [ $# -gt 0 ]; do
	case "$1" in
	-h | --help) usage; exit 0 ;;
	--list) printf '%s\n' "${targets[@]}"; exit 0 ;;
	--seconds)
		if [ $# -lt 2 ] || ! [[ $2 =~ ^[1-9][0-9]*$ ]]; then
			echo "fuzz: --seconds needs a positive whole number" >&2; exit 2
		fi
		seconds=$2; shift 2 ;;
	--only)
		if [ $# -lt 2 ] || [[ " ${targets[*]} " != *" $2 "* ]]; then
			echo "fuzz: --only needs one of: ${targets[*]}" >&2; exit 2
		fi
		only+=("$2"); shift 2 ;;
	--replay-only) replay_only=1; shift ;;
	*) echo "fuzz: unknown argument '$1' (see --help)" >&2; exit 2 ;;
	esac
done
[ ${#only[@]} -eq 0 ] || targets=("${only[@]}")

build=${ZCD_FUZZ_BUILD:-${ZCD_BUILD:-$root/build}-fuzz}
out=${ZCD_FUZZ_OUT:-$root/out/test/fuzz}
cache=${ZCD_CACHE:-/var/cache/zcdisplay}
mkdir -p "$cache/ccache" "$out"
export CCACHE_DIR=${CCACHE_DIR:-$cache/ccache}
export CCACHE_BASEDIR=$root CCACHE_NOHASHDIR=1

summary() { echo "zcd-summary: ran=$1 failed=$2 skipped=0"; }

command -v clang++ >/dev/null || { echo "fuzz: clang++ not installed (./zcd setup installs it)"; summary 0 1; exit 1; }
echo "fuzz: building ${targets[*]} in $build"
start=$(date +%s)
gen=()
[ -f "$build/CMakeCache.txt" ] || gen=(-G Ninja)
if ! { CC=clang CXX=clang++ cmake -S "$root" -B "$build" "${gen[@]}" -DZCD_FUZZ_ONLY=ON \
	-DCMAKE_BUILD_TYPE= -DCMAKE_CXX_COMPILER_LAUNCHER=ccache >/dev/null &&
	cmake --build "$build" -j "$(nproc)" --target "${targets[@]}"; }; then
	echo "fuzz: the fuzz build failed"
	summary 0 1
	exit 1
fi
echo "fuzz: build took $(($(date +%s) - start)) s"

# Leaks are findings too; UBSan reports abort (the build adds
# -fno-sanitize-recover) so libFuzzer saves the input.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
# Per input: 10 s is a hang, 1 GiB a runaway allocation (the machines are
# shared; a parser of a file of a few KiB needs far less).
limits=(-timeout=10 -rss_limit_mb=1024 -malloc_limit_mb=1024)

ran=0 failed=0
for t in "${targets[@]}"; do
	ran=$((ran + 1))
	bin=$build/bin/$t
	scratch=$out/$t
	rm -rf "$scratch"
	mkdir -p "$scratch/corpus" "$scratch/artifacts"
	seeds=("$here/corpus/$t")
	extra=$(extra_seeds "$t")
	[ -z "$extra" ] || seeds+=("$extra")
	mapfile -t files < <(find "${seeds[@]}" -type f ! -name '*.md' | sort)
	if [ ${#files[@]} -eq 0 ]; then
		echo "fuzz: $t: FAILED: no seed inputs in ${seeds[*]}"
		failed=$((failed + 1)); continue
	fi
	# Regression: every seed (and every past finding) once.
	if ! "$bin" "${limits[@]}" "${files[@]}" >"$scratch/replay.log" 2>&1; then
		bad=$(grep -E '^Running: ' "$scratch/replay.log" | tail -n 1 | sed 's/^Running: //')
		tail -n 30 "$scratch/replay.log"
		echo "fuzz: $t: FAILED on corpus replay; reproducer: $bad (log $scratch/replay.log)"
		failed=$((failed + 1)); continue
	fi
	echo "fuzz: $t: replayed ${#files[@]} seed inputs"
	[ $replay_only -eq 0 ] || continue
	# Numbered copies: seeds of the same name in two folders stay apart.
	i=0
	for f in "${files[@]}"; do
		i=$((i + 1))
		cp "$f" "$scratch/corpus/$i-$(basename "$f")"
	done
	if ! "$bin" "${limits[@]}" -max_total_time="$seconds" -print_final_stats=1 \
		-artifact_prefix="$scratch/artifacts/" "$scratch/corpus" >"$scratch/fuzz.log" 2>&1; then
		tail -n 40 "$scratch/fuzz.log"
		for a in "$scratch"/artifacts/*; do
			[ -e "$a" ] && echo "fuzz: $t: reproducer: $a (replay: $bin $a)"
		done
		echo "fuzz: $t: FAILED after fuzzing (log $scratch/fuzz.log)"
		failed=$((failed + 1)); continue
	fi
	execs=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+)/\1/p' "$scratch/fuzz.log")
	cov=$(grep -oE 'cov: [0-9]+' "$scratch/fuzz.log" | tail -n 1)
	echo "fuzz: $t: ok, ${seconds} s, ${execs:-?} inputs, $cov, corpus $(find "$scratch/corpus" -type f | wc -l) files"
done
summary "$ran" "$failed"
[ "$failed" -eq 0 ]
