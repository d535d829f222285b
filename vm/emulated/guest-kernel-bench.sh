#!/usr/bin/env bash
# Guest side of `./zcd vm kernel-bench` (started by guest-init.sh with
# zcd.run=kernel-bench; the host side is kernel-bench.sh).
#
# Sets the devices up (the x-sriov-lmem PF on the test importer, VF 0 on
# vfio-pci in IOMMU mode, the nvme controller as the legacy importer),
# writes what the host needs to judge whether the legacy map went through
# the IOMMU (facts.txt), then lets zc-vfio-dmabuf export the VF's memory BAR
# and run guest-kernel-bench-steps.sh, which does the timed imports.  Every
# artefact goes to OUT/kernel/; a step that cannot run writes error.txt.
set -uo pipefail

usage() {
	cat <<'USAGE'
usage: vm/emulated/guest-kernel-bench.sh OUT-DIR   (inside the bench guest only)

OUT-DIR holds params.sh (written by kernel-bench.sh) and receives kernel/ (facts.txt, one
report per import, dmesg.txt, error.txt when a step could not run).
USAGE
}
case "${1:-}" in -h | --help | "") usage; exit 0 ;; esac
out=$1
# It binds drivers and writes sysfs: never on a host by mistake.
if ! tr '\0' ' ' </proc/1/cmdline | grep -q 'guest-init.sh'; then
	echo "guest-kernel-bench: runs only inside the bench guest (PID 1 = guest-init.sh)" >&2
	exit 2
fi
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# Written by kernel-bench.sh (defaults only keep a broken share visible).
zcd_build="" importer_ko="" bench_bytes=$((64 << 20)) bench_repeats=31
# shellcheck source=/dev/null
. "$out/params.sh"
dir=$out/kernel
mkdir -p "$dir"

# pci_driver and bind, the emulated test's own.
# shellcheck source=vm/emulated/guest-kernel-path.sh
. "$here/guest-kernel-path.sh"

stop() {
	echo "$*" >"$dir/error.txt"
	echo "zcd-guest: kernel-bench: $*"
	dmesg >"$dir/dmesg.txt" 2>&1
	exit 1
}

# pci_find VENDOR DEVICE: the first PCI function with those IDs that is not a VF.
pci_find() {
	local d
	for d in "$sysfs_pci"/*; do
		if [ "$(<"$d/vendor")" = "$1" ] && [ "$(<"$d/device")" = "$2" ] && [ ! -e "$d/physfn" ]; then
			basename "$d"
			return 0
		fi
	done
	return 1
}

# group_type ADDR: the type of ADDR's IOMMU group's default domain (DMA,
# DMA-FQ, identity), "none" without a group.
group_type() {
	local g=$sysfs_pci/$1/iommu_group
	if [ -e "$g" ]; then cat "$g/type" 2>/dev/null || echo unknown; else echo none; fi
}

pf=$(pci_find 0x1b36 0x00f0) || stop "no x-sriov-lmem PF (1b36:00f0): QEMU without the series' device?"
legacy=$(pci_find 0x1b36 0x0010) || stop "no nvme controller (1b36:0010) for the legacy importer"
[ -r "$importer_ko" ] || stop "missing prerequisite: test importer module '$importer_ko'"
export_tool=$zcd_build/bin/zc-vfio-dmabuf
[ -x "$export_tool" ] || stop "missing prerequisite: $export_tool not built"

[ -d /sys/kernel/debug/dma_buf_ic_test ] || insmod "$importer_ko" 2>"$dir/insmod.err" ||
	stop "insmod $importer_ko failed: $(head -n 1 "$dir/insmod.err")"
bind "$pf" dma-buf-ic-test || stop "the test importer did not bind the PF $pf (driver: $(pci_driver "$pf"))"
echo 0 >"$sysfs_pci/$pf/sriov_drivers_autoprobe"
echo 1 >"$sysfs_pci/$pf/sriov_numvfs" || stop "writing 1 to $pf/sriov_numvfs failed"
vf0=$(basename "$(readlink "$sysfs_pci/$pf/virtfn0")")
bind "$vf0" vfio-pci || stop "binding VF 0 $vf0 to vfio-pci failed (driver: $(pci_driver "$vf0"); IOMMU group: $(group_type "$vf0"))"
[ "$(pci_driver "$legacy")" = nvme ] || stop "the legacy importer $legacy has driver '$(pci_driver "$legacy")', not nvme"
read -r bar_start bar_end _ < <(sed -n 3p "$sysfs_pci/$vf0/resource")
[ $((bar_end)) -gt $((bar_start)) ] || stop "VF 0 $vf0 has no BAR 2 (pci=realloc?)"

# What the host checks: the vCPU p2pdma sees, the IOMMU, the groups.
{
	echo "cpu_vendor: $(awk -F': ' '/^vendor_id/ {print $2; exit}' /proc/cpuinfo)"
	echo "cpu_family: $(awk -F': ' '/^cpu family/ {print $2; exit}' /proc/cpuinfo)"
	echo "cmdline: $(</proc/cmdline)"
	echo "pf: $pf"
	echo "vf0: $vf0"
	echo "vf0_bar2: $bar_start-$bar_end"
	echo "vf0_group_type: $(group_type "$vf0")"
	nodes=(/dev/vfio/*)
	echo "vfio_nodes: ${nodes[*]##*/}"
	echo "legacy: $legacy"
	echo "legacy_path: $(readlink -f "$sysfs_pci/$legacy")"
	echo "vf0_path: $(readlink -f "$sysfs_pci/$vf0")"
	echo "legacy_group_type: $(group_type "$legacy")"
	units=(/sys/class/iommu/*)
	echo "iommus: ${units[*]##*/}"
	echo "bytes: $bench_bytes"
	echo "repeats: $bench_repeats"
} >"$dir/facts.txt"
echo "zcd-guest: kernel-bench: PF $pf, VF 0 $vf0 (vfio-pci, group $(group_type "$vf0")), legacy importer $legacy (group $(group_type "$legacy"))"

rc=0
"$export_tool" --device "$vf0" --region 2 --range "0:$bench_bytes" \
	--exec "$here/guest-kernel-bench-steps.sh" "$dir" "$pf" "$legacy" "$bench_repeats" \
	>"$dir/export.log" 2>&1 || rc=$?
dmesg >"$dir/dmesg.txt" 2>&1
[ -e "$dir/done" ] || stop "zc-vfio-dmabuf (status $rc): $(tail -n 1 "$dir/export.log")"
echo "zcd-guest: kernel-bench: $((2 * bench_repeats + 2)) imports done"
