#!/usr/bin/env bash
# `./zcd vm chain-test`: the seed's whole chain, host to inner machine, in one
# VM of its own (./zcd vm emulated-test runs it after its main VM).
#
# The outer VM plays the seed's host: the series' kernel under TCG with
# QEMU's intel-iommu (intel_iommu=on), the project QEMU's x-sriov-lmem GPU
# memory device, its PF driven by the kernel test importer, VF 0 on vfio-pci
# in IOMMU mode.  Inside it the project's QEMU plays the seed's QEMU and the
# inner machine plays the seed's guest: driven over qtest (default), or with
# --inner guest the series' kernel under nested TCG with the VF's test driver
# and zc-inner-scanout (vm/README.md, "The seed chain").  guest-init.sh (zcd.run=chain) runs
# vm/chain/guest-chain.sh; this script judges what it reported and writes
# OUT/verdicts.tsv ("NAME<TAB>pass|fail<TAB>DETAIL", the checks of
# vm/chain/checks.txt), then "zcd-summary: ran=N failed=N skipped=0".
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
zcd_prog="zcd vm chain-test"
# shellcheck source=vm/lib/common.sh
. "$here/../lib/common.sh"

ZCD_ROOT=${ZCD_ROOT:-$(cd "$here/../.." && pwd)}
ZCD_CACHE=${ZCD_CACHE:-/var/cache/zcdisplay}
ZCD_BUILD=${ZCD_BUILD:-$ZCD_ROOT/build}

usage() {
	cat <<'USAGE'
usage: ./zcd vm chain-test [options]

The seed chain in one VM (vm/README.md, "The seed chain"); results in out/vm-chain/.
Builds nothing but, with --inner guest, the inner guest's VF test driver (seconds):
run ./zcd build, ./zcd kernel build-vm and ./zcd qemu build first (./zcd vm
emulated-test does, then runs this).
  --inner qtest|guest  the inner machine: qtest (default; inner_machine.py drives QEMU over
                       qtest, no guest CPU, the CI path) or guest (the series' kernel booted
                       under nested TCG: zcd-vf-lmem exports a VF dma-buf, zc-inner-scanout
                       imports it into virtio-gpu and scans it out; adds 10-30 min of VM time)
  --kernel FILE        guest kernel (default: ./zcd kernel build-vm's bzImage)
  --importer-ko FILE   the kernel test importer module (default: found in the build-vm tree)
  --qemu PATH          QEMU for the outer VM and, inside it, the inner machine (default
                       $ZCD_QEMU, else the project's); it needs x-sriov-lmem, intel-iommu,
                       the qtest accelerator, the vfio dma-buf blob path and virtio-gpu's
                       x-scanout-dmabuf-chardev (qemu/ patch 9)
  --out DIR            results directory (default out/vm-chain)
  --timeout SEC        whole-VM time limit (default 1500; --inner guest 3600)
  --frame-size WxH     the inner machine's scanout and frame (default 320x240)
  --console            copy the guest console to stderr while it runs
  -h, --help           this text
USAGE
}

kernel="" importer_ko="" qemu="" out=$ZCD_ROOT/out/vm-chain timeout_s="" frame_size=320x240 console=0 inner=qtest
need() { [ $# -ge 2 ] || die "$1 needs a value (see --help)"; }
while [ $# -gt 0 ]; do
	case "$1" in
	-h | --help) usage; exit 0 ;;
	--kernel) need "$@"; kernel=$2; shift 2 ;;
	--importer-ko) need "$@"; importer_ko=$2; shift 2 ;;
	--qemu) need "$@"; qemu=$2; shift 2 ;;
	--out) need "$@"; out=$2; shift 2 ;;
	--timeout) need "$@"; timeout_s=$2; shift 2 ;;
	--frame-size) need "$@"; frame_size=$2; shift 2 ;;
	--console) console=1; shift ;;
	--inner) need "$@"; inner=$2; shift 2 ;;
	*) die "unknown option '$1' (see --help)" ;;
	esac
done
parse_wxh "$frame_size" >/dev/null || die "--frame-size '$frame_size' is not WxH"
case $inner in
# 340-360 s on an idle machine; 898 s under a load of 6-9 (2026-12-06).
# The limit is for a hang, not a slow run: it costs CI time only then.
qtest) timeout_s=${timeout_s:-1500} ;;
guest) timeout_s=${timeout_s:-3600} ;;
*) die "--inner '$inner' is neither qtest nor guest" ;;
esac
[[ $timeout_s =~ ^[1-9][0-9]*$ ]] || die "--timeout '$timeout_s' is not a positive number"

