#!/usr/bin/env bash
# The host side of ./zcd vm emulated-test with a fake guest (fake-qemu-guest.sh
# around a real, paused, kernel-less QEMU): the agent is started on QEMU's
# socket, the screendump request is answered over QMP, the relayed counters
# are compared, unreported checks fail by name, the visual cases the guest
# reported are judged and counted (a case the guest skipped for missing
# hardware fails: the guest has those devices), and the summary line counts
# every check of checks.txt.
# shellcheck source=vm/tests/lib.sh
. "$(dirname "$0")/lib.sh"
command -v qemu-system-x86_64 >/dev/null || { fail "qemu-system-x86_64 not installed"; done_testing; }
rc=0
# No build directory: the pixel check judges images (zc-verify has its own tests).
out=$(ZCD_BUILD=$tmp/no-build "$vm_dir/emulated/emulated-test.sh" --kernel /dev/null --no-build --out "$tmp/out" \
	--qemu "$vm_dir/tests/fake-qemu-guest.sh" --timeout 60 2>&1) || rc=$?
expect_status 1 "$rc" "fake guest run"
# checks.txt's visual.<case> line is one check per device-source visual case;
# the one the fake guest skipped (missing hardware) fails: the emulated guest
# has every device those cases need.
# The seed chain's checks follow (vm/chain): a distribution QEMU has no qtest
# accelerator, so chain-test.sh fails them all naming that prerequisite.
n=$(grep -cvE '^(#|$)' "$vm_dir/emulated/checks.txt")
n_chain=$(grep -cvE '^(#|$)' "$vm_dir/chain/checks.txt")
n_visual=$(python3 "$vm_dir/../tests/visual/visual.py" --list-device | tr ';' '\n' | grep -c .)
ran=$((n - 1 + n_visual + n_chain))
expect_contains "$out" "zcd-summary: ran=$ran failed=$((ran - 4)) skipped=0" "summary"
expect_contains "$out" "visual.smpte-udmabuf-160x120-x1 FAIL  the emulated guest must have this device: missing hardware: fake: no /dev/udmabuf" "visual skip is a failure"
expect_contains "$out" "visual.smpte-gbm-160x120-x1    FAIL  fake: zc-client exited with 1" "visual guest failure"
expect_contains "$out" "visual.smpte-vulkan-160x120-x1 FAIL  shown, but its capture list is unreadable" "visual judged on the host"
expect_contains "$out" "visual.checker-udmabuf-96x64-x2 FAIL  not reported by the guest" "visual unreported"
expect_contains "$out" "visual.guest-run               pass" "visual run"
expect_contains "$out" "agent.transport                pass" "relayed counters"
expect_contains "$out" "boot                           pass" "boot"
expect_contains "$out" "compositor.host-screendump     FAIL  share/screendump.png: SMPTE bars missing" "blank screendump"
expect_contains "$out" "kernel.sriov-vf-vfio           FAIL  not reported by the guest" "unreported check"
expect_contains "$out" "first failing check: kernel.sriov-vf-vfio" "first failure"
expect_contains "$out" "chain.outer-vf-iommu           FAIL  missing prerequisite:" "chain prerequisite"
expect_contains "$out" "QEMU lacks the qtest accelerator" "chain names the qtest accelerator"
[ -s "$tmp/out/share/screendump.png" ] || fail "no screendump.png written by QMP"
done_testing
