#!/usr/bin/env bash
# qmp.py against a real QEMU monitor (QEMU started paused, no guest): the
# handshake works and a QMP error is one line with exit 1.
# shellcheck source=vm/tests/lib.sh
. "$(dirname "$0")/lib.sh"
qemu=${ZCD_QEMU:-qemu-system-x86_64}
command -v "$qemu" >/dev/null || { fail "QEMU '$qemu' not installed (./zcd setup installs it)"; done_testing; }
"$qemu" -machine none -display none -nodefaults -S -qmp "unix:$tmp/qmp.sock,server=on,wait=off" &
qemu_pid=$!
for _ in $(seq 50); do [ -S "$tmp/qmp.sock" ] && break; sleep 0.1; done
out=$(python3 "$vm_dir/emulated/qmp.py" "$tmp/qmp.sock" query-version) || fail "query-version failed"
expect_contains "$out" '"qemu": {"micro"' "query-version"
rc=0; err=$(python3 "$vm_dir/emulated/qmp.py" "$tmp/qmp.sock" no-such-command 2>&1) || rc=$?
expect_status 1 "$rc" "unknown command"
expect_contains "$err" "qmp: no-such-command:" "unknown command"
python3 "$vm_dir/emulated/qmp.py" "$tmp/qmp.sock" quit >/dev/null || fail "quit failed"
wait $qemu_pid || true
rc=0; python3 "$vm_dir/emulated/qmp.py" "$tmp/qmp.sock" query-version 2>/dev/null || rc=$?
expect_status 2 "$rc" "no QEMU"
done_testing
