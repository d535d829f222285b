# shellcheck shell=bash
# shellcheck disable=SC2154 # out, here, bin, zcd_build and params.sh values come from guest-checks.sh
# The pixel check on the emulated SR-IOV GPU-memory device (sourced by
# guest-checks.sh after the kernel-path checks).
#
# QEMU's x-sriov-lmem (qemu/README.md) has Xe's layout: the PF's BAR 2 is all
# device memory, each VF's BAR 2 a window onto its slice.  The kernel test
# importer drives the PF (it is a PCI driver for 1b36:00f0/00f1):
#   - VF 0 goes to vfio-pci; zc-vfio-dmabuf draws a frame (identity stripe
#     included) into its BAR 2 through an mmap of the vfio region and
#     exports it with VFIO_DEVICE_FEATURE_DMA_BUF,
#   - imported on the PF it must take the IOV interconnect, be translated
#     to DPAs by Xe's own translation code (DPA = VF 0's slice offset from
#     the PF's registers + offset into VF 0's BAR) and read back through
#     the PF's BAR 2 byte for byte, and as frame N of the pattern,
#   - imported on VF 1 (not the PF) it must fall back to the exporter's
#     sg_table map and read the same bytes there,
#   - a range inside VF 1's window offered as VF 0's must be rejected,
# and the counters and bufinfo must agree.

lmem_checks=(lmem.sriov-vfs lmem.frame-export lmem.pf-read-pixels lmem.legacy-read-pixels
	lmem.forged-range-rejected lmem.counters-bufinfo-agree)
lmem_frame_size=320x240 lmem_frame_number=271828

lmem_fail_rest() {
	local c
	for c in "${lmem_checks[@]}"; do result "$c" fail "$1"; done
}

# lmem_pf: the x-sriov-lmem PF's address, empty when none.
lmem_pf() {
	local d
	for d in "$sysfs_pci"/*; do
		if [ "$(<"$d/vendor")" = 0x1b36 ] && [ "$(<"$d/device")" = 0x00f0 ]; then
			basename "$d"
			return 0
		fi
	done
}

check_lmem_path() {
	local pf vf0 vf1 dir=$out/lmem
	mkdir -p "$dir"
	pf=$(lmem_pf)
	if [ -z "$pf" ]; then
		lmem_fail_rest "no x-sriov-lmem PF (1b36:00f0): QEMU without the series' device?"
		return
	fi
	if [ -z "$importer_ko" ] || [ ! -r "$importer_ko" ]; then
		lmem_fail_rest "missing prerequisite: test importer module (${importer_ko:-not found by the host})"
		return
	fi
	# Loaded by the kernel-path checks already, unless they stopped early.
	[ -d /sys/kernel/debug/dma_buf_ic_test ] || insmod "$importer_ko" 2>"$dir/insmod.err" || true
	if [ "$(pci_driver "$pf")" != dma-buf-ic-test ] && ! bind "$pf" dma-buf-ic-test; then
		lmem_fail_rest "the test importer did not bind the PF $pf (driver: $(pci_driver "$pf"); $(head -n 1 "$dir/insmod.err" 2>/dev/null))"
		return
	fi
	echo 0 >"$sysfs_pci/$pf/sriov_drivers_autoprobe"
	if ! echo 2 >"$sysfs_pci/$pf/sriov_numvfs"; then
		lmem_fail_rest "writing 2 to $pf/sriov_numvfs failed"
		return
	fi
	vf0=$(basename "$(readlink "$sysfs_pci/$pf/virtfn0")")
	vf1=$(basename "$(readlink "$sysfs_pci/$pf/virtfn1")")
	if ! bind "$vf0" vfio-pci || ! bind "$vf1" dma-buf-ic-test; then
		lmem_fail_rest "binding VF 0 $vf0 to vfio-pci ($(pci_driver "$vf0")) or VF 1 $vf1 to dma-buf-ic-test ($(pci_driver "$vf1")) failed"
		return
	fi
	local bar0 bar1 vf0_start vf0_end vf1_start
	bar0=$(sed -n 3p "$sysfs_pci/$vf0/resource")
	bar1=$(sed -n 3p "$sysfs_pci/$vf1/resource")
	read -r vf0_start vf0_end _ <<<"$bar0"
	read -r vf1_start _ _ <<<"$bar1"
	if [ $((vf0_end)) -le $((vf0_start)) ] || [ $((vf1_start)) -eq 0 ]; then
		lmem_fail_rest "VFs without a BAR 2 ($vf0: $bar0; $vf1: $bar1; pci=realloc?)"
		return
	fi
	result lmem.sriov-vfs pass "PF $pf (dma-buf-ic-test), VF 0 $vf0 on vfio-pci BAR2 $vf0_start-$vf0_end, VF 1 $vf1 on dma-buf-ic-test"

	local export_tool
	if ! export_tool=$(tool zc-vfio-dmabuf 2>&1); then
		local c
		for c in "${lmem_checks[@]:1}"; do result "$c" fail "$export_tool"; done
		return
	fi
	local w h bytes rc=0
	IFS=x read -r w h <<<"$lmem_frame_size"
	bytes=$((w * h * 4))
	"$export_tool" --device "$vf0" --region 2 --range "0:$bytes" \
		--fill-pattern smpte --fill-size "$lmem_frame_size" --fill-frame "$lmem_frame_number" \
		--fill-out "$dir/written.raw" \
		--exec "$here/guest-lmem-steps.sh" "$dir" "$pf" "$vf1" "$vf1_start" 0x1000 "$bytes" \
		>"$dir/export.log" 2>&1 || rc=$?
	if [ ! -e "$dir/stats-before.txt" ]; then
		result lmem.frame-export fail "zc-vfio-dmabuf (status $rc): $(tail -n 1 "$dir/export.log")"
		local c
		for c in "${lmem_checks[@]:2}"; do result "$c" fail "not run: no dma-buf (see lmem.frame-export)"; done
		return
	fi
	result lmem.frame-export pass "$(grep -m 1 '^filled' "$dir/export.log"); dma-buf of $vf0 region 2, $bytes bytes"
	local name st text
	while IFS=$'\t' read -r name st text; do
		result "$name" "$st" "$text"
	done < <(python3 "$here/lmem_report_check.py" --zc-verify "$bin/zc-verify" \
		--frame "$lmem_frame_number" --size "$lmem_frame_size" \
		"$dir" "$sysfs_pci/$pf/resource0" "$vf0" "$vf0_start" "$vf0_end" "$vf1_start" 0x1000 2>&1 || true)
}
