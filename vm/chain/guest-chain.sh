#!/usr/bin/env bash
# The chain's checks inside the outer VM (started by guest-init.sh when the
# kernel command line says zcd.run=chain).  The outer VM plays the seed's
# host: intel-iommu, the x-sriov-lmem PF driven by the kernel test importer
# (the PF driver's role), VF 0 on vfio-pci in IOMMU mode.  The project's QEMU
# plays the seed's QEMU and starts the inner machine (inner_machine.py), whose
# blob over VF 0's memory it must export with VFIO_DEVICE_FEATURE_DMA_BUF; the
# PF imports that dma-buf through the IOV interconnect and reads the frame.
#
# Each check appends "NAME<TAB>pass|fail<TAB>DETAIL" to OUT/results.tsv; the
# names are in vm/chain/checks.txt.
set -uo pipefail

usage() {
	cat <<'USAGE'
usage: vm/chain/guest-chain.sh OUT-DIR   (inside the chain's outer VM only)

OUT-DIR holds params.sh (written by vm/chain/chain-test.sh) and receives
results.tsv and the artefacts (chain/).
USAGE
}
case "${1:-}" in -h | --help | "") usage; exit 0 ;; esac
out=$1
if ! tr '\0' ' ' </proc/1/cmdline | grep -q 'guest-init.sh'; then
	echo "guest-chain: runs only inside the chain's outer VM (PID 1 = guest-init.sh)" >&2
	exit 2
fi
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
emulated=$here/../emulated

zcd_build="" importer_ko="" qemu="" frame_size=320x240 frame_number=314159 blob_offset=0x10000
inner=qtest inner_kernel="" vf_ko=""
# shellcheck source=/dev/null
. "$out/params.sh"
bin=$zcd_build/bin
dir=$out/chain
mkdir -p "$dir"

result() {
	printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$out/results.tsv"
	echo "zcd-guest: check $1: $2 - $3"
}
mapfile -t chain_checks < <(sed -e '/^#/d' -e '/^$/d' "$here/checks.txt" | awk '{print $1}')
fail_from() { # fail_from FIRST-CHECK DETAIL: that check and all after it
	local c on=0
	for c in "${chain_checks[@]}"; do
		[ "$c" = "$1" ] && on=1
		[ $on -eq 1 ] && result "$c" fail "$2"
	done
}
now_ms() { awk '{printf "%d", $1 * 1000}' /proc/uptime; }

# pci_driver, bind, sysfs_pci (guest-kernel-path.sh); lmem_pf (guest-lmem-path.sh)
# shellcheck source=vm/emulated/guest-kernel-path.sh
. "$emulated/guest-kernel-path.sh"
# shellcheck source=vm/emulated/guest-lmem-path.sh
. "$emulated/guest-lmem-path.sh"

echo "zcd-guest: chain: kernel $(uname -r), $(nproc) CPUs, cmdline: $(</proc/cmdline)"

# --- 1. the seed's host: IOMMU, PF on its driver, VF 0 on vfio-pci (type1) ---
iommus=$(find /sys/class/iommu -mindepth 1 -maxdepth 1 -printf '%f ' 2>/dev/null)
if [ -z "$iommus" ]; then
	fail_from chain.outer-vf-iommu "no IOMMU in /sys/class/iommu (intel-iommu device, intel_iommu=on, CONFIG_INTEL_IOMMU?)"
	exit 0
fi
pf=$(lmem_pf)
if [ -z "$pf" ]; then
	fail_from chain.outer-vf-iommu "no x-sriov-lmem PF (1b36:00f0): QEMU without the series' device?"
	exit 0
fi
if [ -z "$importer_ko" ] || [ ! -r "$importer_ko" ]; then
	fail_from chain.outer-vf-iommu "missing prerequisite: test importer module (${importer_ko:-not found by the host})"
	exit 0
fi
insmod "$importer_ko" 2>"$dir/insmod.err" || true
echo 0 >"$sysfs_pci/$pf/sriov_drivers_autoprobe"
if ! bind "$pf" dma-buf-ic-test || ! echo 2 >"$sysfs_pci/$pf/sriov_numvfs"; then
	fail_from chain.outer-vf-iommu "the test importer did not drive the PF $pf (driver: $(pci_driver "$pf"); $(head -n 1 "$dir/insmod.err"))"
	exit 0
fi
vf0=$(basename "$(readlink "$sysfs_pci/$pf/virtfn0")")
vf1=$(basename "$(readlink "$sysfs_pci/$pf/virtfn1")")
if ! bind "$vf0" vfio-pci || ! bind "$vf1" dma-buf-ic-test; then
	fail_from chain.outer-vf-iommu "binding VF 0 $vf0 to vfio-pci ($(pci_driver "$vf0")) or VF 1 $vf1 to dma-buf-ic-test ($(pci_driver "$vf1")) failed"
	exit 0