t_start=$(date +%s)
share=$out/share
rm -rf "$out"
mkdir -p "$share"
declare -A status detail
mapfile -t checks < <(sed -e '/^#/d' -e '/^$/d' "$here/checks.txt" | awk '{print $1}')
unreported="not reported by the outer VM (it stopped before this check; see console.log)"
record() { status[$1]=$2; detail[$1]=$3; }

finish() {
	local c ran=0 failed=0 first="" s d
	: >"$out/verdicts.tsv"
	echo "== seed chain checks (artefacts in ${out#"$ZCD_ROOT"/})"
	for c in "${checks[@]}"; do
		ran=$((ran + 1))
		s=${status[$c]:-fail}
		d=${detail[$c]:-$unreported}
		if [ "$s" != pass ]; then
			s=fail
			failed=$((failed + 1))
			[ -n "$first" ] || first=$c
		fi
		printf '%s\t%s\t%s\n' "$c" "$s" "$d" >>"$out/verdicts.tsv"
		printf '  %-30s %-4s  %s\n' "$c" "$([ "$s" = pass ] && echo pass || echo FAIL)" "$d"
	done
	echo "chain-test: times: VM $(($(date +%s) - t_start))s"
	[ -z "$first" ] || echo "chain-test: FAILED: first failing check: $first - ${detail[$first]:-$unreported}" >&2
	echo "zcd-summary: ran=$ran failed=$failed skipped=0"
	[ $failed -eq 0 ]
}
fail_all() { # fail_all DETAIL
	local c
	for c in "${checks[@]}"; do record "$c" fail "$1"; done
	finish
	exit 1
}

kernel_out=$ZCD_CACHE/kernel/out-vm
[ -n "$kernel" ] || kernel=$kernel_out/arch/x86/boot/bzImage
if [ -z "$importer_ko" ] && [ -d "$kernel_out" ]; then
	importer_ko=$(find "$kernel_out" -name 'dma-buf-ic-test.ko' 2>/dev/null | head -n 1)
fi
[ -n "$qemu" ] || qemu=$(project_qemu)

missing=()
[ -r "$kernel" ] || missing+=("no kernel at $kernel (./zcd kernel build-vm)")
command -v "$qemu" >/dev/null || missing+=("QEMU '$qemu' not found (./zcd qemu build)")
if command -v "$qemu" >/dev/null; then
	for dev in intel-iommu x-sriov-lmem pcie-root-port ioh3420 x3130-upstream xio3130-downstream vfio-pci virtio-gpu-pci virtio-9p-pci; do
		qemu_has_device "$qemu" "$dev" || missing+=("QEMU lacks device $dev")
	done
	qemu_has_qtest_accel "$qemu" || missing+=("QEMU lacks the qtest accelerator (Debian's packaged QEMU has none; use the project's)")
	[ -z "$(qemu_device_missing_props "$qemu" virtio-gpu-pci vfio-dmabuf x-scanout-dmabuf-chardev)" ] ||
		missing+=("QEMU's virtio-gpu-pci lacks vfio-dmabuf or x-scanout-dmabuf-chardev (not the project's series with patch 9: ./zcd qemu build)")
