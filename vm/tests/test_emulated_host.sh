#!/usr/bin/env bash
# The host side of ./zcd vm emulated-test with a fake guest (fake-qemu-guest.sh
# around a real, paused, kernel-less QEMU): the agent is started on QEMU's
# socket, the screendump request is answered over QMP, the relayed counters
# are compared, unreported checks fail by name, and the summary line counts
# every check of checks.txt.
# shellcheck source=vm/tests/lib.sh
. "$(dirname "$0")/lib.sh"
command -v qemu-system-x86_64 >/dev/null || { fail "qemu-system-x86_64 not installed"; done_testing; }
rc=0
# No build directory: the pixel check judges images (zc-verify has its own tests).
out=$(ZCD_BUILD=$tmp/no-build "$vm_dir/emulated/emulated-test.sh" --kernel /dev/null --no-build --out "$tmp/out" \
	--qemu "$vm_dir/tests/fake-qemu-guest.sh" --timeout 60 2>&1) || rc=$?
expect_status 1 "$rc" "fake guest run"
# The seed chain's checks follow (vm/chain): a distribution QEMU has no qtest
# accelerator, so chain-test.sh fails them all naming that prerequisite.
n=$(($(grep -cvE '^(#|$)' "$vm_dir/emulated/checks.txt") + $(grep -cvE '^(#|$)' "$vm_dir/chain/checks.txt")))
expect_contains "$out" "zcd-summary: ran=$n failed=$((n - 3)) skipped=0" "summary"
expect_contains "$out" "agent.transport                pass" "relayed counters"
expect_contains "$out" "boot                           pass" "boot"
expect_contains "$out" "compositor.host-screendump     FAIL  share/screendump.png: SMPTE bars missing" "blank screendump"
expect_contains "$out" "kernel.sriov-vf-vfio           FAIL  not reported by the guest" "unreported check"
expect_contains "$out" "first failing check: kernel.sriov-vf-vfio" "first failure"
expect_contains "$out" "chain.outer-vf-iommu           FAIL  missing prerequisite:" "chain prerequisite"
expect_contains "$out" "QEMU lacks the qtest accelerator" "chain names the qtest accelerator"
[ -s "$tmp/out/share/screendump.png" ] || fail "no screendump.png written by QMP"
done_testing