fi
group=$(basename "$(readlink "$sysfs_pci/$vf0/iommu_group" 2>/dev/null)" 2>/dev/null)
members=$(find "$sysfs_pci/$vf0/iommu_group/devices/" -mindepth 1 -maxdepth 1 -printf '%f ' 2>/dev/null)
read -r vf0_start vf0_end _ < <(sed -n 3p "$sysfs_pci/$vf0/resource")
read -r vf1_start _ _ < <(sed -n 3p "$sysfs_pci/$vf1/resource")
if [ -z "$group" ] || [ ! -c "/dev/vfio/$group" ] || [ "$members" != "$vf0 " ]; then
	fail_from chain.outer-vf-iommu "VF 0 $vf0: IOMMU group '${group}' (members: ${members:-none}), /dev/vfio: $(find /dev/vfio -mindepth 1 -printf '%f ' 2>/dev/null)(type1 needs /dev/vfio/<group> with VF 0 alone)"
	exit 0
fi
result chain.outer-vf-iommu pass "IOMMU $iommus; PF $pf on dma-buf-ic-test; VF 0 $vf0 on vfio-pci, IOMMU group $group alone (/dev/vfio/$group), BAR2 $vf0_start-$vf0_end; VF 1 $vf1 on dma-buf-ic-test"

# --- 2. the frame, from the code the lmem check draws with -------------------
w=${frame_size%x*} h=${frame_size#*x}
bytes=$((w * h * 4))
if ! "$bin/zc-vfio-dmabuf" --fill-pattern smpte --fill-size "$frame_size" --fill-frame "$frame_number" \
	--fill-out "$dir/written.raw" >"$dir/render.log" 2>&1; then
	fail_from chain.inner-topology "zc-vfio-dmabuf could not render the frame: $(tail -n 1 "$dir/render.log")"
	exit 0
fi

# --- 3. the inner machine, with the consumer run while it is up -------------
# the consumer takes the scanout's dma-buf from the socket QEMU's virtio-gpu
# sends it to (x-scanout-dmabuf-chardev, qemu/ patch 9)
consumer="python3 $(printf '%q' "$here/dmabuf_from_qemu.py") \"\$CHAIN_SCANOUT_SOCK\" \"\$CHAIN_QEMU_PID\" vfio $bytes"
consumer+=" $(printf '%q' "$here/guest-chain-steps.sh") $(printf '%q' "$dir") $pf $vf1 $vf1_start 0x1000 $bytes"
consumer+=" >$(printf '%q' "$dir/consumer.log") 2>&1"
# qtest: inner_machine.py is the guest; guest: the series' kernel under
# nested TCG runs the VF's test driver and zc-inner-scanout (inner_guest.py)
inner_args=(--inner "$inner")
[ "$inner" = qtest ] || inner_args+=(--kernel "$inner_kernel" --vf-ko "$vf_ko" --bin "$bin" --frame "$frame_number")
t0=$(now_ms)
python3 "$here/inner_machine.py" --qemu "$qemu" --vf "$vf0" --frame-raw "$dir/written.raw" \
	--size "$frame_size" --blob-offset "$blob_offset" "${inner_args[@]}" --scanout-socket \
	--trace virtio_gpu_cmd_res_create_blob --trace vfio_device_create_dmabuf_fd --trace virtio_gpu_vfio_dmabuf \
	--trace virtio_gpu_cmd_set_scanout_blob --trace virtio_gpu_cmd_res_flush \
	--trace virtio_gpu_scanout_dmabuf_send \
	--then "$consumer" --out "$dir" >"$dir/inner.log" 2>&1
echo "inner machine: $(($(now_ms) - t0)) ms wall (from the outer VM's uptime clock)" >>"$dir/inner.log"
cat "$dir/inner.log"

# --- 4. after the inner machine's shutdown: revoked, then let go -------------
ic=/sys/kernel/debug/dma_buf_ic_test
cat "$ic/hold" >"$dir/hold-after-shutdown.txt" 2>&1
cat /sys/kernel/debug/dma_buf/bufinfo >"$dir/bufinfo-after-shutdown.txt"
echo 0 >"$ic/hold"
cat /sys/kernel/debug/dma_buf/bufinfo >"$dir/bufinfo-released.txt"
cat /sys/kernel/debug/dma_buf/interconnect_stats >"$dir/stats-released.txt"
dmesg >"$dir/dmesg.txt" 2>&1

# --- 5. judge --------------------------------------------------------------
python3 "$here/chain_report_check.py" --zc-verify "$bin/zc-verify" --frame "$frame_number" \
	--size "$frame_size" --blob-offset "$blob_offset" \
	"$dir" "$sysfs_pci/$pf/resource0" "$vf0" "$vf0_start" "$vf0_end" "$vf1_start" 0x1000 \
	>"$dir/verdicts.tsv" 2>"$dir/check.err"
if [ ! -s "$dir/verdicts.tsv" ]; then
	fail_from chain.inner-topology "chain_report_check.py gave no verdicts: $(tail -n 1 "$dir/check.err")"
	exit 0
fi
while IFS=$'\t' read -r name st text; do
	result "$name" "$st" "$text"
done <"$dir/verdicts.tsv"
