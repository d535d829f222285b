# shellcheck shell=bash
# Assertions for the VM script tests (sourced).
set -euo pipefail
# shellcheck disable=SC2034 # used by the tests that source this file
vm_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0

fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}

# expect_contains TEXT NEEDLE WHAT
expect_contains() {
	grep -qF -- "$2" <<<"$1" || fail "$3: expected '$2' in: $1"
}

# expect_absent TEXT NEEDLE WHAT
expect_absent() {
	if grep -qF -- "$2" <<<"$1"; then fail "$3: did not expect '$2' in: $1"; fi
}

# expect_status WANT GOT WHAT
expect_status() {
	[ "$1" = "$2" ] || fail "$3: exit status $2, expected $1"
}

done_testing() {
	if [ $failures -gt 0 ]; then
		echo "$failures assertion(s) failed"
		exit 1
	fi
	echo "all assertions passed"
}
