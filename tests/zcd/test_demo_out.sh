#!/usr/bin/env bash
# scripts/demo.sh --out never wipes a folder the user made: an existing
# non-empty directory without the demo's marker, or a file, is refused with
# one line and exit 1, and is left as it was.  (The binaries are stubs: the
# refusal comes before anything runs.)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck source=vm/tests/lib.sh
. "$repo/vm/tests/lib.sh"

mkdir -p "$tmp/build/bin"
for p in zc-compositor zc-client; do
	printf '#!/bin/sh\nexit 0\n' >"$tmp/build/bin/$p"
	chmod +x "$tmp/build/bin/$p"
done

# refused PATH WHAT: demo.sh --out PATH must exit 1 with one line naming PATH.
refused() {
	local rc=0 err
	err=$(ZCD_BUILD=$tmp/build "$repo/scripts/demo.sh" --duration 0 --out "$1" 2>&1 >/dev/null) || rc=$?
	[ "$rc" -eq 1 ] || fail "$2: exit $rc, expected 1"
	[ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] || fail "$2: not one line: $err"
	case $err in *"$1"*) ;; *) fail "$2: the line does not name $1: $err" ;; esac
}

mkdir -p "$tmp/mine"
echo "keep me" >"$tmp/mine/notes.txt"
refused "$tmp/mine" "a folder of the user's"
[ "$(cat "$tmp/mine/notes.txt")" = "keep me" ] || fail "the user's file was changed"

echo "a file" >"$tmp/file"
refused "$tmp/file" "a file"
[ "$(cat "$tmp/file")" = "a file" ] || fail "the user's file was changed"

done_testing
