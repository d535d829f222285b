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

Suites, in order: ctest (unit + e2e + hostile + visual; the visual cases of
the device buffer sources only when the vm suite does not run), asan (the
e2e and hostile cases again against an ASan+UBSan build of the userland in
$ZCD_BUILD-asan; any sanitizer report, leaks included, fails its test;
docs/sanitizers.md), fuzz (libFuzzer targets of every parser of outside
input, 20 s each: tests/fuzz/run.sh, docs/fuzzing.md), kernel (KUnit +
checkpatch), vm (emulated SR-IOV VM; it runs the device-source visual cases
where their devices exist).  By default all of them run; --only restricts
the run to the named suites.
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

# vm_suite_runs: the vm suite is part of this run.
vm_suite_runs() { wanted vm && [ -x "$ZCD_ROOT/vm/zcd-vm.sh" ]; }

ctest_suite() {
	local rc=0 exclude=()
	# The visual cases of the device buffer sources (udmabuf, gbm, Vulkan
	# export; label device_source) need devices the build machines lack:
	# the vm suite runs them in the emulated VM, where they exist, and
	# counts them.  Here they run only when the vm suite does not.
	if vm_suite_runs; then
		exclude=(-LE device_source)
		echo "test: the device-source visual cases (ctest label device_source) run in the vm suite"
	fi
	# Validation layer on for every e2e test: the harness counts its errors.
	ZCD_VALIDATION=1 ctest --test-dir "$ZCD_BUILD" --output-on-failure "${exclude[@]}" \
		--output-junit "$log_dir/ctest-junit.xml" -j 2 || rc=$?
	junit_summary "$log_dir/ctest-junit.xml" 0
	return $rc
}

# junit_summary FILE EXTRA_FAILED: the summary line of a ctest junit file,
# EXTRA_FAILED added to its failures.  ctest's junit output tells skips
# apart from passes; a skip is only allowed when it names missing hardware.
junit_summary() {
	python3 - "$1" "$2" <<'PY'
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
print(f"zcd-summary: ran={ran} failed={failed + bad + int(sys.argv[2])} skipped={skipped}")
PY
}

# The programs the e2e and hostile cases run; the sanitized build makes only
# these (the unit tests already run in the ctest suite).
asan_targets=(zc-compositor zc-client zc-test-client zc-stat zc-verify client_stripe_probe)

asan_suite() {
	local build=$ZCD_BUILD-asan reports=$log_dir/sanitizer-reports rc=0
	rm -rf "$reports" && mkdir -p "$reports"
	if ! ZCD_BUILD=$build ZCD_SANITIZE=address,undefined "$ZCD_ROOT/zcd" build "${asan_targets[@]}"; then
		echo "test: the sanitized build failed"
		echo "zcd-summary: ran=0 failed=1 skipped=0"
		return 1
	fi
	# Any report is fatal and lands where the harness finds it and fails the
	# test (tests/harness/zcd_harness.py: ASan and LSan in log_path files,
	# UBSan in the test's logs): ASan stops at the first error,
	# UBSan too (-fno-sanitize-recover=all, see CMakeLists.txt), LSan checks
	# at every sanitized process's exit.  Only third-party libraries are
	# suppressed, by name, each with its reason in the file.
	ASAN_OPTIONS=halt_on_error=1:detect_leaks=1:check_initialization_order=1 \
	LSAN_OPTIONS=suppressions=$ZCD_ROOT/tests/sanitizers/lsan.supp:print_suppressions=0 \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	ZCD_SANITIZER_REPORTS=$reports \
		ctest --test-dir "$build" -L '^(e2e|hostile)$' --output-on-failure \
		--output-junit "$log_dir/asan-junit.xml" -j 2 || rc=$?
	# A report the harness did not see (from a process still running when
	# its test ended) is not in a *.reported folder; it fails the suite.
	local stray
	stray=$(find "$reports" -type f -not -path '*.reported/*' | wc -l)
	if [ "$stray" -gt 0 ]; then
		echo "test: $stray sanitizer report(s) under $reports:"
		find "$reports" -type f -not -path '*.reported/*' -exec sh -c 'echo "== $1"; cat "$1"' _ {} \;
	fi
	junit_summary "$log_dir/asan-junit.xml" "$stray"
	return $rc
}

if wanted ctest; then run_suite ctest ctest_suite; fi
if wanted asan; then run_suite asan asan_suite; fi
# Its own clang build (build-fuzz/ next to build/), then about 2 minutes.
if wanted fuzz; then run_suite fuzz "$ZCD_ROOT/tests/fuzz/run.sh"; fi
if wanted kernel && [ -x "$ZCD_ROOT/kernel/zcd-kernel.sh" ]; then
	run_suite kernel "$ZCD_ROOT/kernel/zcd-kernel.sh" test
fi
if vm_suite_runs; then
	run_suite vm "$ZCD_ROOT/vm/zcd-vm.sh" emulated-test
fi

echo "== zcdisplay tests: ran $total_ran, failed $total_failed, skipped $total_skipped (logs in out/test/)"
if [ ${#failed_suites[@]} -gt 0 ]; then
	echo "test: FAILED suites: ${failed_suites[*]}" >&2
	exit 1
fi
[ "$total_ran" -gt 0 ] || { echo "test: no test ran" >&2; exit 1; }
