#!/usr/bin/env bash
# `./zcd vm kernel-bench`: the kernel bench row at 64 MiB (issue 13, item 6).
#
# A VM of its own, apart from the emulated test (whose noiommu topology its
# checks depend on): the series' kernel under QEMU TCG with QEMU's emulated
# VT-d (intel-iommu) and the guest's intel_iommu=on, the project QEMU's
# x-sriov-lmem device on one root port and an nvme controller on another.
# In the guest (guest-kernel-bench.sh) VF 0 of x-sriov-lmem is bound to
# vfio-pci in IOMMU mode and exports 64 MiB of its memory BAR as a dma-buf;
# the kernel test importer maps it, alternately, as the PF (the IOV
# interconnect: a list of ranges, no DMA mapping) and as the nvme controller
# (no interconnect: vfio-pci's p2pdma-checked sg_table map, which on another
# root port goes through the host bridge and therefore through the IOMMU:
# IOVA allocation and IOMMU page-table writes).  kernel_bench_report.py takes
# the medians of the importer's map_ns and writes kernel-bench.json for the
# bench's kernel row (bench/harness/kernel_row.py).
#
# Why the vCPU is an AMD family 0x17 (Zen) one: with an IOMMU, p2pdma only
# maps through a host bridge it trusts, and Q35's is not on its whitelist;
# p2pdma trusts every host bridge of an AMD Zen or newer CPU
# (cpu_supports_p2pdma() in drivers/pci/p2pdma.c).  The guest cannot tell
# emulated silicon from real, so it does what a Zen host does.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
zcd_prog="zcd vm kernel-bench"
# shellcheck source=vm/lib/common.sh
. "$here/../lib/common.sh"

ZCD_ROOT=${ZCD_ROOT:-$(cd "$here/../.." && pwd)}
ZCD_CACHE=${ZCD_CACHE:-/var/cache/zcdisplay}
ZCD_BUILD=${ZCD_BUILD:-$ZCD_ROOT/build}

usage() {
	cat <<'USAGE'
usage: ./zcd vm kernel-bench [options]

Times the IOV interconnect map against the legacy DMA map of a 64 MiB VF dma-buf, the
legacy importer behind QEMU's emulated IOMMU; results in out/vm-kernel-bench/ (kernel-bench.json;
see vm/README.md).
  --kernel FILE        guest kernel (default: ./zcd kernel build-vm's bzImage, built if needed)
  --importer-ko FILE   the kernel test importer module (default: found in the build-vm tree)
  --no-build           build nothing (neither ./zcd build, ./zcd kernel build-vm nor
                       ./zcd qemu build); use what exists
  --out DIR            results directory (default out/vm-kernel-bench)
  --timeout SEC        whole-VM time limit (default 1200)
  --repeats N          timed maps per path (default 31; one untimed warm-up each before)
  --bytes N            exported bytes, a multiple of 4096 up to the VF's 64 MiB (default 67108864)
  --cpu MODEL          QEMU CPU model (default max,vendor=AuthenticAMD,family=23: see vm/README.md)
  --memory SIZE        guest RAM (default 2G)
  --smp N              vCPUs, TCG threads (default 2)
  --qemu PATH          QEMU binary (default $ZCD_QEMU, else the project's QEMU:
                       ./zcd qemu build's, built if needed); it needs x-sriov-lmem
  --console            copy the guest console to stderr while it runs
  -h, --help           this text
USAGE
}

kernel="" importer_ko="" build=1 out=$ZCD_ROOT/out/vm-kernel-bench timeout_s=1200
repeats=31 bytes=$((64 << 20)) cpu=max,vendor=AuthenticAMD,family=23 memory=2G smp=2 qemu="" console=0
need() { [ $# -ge 2 ] || die "$1 needs a value (see --help)"; }
while [ $# -gt 0 ]; do
	case "$1" in
	-h | --help) usage; exit 0 ;;
	--kernel) need "$@"; kernel=$2; shift 2 ;;
	--importer-ko) need "$@"; importer_ko=$2; shift 2 ;;
	--no-build) build=0; shift ;;
	--out) need "$@"; out=$2; shift 2 ;;
	--timeout) need "$@"; timeout_s=$2; shift 2 ;;
	--repeats) need "$@"; repeats=$2; shift 2 ;;
	--bytes) need "$@"; bytes=$2; shift 2 ;;
	--cpu) need "$@"; cpu=$2; shift 2 ;;
	--memory) need "$@"; memory=$2; shift 2 ;;
	--smp) need "$@"; smp=$2; shift 2 ;;
	--qemu) need "$@"; qemu=$2; shift 2 ;;
	--console) console=1; shift ;;
	*) die "unknown option '$1' (see --help)" ;;
	esac
