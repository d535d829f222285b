# shellcheck shell=bash
# shellcheck disable=SC2154 # out, here and params.sh values come from guest-checks.sh
# Kernel-path checks of the emulated guest (sourced by guest-checks.sh).
#
# The emulated SR-IOV PF (QEMU nvme with sriov_max_vfs) gets one VF, which is
# bound to vfio-pci; a dma-buf of the VF's BAR 0 is exported through
# VFIO_DEVICE_FEATURE_DMA_BUF and handed to the kernel test importer:
#   - bound to the PF it must use the IOV interconnect and see exactly the
#     VF's BAR range (compared with /sys/bus/pci/devices/<vf>/resource),
#   - bound to an unrelated device behind the PF's PCIe switch (a second nvme
#     controller) it must fall back to the p2pdma-checked sg_table map,
#   - bound to a device with no p2pdma path to the VF (a third nvme, on the
#     root complex) that fallback must be refused,
#   - a forged range outside the VF's BAR must be rejected,
# and the debugfs counters and bufinfo must agree with all of that.

sysfs_pci=/sys/bus/pci/devices
dbg=/sys/kernel/debug/dma_buf

# pci_driver ADDR: driver bound to ADDR, empty when none.
pci_driver() {
	[ -L "$sysfs_pci/$1/driver" ] && basename "$(readlink "$sysfs_pci/$1/driver")"
	return 0
}

