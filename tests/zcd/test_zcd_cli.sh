#!/usr/bin/env bash
# ./zcd as a new user meets it: --help (and `bench --check`, which runs
# nothing) answer at once, without setup or a build; every other command
# still sets up and builds first; ./zcd --help names every step the
# sub-scripts accept.  Runs a copy of ./zcd against stub scripts that record
# what was called.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck source=vm/tests/lib.sh
. "$repo/vm/tests/lib.sh"

root=$tmp/root calls=$tmp/calls
mkdir -p "$root/scripts" "$root/bench" "$root/kernel" "$root/qemu" "$root/vm" "$tmp/bin"
cp "$repo/zcd" "$root/"
# stub PATH...: a script at PATH that appends its name and arguments to $calls.
stub() {
	local p
	for p in "$@"; do
		printf '#!/bin/sh\necho "%s $*" >>"%s"\n' "$(basename "$p")" "$calls" >"$p"
		chmod +x "$p"
	done
}
stub "$root/scripts/setup-debian.sh" "$root/scripts/demo.sh" "$root/scripts/test.sh" \
	"$root/bench/run.sh" "$root/kernel/zcd-kernel.sh" "$root/qemu/zcd-qemu.sh" \
	"$root/vm/zcd-vm.sh" "$tmp/bin/cmake" "$tmp/bin/ccache"

# zcd ARGS...: runs the copy; prints what it called, one call a line.
zcd() {
	: >"$calls"
	PATH=$tmp/bin:$PATH ZCD_CACHE=$tmp/cache ZCD_BUILD=$tmp/build "$root/zcd" "$@" >/dev/null
	cat "$calls"
}

for args in "bench --help" "bench -h" "bench --check" "bench --quick --check" "test --help" \
	"test --only ctest --help" "demo --help" "kernel --help" "qemu --help"; do
	# shellcheck disable=SC2086 # word splitting is the point
	out=$(zcd $args) || fail "./zcd $args exited non-zero"
	expect_absent "$out" "setup-debian.sh" "./zcd $args"
	expect_absent "$out" "cmake" "./zcd $args"
	[ -n "$out" ] || fail "./zcd $args called nothing"
done
expect_contains "$(zcd bench --check)" "run.sh --check" "./zcd bench --check"

# Real runs still set up and build (kernel and qemu: set up) first.
for args in "bench --quick" "test --only ctest" "demo --duration 1"; do
	# shellcheck disable=SC2086
	out=$(zcd $args) || fail "./zcd $args exited non-zero"
	expect_contains "$out" "setup-debian.sh" "./zcd $args"
	expect_contains "$out" "cmake --build" "./zcd $args"
done
# ./zcd build --help prints the usage and runs nothing.
out=$(zcd build --help) || fail "./zcd build --help exited non-zero"
[ -z "$out" ] || fail "./zcd build --help ran: $out"
# Targets (the sanitized suite builds only what its cases run); ZCD_SANITIZE
# reaches CMake.
out=$(ZCD_SANITIZE=address,undefined zcd build zc-compositor zc-stat) || fail "./zcd build TARGETS exited non-zero"
expect_contains "$out" "--target zc-compositor zc-stat" "./zcd build zc-compositor zc-stat"
expect_contains "$out" "-DZCD_SANITIZE=address,undefined" "ZCD_SANITIZE=address,undefined ./zcd build"
expect_contains "$(zcd kernel prepare)" "setup-debian.sh" "./zcd kernel prepare"
expect_contains "$(zcd setup --check)" "setup-debian.sh --check" "./zcd setup --check"

# ./zcd --help names every step of the real sub-scripts (their dispatch
# lines: a step name and ')' at the start of a line).
help=$("$repo/zcd" --help)
for script in vm/zcd-vm.sh kernel/zcd-kernel.sh qemu/zcd-qemu.sh; do
	mapfile -t steps < <(grep -oE '^[a-z][a-z-]*\)' "$repo/$script" | tr -d ')' | grep -vx help)
	[ ${#steps[@]} -ge 4 ] || fail "$script: found only ${#steps[@]} steps"
	for s in "${steps[@]}"; do
		grep -qE "(^|[ |])$s([ |]|$)" <<<"$help" || fail "./zcd --help does not name '$s' ($script)"
	done
done

done_testing