done
for v in timeout_s repeats smp bytes; do
	[[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "--${v%_s} '${!v}' is not a positive number"
done
if [ $((bytes % 4096)) -ne 0 ] || [ "$bytes" -gt $((64 << 20)) ]; then
	die "--bytes $bytes is not a multiple of 4096 up to 67108864 (the VF's memory BAR)"
fi
[[ $memory =~ ^[1-9][0-9]*[MG]$ ]] || die "--memory '$memory' is not a size like 2G"

t_start=$(date +%s)
share=$out/share
rm -rf "$out"
mkdir -p "$share"

# --- what the VM needs: the series' kernel, the userland's zc-vfio-dmabuf,
# the project's QEMU; each built (cached) unless --no-build or named.
if [ -z "$kernel" ]; then
	if [ $build -eq 1 ]; then
		echo "kernel-bench: ./zcd kernel build-vm (cached when unchanged; log in ${out#"$ZCD_ROOT"/}/kernel-build.log)"
		"$ZCD_ROOT/kernel/zcd-kernel.sh" build-vm >"$out/kernel-build.log" 2>&1 ||
			die "./zcd kernel build-vm failed: $(tail -n 1 "$out/kernel-build.log")"
	fi
	kernel=$ZCD_CACHE/kernel/out-vm/arch/x86/boot/bzImage
fi
[ -r "$kernel" ] || die "missing prerequisite: no guest kernel at $kernel (./zcd kernel build-vm)"
if [ -z "$importer_ko" ] && [ -d "$ZCD_CACHE/kernel/out-vm" ]; then
	importer_ko=$(find "$ZCD_CACHE/kernel/out-vm" -name 'dma-buf-ic-test.ko' 2>/dev/null | head -n 1)
fi
if [ -z "$importer_ko" ] || [ ! -r "$importer_ko" ]; then
	die "missing prerequisite: the test importer module dma-buf-ic-test.ko (./zcd kernel build-vm, or --importer-ko)"
fi
if [ $build -eq 1 ]; then
	echo "kernel-bench: ./zcd build zc-vfio-dmabuf (log in ${out#"$ZCD_ROOT"/}/build.log)"
	"$ZCD_ROOT/zcd" build zc-vfio-dmabuf >"$out/build.log" 2>&1 ||
		die "./zcd build zc-vfio-dmabuf failed: $(tail -n 1 "$out/build.log")"
fi
[ -x "$ZCD_BUILD/bin/zc-vfio-dmabuf" ] ||
	die "missing prerequisite: $ZCD_BUILD/bin/zc-vfio-dmabuf (./zcd build)"
if [ -z "$qemu" ] && [ -n "${ZCD_QEMU:-}" ]; then qemu=$ZCD_QEMU; fi
if [ -z "$qemu" ]; then
	if [ $build -eq 1 ]; then
		echo "kernel-bench: ./zcd qemu build (cached when unchanged; log in ${out#"$ZCD_ROOT"/}/qemu-build.log)"
		"$ZCD_ROOT/qemu/zcd-qemu.sh" build >"$out/qemu-build.log" 2>&1 ||
			die "./zcd qemu build failed: $(tail -n 1 "$out/qemu-build.log")"
	fi
	qemu=$(project_qemu)
fi
command -v "$qemu" >/dev/null || die "missing prerequisite: QEMU '$qemu' not found (./zcd qemu build)"
for dev in intel-iommu x-sriov-lmem nvme pcie-root-port virtio-9p-pci; do
	qemu_has_device "$qemu" "$dev" || die "missing prerequisite: QEMU '$qemu' lacks device $dev"
done
command -v python3 >/dev/null || die "missing prerequisite: python3"
t_ready=$(date +%s)

# The IOVAs the legacy map used, seen from outside the guest: with strict
# invalidation (iommu.strict=1) every unmap makes the guest's VT-d driver
# invalidate the IOTLB for exactly the IOVA range it unmapped, and QEMU's
# trace event shows domain, address and size.  The map itself, the part
# timed, is the same in strict and lazy mode.
trace_args=()
if "$qemu" -trace help 2>/dev/null | grep -qw vtd_inv_desc_iotlb_pages; then
	trace_args=(-trace "enable=vtd_inv_desc_iotlb_pages,file=$out/vtd-trace.log")
else
	note "QEMU has no trace event vtd_inv_desc_iotlb_pages: the IOVAs cannot be shown from the host"
fi

cat >"$share/params.sh" <<EOF
zcd_root=$(printf '%q' "$ZCD_ROOT")
zcd_build=$(printf '%q' "$ZCD_BUILD")
importer_ko=$(printf '%q' "$importer_ko")
bench_bytes=$bytes
bench_repeats=$repeats
EOF

append="console=ttyS0 root=/dev/root rootfstype=9p rootflags=trans=virtio,version=9p2000.L,msize=262144 ro"
append+=" init=$ZCD_ROOT/vm/emulated/guest-init.sh zcd.out=zcdout zcd.run=kernel-bench panic=-1"
# A translating IOMMU domain for every device (no passthrough), strict
# invalidation (see trace_args).  No noiommu mode: VF 0 gets a real group.
append+=" intel_iommu=on iommu.passthrough=0 iommu.strict=1"
# vfio's type1 backend refuses a group whose MSIs no interrupt remapping
# isolates (-EPERM from VFIO_SET_IOMMU); QEMU's intremap would need the
# guest's CONFIG_IRQ_REMAP, which the VM config leaves out.  Waiving that
# check changes nothing the bench times.
append+=" vfio_iommu_type1.allow_unsafe_interrupts=1"
# As in the emulated test: SeaBIOS does not size the VFs' BARs; the guest
# keeps time with the HPET (emulated-test.sh says why).
append+=" pci=realloc tsc=unstable log_buf_len=4M"
# shellcheck disable=SC2054 # commas separate QEMU sub-options, not array elements
args=(
	"$qemu" -name zcdisplay-kernel-bench
	-machine q35 -accel tcg,thread=multi -cpu "$cpu" -smp "$smp" -m "$memory"
	-nodefaults -no-reboot -display none -nic none
	-kernel "$kernel" -append "$append"
	-serial "file:$out/console.log"
	"${trace_args[@]}"
	# The emulated VT-d first, before the PCI devices it translates for.
	# Interrupt remapping off: the guest kernel has no CONFIG_IRQ_REMAP.
	-device intel-iommu,intremap=off
	-fsdev local,id=rootfs,path=/,security_model=none,readonly=on,multidevs=remap
	-device virtio-9p-pci,fsdev=rootfs,mount_tag=/dev/root
	-fsdev "local,id=outfs,path=$share,security_model=none,multidevs=remap"
	-device virtio-9p-pci,fsdev=outfs,mount_tag=zcdout
	# The exporter: x-sriov-lmem (qemu/README.md), 2 VFs of 64 MiB.
	-device pcie-root-port,id=zcd_rp1,bus=pcie.0,chassis=1,slot=1
	-device x-sriov-lmem,id=sriov_lmem,bus=zcd_rp1
	# The legacy importer on another root port: the nvme driver gives it a
	# DMA mask and a translated IOMMU domain, as any real importer's driver.
	-device pcie-root-port,id=zcd_rp2,bus=pcie.0,chassis=2,slot=2
	-device nvme,id=legacy_importer,bus=zcd_rp2,serial=zcd0004
)
print_cmdline "${args[@]}" >"$out/qemu-cmdline.txt"

echo "kernel-bench: booting $kernel under TCG with intel-iommu, -cpu $cpu (console in ${out#"$ZCD_ROOT"/}/console.log)"
start_vm "$timeout_s" "$out/qemu.log" "$out/console.log" "$console" "${args[@]}"
trap stop_vm EXIT
wait_vm "$timeout_s" "$out/qemu.log"
trap - EXIT
stop_vm
t_end=$(date +%s)

rc=0
python3 "$here/kernel_bench_report.py" --share "$share" --trace "$out/vtd-trace.log" \
	--cpu "$cpu" --out "$out/kernel-bench.json" || rc=$?
echo "kernel-bench: times: builds $((t_ready - t_start))s, VM $((t_end - t_ready))s, total $((t_end - t_start))s"
if [ $rc -ne 0 ]; then
	reason=$(grep -m 1 -E 'Kernel panic|VFS: Unable|not syncing' "$out/console.log" 2>/dev/null || true)
	[ -z "$reason" ] || note "guest console: $reason"
	exit 1
fi
