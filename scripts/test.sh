#!/usr/bin/env bash
# Runs every test suite of zcdisplay and prints how many tests ran, failed and
# were skipped.  Called by `./zcd test` after setup and build.
#
# A skipped test counts as a failure unless its output names missing hardware
# ("SKIP: missing hardware: ..."); a green run that executed nothing is worse
# than a red one.
set -euo pipefail

usage() {
	cat <<'USAGE'
usage: ./zcd test [--only SUITE]...

Suites, in order: unit+e2e (ctest), fuzz (libFuzzer targets of every parser of
outside input, 20 s each: tests/fuzz/run.sh, docs/fuzzing.md), kernel (KUnit +
checkpatch), vm (emulated SR-IOV VM).  By default all four run; --only
restricts the run to the named suites (ctest, fuzz, kernel, vm).
Each suite script ends with one line "zcd-summary: ran=N failed=N skipped=N".
ZCD_FUZZ_SECONDS sets the fuzzing time per target (default 20).
USAGE
}

only=()
while [ $# -gt 0 ]; do
	case "$1" in
	-h | --help) usage; exit 0 ;;
	--only) only+=("$2"); shift 2 ;;
	*) echo "test: unknown argument '$1' (see --help)" >&2; exit 2 ;;
	esac
done

: "${ZCD_ROOT:?run through ./zcd test}"
: "${ZCD_BUILD:?run through ./zcd test}"
log_dir=$ZCD_ROOT/out/test
mkdir -p "$log_dir"

wanted() {
	[ ${#only[@]} -gt 0 ] || return 0
	local s
	for s in "${only[@]}"; do [ "$s" = "$1" ] && return 0; done
	return 1
}

total_ran=0 total_failed=0 total_skipped=0
failed_suites=()

# run_suite NAME CMD...: runs a suite, tees its log, adds its summary line.
run_suite() {
	local name=$1; shift
	local log=$log_dir/$name.log rc=0
	echo "== suite $name: $*"
	"$@" 2>&1 | tee "$log" || rc=$?
	local line
	line=$(grep -E '^zcd-summary: ' "$log" | tail -n 1 || true)
	if [ -z "$line" ]; then
		echo "test: suite $name printed no summary line (exit $rc); counting it as failed" >&2
		failed_suites+=("$name")
		return
	fi
	local ran failed skipped
	ran=$(sed -E 's/.*ran=([0-9]+).*/\1/' <<<"$line")
	failed=$(sed -E 's/.*failed=([0-9]+).*/\1/' <<<"$line")
	skipped=$(sed -E 's/.*skipped=([0-9]+).*/\1/' <<<"$line")
	total_ran=$((total_ran + ran))
	total_failed=$((total_failed + failed))
	total_skipped=$((total_skipped + skipped))
	if [ "$rc" -ne 0 ] || [ "$failed" -ne 0 ]; then
		failed_suites+=("$name")
	fi
}

ctest_suite() {
	local rc=0
	# Validation layer on for every e2e test: the harness counts its errors.
	ZCD_VALIDATION=1 ctest --test-dir "$ZCD_BUILD" --output-on-failure \
		--output-junit "$log_dir/ctest-junit.xml" -j 2 || rc=$?
	# ctest's junit output tells skips apart from passes; a skip is only
	# allowed when it names missing hardware.
	python3 - "$log_dir/ctest-junit.xml" <<'PY'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
ran = failed = skipped = bad = 0
for tc in root.iter("testcase"):
    status = tc.get("status", "run")
    out = "".join(e.text or "" for e in tc.iter("system-out"))
    if status == "notrun" or tc.find("skipped") is not None:
        skipped += 1
        if "SKIP: missing hardware:" not in out:
            bad += 1
            print(f"test: {tc.get('name')} skipped without naming missing hardware: counted as failed")
        continue
    ran += 1
    if status == "fail" or tc.find("failure") is not None:
        failed += 1
print(f"zcd-summary: ran={ran} failed={failed + bad} skipped={skipped}")
PY
	return $rc
}

if wanted ctest; then run_suite ctest ctest_suite; fi
# Its own clang build (build-fuzz/ next to build/), then about 2 minutes.
if wanted fuzz; then run_suite fuzz "$ZCD_ROOT/tests/fuzz/run.sh"; fi
if wanted kernel && [ -x "$ZCD_ROOT/kernel/zcd-kernel.sh" ]; then
	run_suite kernel "$ZCD_ROOT/kernel/zcd-kernel.sh" test
fi
if wanted vm && [ -x "$ZCD_ROOT/vm/zcd-vm.sh" ]; then
	run_suite vm "$ZCD_ROOT/vm/zcd-vm.sh" emulated-test
fi

echo "== zcdisplay tests: ran $total_ran, failed $total_failed, skipped $total_skipped (logs in out/test/)"
if [ ${#failed_suites[@]} -gt 0 ]; then
	echo "test: FAILED suites: ${failed_suites[*]}" >&2
	exit 1
fi
[ "$total_ran" -gt 0 ] || { echo "test: no test ran" >&2; exit 1; }
