#!/usr/bin/env bash
# Preflight of ./zcd vm run against fake sysfs trees: it must name exactly the
# problems the tree has, one line each, and exit non-zero; --dry-run must
# print the series' topology.
# shellcheck source=vm/tests/lib.sh
. "$(dirname "$0")/lib.sh"

# fake_pci ROOT ADDR DRIVER [PF]: a PCI device bound to DRIVER (empty: none).
fake_pci() {
	local d=$1/bus/pci/devices/$2
	mkdir -p "$d" "$1/bus/pci/drivers/${3:-none}"
	[ -z "$3" ] || ln -sfn "../../../bus/pci/drivers/$3" "$d/driver"
	if [ -n "${4:-}" ]; then
		ln -sfn "../$4" "$d/physfn"
	else
		echo 2 >"$d/sriov_totalvfs"
	fi
}

run() { ZCD_SYSFS=$1 "$vm_dir/host/run.sh" --preflight-only --disk /dev/null "${@:2}" 2>&1; }

# 1. Nothing: no xe PF, no VF.
empty=$tmp/empty
mkdir -p "$empty/bus/pci/devices"
rc=0; out=$(run "$empty") || rc=$?
expect_status 1 "$rc" "empty tree"
expect_contains "$out" "PF not driven by xe" "empty tree"
expect_contains "$out" "VF not bound: no VF of an xe PF is bound to vfio-pci" "empty tree"
expect_contains "$out" "no IOMMU" "empty tree"
expect_contains "$out" "QEMU not started" "empty tree"
if [ ! -e /dev/kvm ]; then expect_contains "$out" "no KVM: /dev/kvm is missing" "empty tree"; fi

# 2. An xe PF whose VF is bound to vfio-pci: the VF is found, no VF/PF problem.
good=$tmp/good
fake_pci "$good" 0000:03:00.0 xe
fake_pci "$good" 0000:03:00.1 vfio-pci 0000:03:00.0
rc=0; out=$(run "$good") || rc=$?
expect_absent "$out" "VF not bound" "bound VF"
expect_absent "$out" "PF not driven by xe" "bound VF"
expect_contains "$out" "VF has no VFIO group node" "bound VF without iommu_group"

# 3. The VF's PF is driven by another driver, and the VF by nothing.
bad=$tmp/bad
fake_pci "$bad" 0000:03:00.0 i915
fake_pci "$bad" 0000:03:00.1 "" 0000:03:00.0
rc=0; out=$(run "$bad" --vf 0000:03:00.1) || rc=$?
expect_status 1 "$rc" "wrong drivers"
expect_contains "$out" "PF not driven by xe: PF 0000:03:00.0 of 0000:03:00.1 is bound to 'i915'" "wrong drivers"
expect_contains "$out" "VF not bound: 0000:03:00.1 is bound to '', not vfio-pci" "wrong drivers"

# 4. A QEMU without the needed devices is named, not started.
fakeq=$tmp/qemu
cat >"$fakeq" <<'Q'
#!/bin/sh
case "$*" in
--version) echo "QEMU emulator version 6.2.0" ;;
*) echo 'name "virtio-gpu-pci", bus PCI' ;;
esac
Q
chmod +x "$fakeq"
rc=0; out=$(run "$good" --qemu "$fakeq") || rc=$?
expect_contains "$out" "QEMU without vfio dma-buf blobs: $fakeq's virtio-gpu-pci has no vfio-dmabuf option" "old QEMU"
expect_contains "$out" "QEMU lacks device ioh3420" "old QEMU"
expect_contains "$out" "QEMU's virtio-gpu-pci lacks option blob" "old QEMU"

# 5. Bad input: one line, exit 2.
rc=0; out=$("$vm_dir/host/run.sh" --size 12 2>&1) || rc=$?
expect_status 2 "$rc" "bad --size"
[ "$(wc -l <<<"$out")" -eq 1 ] || fail "bad --size: more than one line: $out"

# 6. --dry-run prints the topology with the chosen values and exits 0.
rc=0; out=$(ZCD_SYSFS=$good "$vm_dir/host/run.sh" --dry-run --vf 0000:03:00.1 --size 800x600 2>/dev/null) || rc=$?
expect_status 0 "$rc" "dry run"
for want in "q35,accel=kvm" "memory-backend-memfd,id=mem,size=8G,share=on" \
	"ioh3420,id=root_port1" "x3130-upstream,id=upstream1,bus=root_port1" \
	"xio3130-downstream,id=downstream1" "xio3130-downstream,id=downstream2" \
	"vfio-pci,host=0000:03:00.1,bus=downstream1" \
	"virtio-gpu-pci,blob=true,max_outputs=1,xres=800,yres=600,bus=downstream2" "gtk,gl=on" \
	"virtserialport,bus=vserial0.0,chardev=kstat,name=org.zcdisplay.kstat"; do
	expect_contains "$out" "$want" "dry run"
done

# 7. The dry run names the QEMU it would start: the project's by default.
out=$(env -u ZCD_QEMU ZCD_SYSFS="$good" ZCD_CACHE=/c "$vm_dir/host/run.sh" --dry-run 2>/dev/null)
expect_contains "$out" "# QEMU: /c/qemu/build/qemu-system-x86_64" "dry run names the project's QEMU"
out=$(ZCD_SYSFS=$good ZCD_QEMU=/q/qemu "$vm_dir/host/run.sh" --dry-run 2>/dev/null)
expect_contains "$out" "# QEMU: /q/qemu" "dry run names \$ZCD_QEMU"
done_testing