# peer_nvme WHERE: a QEMU nvme controller that is neither the PF nor one of
# its VFs.  WHERE=switch: one behind the same PCIe switch as the PF (its
# upstream port is the PF's), which p2pdma reaches through the switch;
# WHERE=root: one on the root complex, which p2pdma cannot reach from the VF.
# An importer needs a driver that has set the device's DMA mask, as real
# importers do; the nvme driver does.
peer_nvme() {
	local where=$1 d a path pf_switch
	pf_switch=$(dirname "$(dirname "$(readlink -f "$sysfs_pci/$pf")")")
	for d in "$sysfs_pci"/*; do
		a=$(basename "$d")
		if [ "$a" = "$pf" ] || [ -e "$d/physfn" ] ||
			[ "$(<"$d/vendor")" != 0x1b36 ] || [ "$(<"$d/device")" != 0x0010 ]; then
			continue
		fi
		path=$(readlink -f "$d")
		case $where in
		switch) [ "$(dirname "$(dirname "$path")")" = "$pf_switch" ] || continue ;;
		root) [[ $(basename "$(dirname "$path")") == pci* ]] || continue ;;
		esac
		echo "$a"
		return 0
	done
	return 1
}

# bind ADDR DRIVER: bind through driver_override (what host-setup does too).
bind() {
	local cur
	cur=$(pci_driver "$1")
	[ "$cur" = "$2" ] && return 0
	[ -z "$cur" ] || echo "$1" >"$sysfs_pci/$1/driver/unbind"
	echo "$2" >"$sysfs_pci/$1/driver_override"
	echo "$1" >/sys/bus/pci/drivers_probe 2>/dev/null
	[ "$(pci_driver "$1")" = "$2" ]
}

# Set by setup_sriov for the checks after it.
pf="" vf="" vf_bar_start="" vf_bar_end="" unrelated="" no_p2p=""

setup_sriov() {
	local d
	# The nvme PF (1b36:0010); x-sriov-lmem is guest-lmem-path.sh's.
	for d in "$sysfs_pci"/*; do
		if [ -r "$d/sriov_totalvfs" ] && [ "$(<"$d/sriov_totalvfs")" -gt 0 ] &&
			[ "$(<"$d/device")" = 0x0010 ]; then
			pf=$(basename "$d")
			break
		fi
	done
	if [ -z "$pf" ]; then
		result kernel.sriov-vf-vfio fail "no SR-IOV capable PCI device (CONFIG_PCI_IOV? QEMU nvme sriov_max_vfs?)"
		return 1
	fi
	# sriov_numvfs needs a PF driver with sriov_configure: nvme, or pci-pf-stub.
	if [ -z "$(pci_driver "$pf")" ] && ! bind "$pf" pci-pf-stub; then
		result kernel.sriov-vf-vfio fail "PF $pf has no driver (CONFIG_BLK_DEV_NVME or CONFIG_PCI_PF_STUB)"
		return 1
	fi
	# Nothing may grab the VF before vfio-pci does.
	echo 0 >"$sysfs_pci/$pf/sriov_drivers_autoprobe"
	# Two VFs: the second one's BAR is the "another VF's memory" a forged range points at.
	if ! echo 2 >"$sysfs_pci/$pf/sriov_numvfs"; then
		result kernel.sriov-vf-vfio fail "writing 2 to $pf/sriov_numvfs failed (PF driver $(pci_driver "$pf"))"
		return 1
	fi
	vf=$(basename "$(readlink "$sysfs_pci/$pf/virtfn0")")
	if ! bind "$vf" vfio-pci; then
		result kernel.sriov-vf-vfio fail "binding VF $vf to vfio-pci failed (CONFIG_VFIO_PCI, noiommu mode?)"
		return 1
	fi
	local group
	group=$(basename "$(readlink "$sysfs_pci/$vf/iommu_group")")
	if [ ! -e "/dev/vfio/$group" ] && [ ! -e "/dev/vfio/noiommu-$group" ]; then
		result kernel.sriov-vf-vfio fail "VF $vf bound but no /dev/vfio node for group $group"
		return 1
	fi
	read -r vf_bar_start vf_bar_end _ <"$sysfs_pci/$vf/resource"
	if [ $((vf_bar_end)) -le $((vf_bar_start)) ]; then
		result kernel.sriov-vf-vfio fail "VF $vf has no BAR 0 (resource: $vf_bar_start $vf_bar_end)"
		return 1
	fi
	unrelated=$(peer_nvme switch || true)
	no_p2p=$(peer_nvme root || true)
	result kernel.sriov-vf-vfio pass "PF $pf ($(pci_driver "$pf")) VF $vf on vfio-pci group $group, BAR0 $vf_bar_start-$vf_bar_end"
	return 0
}

kernel_checks=(kernel.vfio-dmabuf-export kernel.iov-import-ranges kernel.unrelated-fallback
	kernel.no-p2p-path-refused kernel.forged-range-rejected kernel.counters-agree kernel.bufinfo-agree)

# fail_rest REASON: the remaining kernel checks cannot run.
fail_rest() {
	local c
	for c in "${kernel_checks[@]}"; do result "$c" fail "$1"; done
}

check_kernel_path() {
	if ! setup_sriov; then
		fail_rest "not run: no VF on vfio-pci (see kernel.sriov-vf-vfio)"
		return
	fi
	if [ ! -r "$dbg/interconnect_stats" ]; then
		fail_rest "kernel without the series: no $dbg/interconnect_stats"
		return
	fi
	if [ -z "$importer_ko" ] || [ ! -r "$importer_ko" ]; then
		fail_rest "missing prerequisite: test importer module (${importer_ko:-not found by the host}; ./zcd kernel build-vm)"
		return
	fi
	local export_tool
	if ! export_tool=$(tool zc-vfio-dmabuf 2>&1); then
		fail_rest "$export_tool (the client helper's zc-vfio-dmabuf)"
		return
	fi
	run_importer_checks "$export_tool"
}

# run_importer_checks EXPORT-TOOL: exports the VF's whole BAR 0 and lets
# guest-importer-steps.sh hand it to the test importer (kernel/README.md).
run_importer_checks() {
	local export_tool=$1 dir=$out/kernel
	mkdir -p "$dir"
	if ! insmod "$importer_ko" "importer=$pf" 2>"$dir/insmod.err"; then
		fail_rest "insmod $(basename "$importer_ko") importer=$pf failed: $(head -n 1 "$dir/insmod.err")"
		return
	fi
	local size=$((vf_bar_end - vf_bar_start + 1)) forge_start forge_len=0x1000 vf1
	# The forged range points into the second VF's BAR (another VF's memory),
	# or just past ours when there is no second VF.
	vf1=$(basename "$(readlink "$sysfs_pci/$pf/virtfn1" 2>/dev/null)" 2>/dev/null || true)
	if [ -n "$vf1" ] && read -r forge_start _ <"$sysfs_pci/$vf1/resource" && [ $((forge_start)) -ne 0 ]; then
		:
	else
		forge_start=$(printf '%#x' $((vf_bar_end + 1)))
	fi
	local rc=0
	"$export_tool" --device "$vf" --region 0 --range "0:$size" \
		--exec "$here/guest-importer-steps.sh" "$dir" "$pf" "$unrelated" "$no_p2p" "$forge_start" "$forge_len" \
		>"$dir/export.log" 2>&1 || rc=$?
	if [ ! -e "$dir/stats-before.txt" ]; then
		result kernel.vfio-dmabuf-export fail "zc-vfio-dmabuf (status $rc): $(tail -n 1 "$dir/export.log")"
		local c
		for c in "${kernel_checks[@]:1}"; do result "$c" fail "not run: no dma-buf (see kernel.vfio-dmabuf-export)"; done
		return
	fi
	# zc-kstat's view of the same counters, kept next to the raw files.
	local kstat
	if kstat=$(tool zc-kstat 2>/dev/null); then
		"$kstat" --json >"$dir/zc-kstat.json" 2>&1 || true
	fi
	result kernel.vfio-dmabuf-export pass "dma-buf of $vf region 0, $size bytes, via VFIO_DEVICE_FEATURE_DMA_BUF"
	local name st text
	while IFS=$'\t' read -r name st text; do
		result "$name" "$st" "$text"
	done < <(python3 "$here/kernel_report_check.py" "$dir" "$vf" "$vf_bar_start" "$vf_bar_end" \
		"$forge_start" "$forge_len" 2>&1 || true)
}
