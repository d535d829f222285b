#!/usr/bin/env bash
# The host agent's wire format: each snapshot is the counters file's lines
# followed by one empty line; bad input is one line and exit 2.  Also the
# socket transport through socat, against a listening socket.
# shellcheck source=vm/tests/lib.sh
. "$(dirname "$0")/lib.sh"
agent=$vm_dir/host/agent

counters=$tmp/stats
printf 'version: 1\ninterconnect: iov\n\tmatches: 3\n\n\tmaps: 2\n' >"$counters"
out=$("$agent" --counters "$counters" --stdout --count 2 --interval 0)
want=$(printf 'version: 1\ninterconnect: iov\n\tmatches: 3\n\tmaps: 2\n\nversion: 1\ninterconnect: iov\n\tmatches: 3\n\tmaps: 2\n\n')
[ "$out" = "$want" ] || fail "framing: got [$out]"

printf 'garbage\n' >"$tmp/bad"
rc=0; err=$("$agent" --counters "$tmp/bad" --stdout --count 1 2>&1) || rc=$?
expect_status 2 "$rc" "wrong format"
expect_contains "$err" "does not start with 'version: N'" "wrong format"
rc=0; err=$("$agent" --counters "$tmp/none" --stdout 2>&1) || rc=$?
expect_status 2 "$rc" "missing file"
rc=0; err=$("$agent" --counters "$counters" --socket "$tmp/nosock" --wait 0 2>&1) || rc=$?
expect_status 2 "$rc" "missing socket"
expect_contains "$err" "no QEMU socket at" "missing socket"

# Socket transport: a listener stands in for QEMU's chardev server.
if command -v socat >/dev/null; then
	socat -u "UNIX-LISTEN:$tmp/sock" "OPEN:$tmp/received,creat" &
	listener=$!
	"$agent" --counters "$counters" --socket "$tmp/sock" --count 1 --wait 5
	wait $listener
	[ "$(cat "$tmp/received")" = "$(printf 'version: 1\ninterconnect: iov\n\tmatches: 3\n\tmaps: 2\n')" ] ||
		fail "socket transport: got [$(cat "$tmp/received")]"
else
	fail "socat not installed (./zcd setup installs it)"
fi
done_testing