fi
vf_ko=""
if [ "$inner" = guest ]; then
	[ -x "$ZCD_BUILD/bin/zc-inner-scanout" ] || missing+=("no $ZCD_BUILD/bin/zc-inner-scanout (./zcd build)")
	# The VF's test driver, out of tree against the guest kernel's build tree
	# (vm/chain/vf-lmem/README.md); the series' patches stay untouched.
	vf_build=$ZCD_BUILD/vf-lmem
	if [ -r "$kernel_out/Makefile" ] && [ -d "$ZCD_CACHE/kernel/src" ]; then
		mkdir -p "$vf_build"
		cp "$here"/vf-lmem/Kbuild "$here"/vf-lmem/*.[ch] "$vf_build/"
		if nice make -s -C "$ZCD_CACHE/kernel/src" O="$kernel_out" M="$vf_build" W=1 modules \
			>"$out/vf-lmem-build.log" 2>&1; then
			vf_ko=$vf_build/zcd_vf_lmem.ko
		else
			missing+=("the VF test driver did not build: $(tail -n 1 "$out/vf-lmem-build.log")")
		fi
	else
		missing+=("no guest kernel build tree at $kernel_out (./zcd kernel build-vm)")
	fi
fi
[ ${#missing[@]} -eq 0 ] || fail_all "missing prerequisite: ${missing[*]}"

cat >"$share/params.sh" <<EOF
zcd_root=$(printf '%q' "$ZCD_ROOT")
zcd_build=$(printf '%q' "$ZCD_BUILD")
importer_ko=$(printf '%q' "$importer_ko")
qemu=$(printf '%q' "$(command -v "$qemu")")
frame_size=$frame_size
inner=$inner
inner_kernel=$(printf '%q' "$kernel")
vf_ko=$(printf '%q' "$vf_ko")
frame_number=314159
blob_offset=0x10000
EOF

append="console=ttyS0 root=/dev/root rootfstype=9p rootflags=trans=virtio,version=9p2000.L,msize=262144 ro"
append+=" init=$ZCD_ROOT/vm/emulated/guest-init.sh zcd.out=zcdout zcd.run=chain panic=-1"
# The seed's host has an IOMMU: VF 0 goes to vfio-pci in IOMMU mode (type1),
# as on a real host.  iommu=pt keeps the other devices on identity mappings.
append+=" intel_iommu=on iommu=pt"
# vfio's type1 backend refuses an IOMMU without interrupt remapping (a VF
# could forge MSI writes).  The guest kernel has no CONFIG_IRQ_REMAP (and the
# VF here has no MSI at all): allow it, as hosts without remapping must.
append+=" vfio_iommu_type1.allow_unsafe_interrupts=1"
# as in the emulated test: VF BARs need Linux to size the windows again, and
# time comes from the HPET (emulated-test.sh says why)
append+=" pci=realloc log_buf_len=4M tsc=unstable"
# shellcheck disable=SC2054 # commas separate QEMU sub-options, not array elements
args=(
	"$qemu" -name zcdisplay-chain
	-machine q35 -accel tcg,thread=multi -cpu max -smp 2 -m 2G
	-nodefaults -no-reboot -display none -nic none
	# QEMU's VT-d.  Interrupt remapping stays off: the guest kernel is built
	# without CONFIG_IRQ_REMAP (kernel/configs/vm-guest.config).
	-device intel-iommu,intremap=off
	-kernel "$kernel" -append "$append"
	-serial "file:$out/console.log"
	-fsdev local,id=rootfs,path=/,security_model=none,readonly=on,multidevs=remap
	-device virtio-9p-pci,fsdev=rootfs,mount_tag=/dev/root
	-fsdev "local,id=outfs,path=$share,security_model=none,multidevs=remap"
	-device virtio-9p-pci,fsdev=outfs,mount_tag=zcdout
	# the emulated SR-IOV GPU memory (qemu/README.md): 2 VFs of 64 MiB
	-device pcie-root-port,id=zcd_rp1,bus=pcie.0,chassis=4,slot=2
	-device x-sriov-lmem,id=sriov_lmem,bus=zcd_rp1
)
print_cmdline "${args[@]}" >"$out/qemu-cmdline.txt"

echo "chain-test: inner machine: $inner"
echo "chain-test: booting $kernel under TCG with intel-iommu (console in ${out#"$ZCD_ROOT"/}/console.log)"
start_vm "$timeout_s" "$out/qemu.log" "$out/console.log" "$console" "${args[@]}"
trap stop_vm EXIT
wait_vm "$timeout_s" "$out/qemu.log"
trap - EXIT
stop_vm

if [ -r "$share/results.tsv" ]; then
	while IFS=$'\t' read -r name st text; do
		[ -n "$name" ] || continue
		[ "$name" = boot ] && continue
		record "$name" "$st" "$text"
	done <"$share/results.tsv"
fi
if ! grep -q "^boot	pass" "$share/results.tsv" 2>/dev/null; then
	reason=$(grep -m 1 -E 'Kernel panic|VFS: Unable|not syncing|Failed to execute' "$out/console.log" 2>/dev/null || true)
	unreported="the outer VM never reported: ${reason:-see console.log} (QEMU status $vm_rc)"
fi
finish
