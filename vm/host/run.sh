#!/usr/bin/env bash
# `./zcd vm run`: start the guest on a real Xe SR-IOV host with the topology of
# the interconnect series' test method:
#
#   pcie.0 ── ioh3420 root port ── x3130 upstream ─┬─ xio3130 downstream ── vfio-pci VF
#                                                  └─ xio3130 downstream ── virtio-gpu (blob)
#
# Guest RAM is a shared memfd so QEMU can hand virtio-gpu blob resources on as
# dmabufs; the GTK display with gl=on imports them without a copy.
# Preflight runs first and prints one line per problem instead of a QEMU error.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
zcd_prog="zcd vm run"
# shellcheck source=vm/lib/common.sh
. "$here/../lib/common.sh"
# shellcheck source=vm/host/sysfs.sh
. "$here/sysfs.sh"

usage() {
	cat <<'USAGE'
usage: ./zcd vm run [options] [-- EXTRA-QEMU-ARGS...]

Starts QEMU with the VF (vfio-pci) and virtio-gpu blob behind a PCIe switch.
  --vf ADDR            VF bound to vfio-pci (default: the only one whose PF is driven by xe)
  --disk IMAGE         guest disk image (virtio); required unless --kernel is given
  --disk-format FMT    image format (default qcow2)
  --kernel FILE        boot this kernel directly (with --append, --initrd)
  --initrd FILE        initrd for --kernel
  --append ARGS        kernel command line for --kernel
  --memory SIZE        guest RAM, a memfd shared with QEMU (default 8G)
  --smp N              vCPUs (default 4)
  --cpu MODEL          CPU model (default host)
  --accel NAME         accelerator (default kvm)
  --size WxH           virtio-gpu output size, sets xres/yres (default 1920x1080)
  --display SPEC       QEMU -display value (default gtk,gl=on)
  --qemu PATH          QEMU binary (default $ZCD_QEMU, else the project's QEMU:
                       $ZCD_CACHE/qemu/build/qemu-system-x86_64, ./zcd qemu build)
  --qmp PATH           QMP socket (default $XDG_RUNTIME_DIR/zcd-vm/qmp.sock)
  --kstat-socket PATH  virtio-serial socket of the host agent (default next to --qmp)
  --counters FILE      host interconnect counters (default /sys/kernel/debug/dma_buf/interconnect_stats)
  --no-agent           do not start the host agent
  --dry-run            print preflight problems as warnings and the QEMU command line; run nothing
  --preflight-only     only run the preflight checks
  -h, --help           this text
USAGE
}

vf="" disk="" disk_format=qcow2 kernel="" initrd="" append=""
memory=8G smp=4 cpu=host accel=kvm size=1920x1080 display="gtk,gl=on"
qemu=$(project_qemu)
run_dir=${XDG_RUNTIME_DIR:-/run}/zcd-vm
qmp="" kstat_socket="" counters=/sys/kernel/debug/dma_buf/interconnect_stats
agent=1 dry_run=0 preflight_only=0 extra=()

need() { [ $# -ge 2 ] || die "$1 needs a value (see --help)"; }
while [ $# -gt 0 ]; do
	case "$1" in
	-h | --help) usage; exit 0 ;;
	--vf) need "$@"; vf=$2; shift 2 ;;
	--disk) need "$@"; disk=$2; shift 2 ;;
	--disk-format) need "$@"; disk_format=$2; shift 2 ;;
	--kernel) need "$@"; kernel=$2; shift 2 ;;
	--initrd) need "$@"; initrd=$2; shift 2 ;;
	--append) need "$@"; append=$2; shift 2 ;;
	--memory) need "$@"; memory=$2; shift 2 ;;
	--smp) need "$@"; smp=$2; shift 2 ;;
	--cpu) need "$@"; cpu=$2; shift 2 ;;
	--accel) need "$@"; accel=$2; shift 2 ;;
	--size) need "$@"; size=$2; shift 2 ;;
	--display) need "$@"; display=$2; shift 2 ;;
	--qemu) need "$@"; qemu=$2; shift 2 ;;
	--qmp) need "$@"; qmp=$2; shift 2 ;;
	--kstat-socket) need "$@"; kstat_socket=$2; shift 2 ;;
	--counters) need "$@"; counters=$2; shift 2 ;;
	--no-agent) agent=0; shift ;;
	--dry-run) dry_run=1; shift ;;
	--preflight-only) preflight_only=1; shift ;;
	--) shift; extra=("$@"); break ;;
	*) die "unknown option '$1' (see --help)" ;;
	esac
done

read -r xres yres < <(parse_wxh "$size") || die "--size '$size' is not WxH (e.g. 1920x1080)"
[[ $smp =~ ^[1-9][0-9]*$ ]] || die "--smp '$smp' is not a positive number"
[[ $memory =~ ^[1-9][0-9]*[MGT]$ ]] || die "--memory '$memory' is not a size like 8G or 4096M"
[ -z "$vf" ] || pci_addr_valid "$vf" || die "--vf '$vf' is not a PCI address like 0000:03:00.1"
qmp=${qmp:-$run_dir/qmp.sock}
kstat_socket=${kstat_socket:-$(dirname "$qmp")/kstat.sock}

problems=()
problem() { problems+=("$*"); }

# --- preflight: each check adds one line naming what is wrong and what to do.
check_kvm() {
	[ "$accel" = kvm ] || return 0
	if [ ! -e /dev/kvm ]; then
		problem "no KVM: /dev/kvm is missing (enable virtualisation in firmware, load kvm_intel)"
	elif [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
		problem "no KVM access: /dev/kvm is not read-writable for $(id -un) (add the user to group kvm)"
	fi
}

check_iommu() {
	if [ -z "$(ls -A "$SYSFS/class/iommu" 2>/dev/null)" ]; then
		problem "no IOMMU: $SYSFS/class/iommu is empty (boot with intel_iommu=on, enable VT-d)"
	fi
	if [ ! -d "$SYSFS/module/vfio_pci" ] || [ ! -e /dev/vfio/vfio ]; then
		problem "vfio modules not loaded: no $SYSFS/module/vfio_pci or /dev/vfio/vfio (modprobe vfio-pci)"
	fi
}

check_vf() {
	if [ -z "$vf" ]; then
		local found
		mapfile -t found < <(vfio_bound_vfs_of_xe)
		case ${#found[@]} in
		0)
			if [ -z "$(xe_pfs)" ]; then
				problem "PF not driven by xe: no SR-IOV device is bound to the xe driver (load xe with max_vfs=N)"
			fi
			problem "VF not bound: no VF of an xe PF is bound to vfio-pci (run ./zcd vm host-setup, or pass --vf)"
			return
			;;
		1) vf=${found[0]} ;;
		*) problem "several VFs are bound to vfio-pci (${found[*]}): pick one with --vf"; return ;;
		esac
	fi
	if [ ! -e "$PCI_DEVICES/$vf" ]; then
		problem "VF not found: no PCI device $vf"
		return
	fi
	local pf
	pf=$(pci_physfn "$vf")
	if [ -z "$pf" ]; then
		problem "VF not a VF: $vf has no physfn (pass a virtual function)"
	elif [ "$(pci_driver "$pf")" != xe ]; then
		problem "PF not driven by xe: PF $pf of $vf is bound to '$(pci_driver "$pf")'"
	fi
	if [ "$(pci_driver "$vf")" != vfio-pci ]; then
		problem "VF not bound: $vf is bound to '$(pci_driver "$vf")', not vfio-pci (run ./zcd vm host-setup)"
		return
	fi
	local group
	group=$(basename "$(readlink "$PCI_DEVICES/$vf/iommu_group" 2>/dev/null)" 2>/dev/null || true)
	if [ -z "$group" ] || [ ! -e "/dev/vfio/$group" ]; then
		problem "VF has no VFIO group node: /dev/vfio/${group:-?} missing for $vf"
	fi
}

check_qemu() {
	if ! command -v "$qemu" >/dev/null; then
		problem "QEMU not found: '$qemu' (build the project's QEMU with ./zcd qemu build, or pass --qemu)"
		return
	fi
	local dev
	for dev in ioh3420 x3130-upstream xio3130-downstream vfio-pci virtio-gpu-pci \
		virtio-serial-pci virtserialport; do
		qemu_has_device "$qemu" "$dev" || problem "QEMU lacks device $dev ($qemu -device help)"
	done
	local prop
	for prop in $(qemu_device_missing_props "$qemu" virtio-gpu-pci blob max_outputs xres yres); do
		problem "QEMU's virtio-gpu-pci lacks option $prop ($qemu -device virtio-gpu-pci,help)"
	done
	# The capability itself, asked of the binary: the seed's QEMU series
	# (qemu/) adds virtio-gpu's vfio-dmabuf option with the path that
	# exports a blob in the VF's BAR through VFIO_DEVICE_FEATURE_DMA_BUF.
	[ -z "$(qemu_device_missing_props "$qemu" virtio-gpu-pci vfio-dmabuf)" ] ||
		problem "QEMU without vfio dma-buf blobs: $qemu's virtio-gpu-pci has no vfio-dmabuf option (use the project's QEMU: ./zcd qemu build)"
	qemu_has_object "$qemu" memory-backend-memfd ||
		problem "QEMU lacks -object memory-backend-memfd"
	# QEMU refuses blob=true unless it can turn guest RAM into dmabufs.
	[ -e /dev/udmabuf ] ||
		problem "no /dev/udmabuf on the host: virtio-gpu blob=true needs it (CONFIG_UDMABUF, modprobe udmabuf)"
	qemu_has_display "$qemu" "${display%%,*}" ||
		problem "QEMU lacks display '${display%%,*}' (install qemu-system-gui, or pass --display)"
	qemu_has_accel "$qemu" "$accel" || problem "QEMU lacks accelerator $accel"
}

check_series() {
	local dbg=$SYSFS/kernel/debug
	if [ ! -d "$dbg/dma_buf" ] && [ -z "$(ls -A "$dbg" 2>/dev/null)" ]; then
		problem "debugfs not readable at $dbg (mount -t debugfs none $dbg, run as root)"
	elif [ ! -r "$counters" ]; then
		problem "host kernel without the interconnect series: $counters is absent (boot the series' kernel)"
	fi
}

check_guest() {
	if [ -n "$kernel" ]; then
		[ -r "$kernel" ] || problem "guest kernel not readable: $kernel"
		[ -z "$initrd" ] || [ -r "$initrd" ] || problem "guest initrd not readable: $initrd"
	elif [ -z "$disk" ]; then
		problem "no guest: pass --disk IMAGE (see vm/guest/README in vm/README.md) or --kernel FILE"
	elif [ ! -r "$disk" ]; then
		problem "guest disk not readable: $disk"
	fi
}

check_kvm
check_iommu
check_vf
check_qemu
check_series
check_guest

# --- the QEMU command line (values above; the VF placeholder keeps a dry run readable).
# shellcheck disable=SC2054 # commas separate QEMU sub-options, not array elements
args=(
	"$qemu" -name zcdisplay
	-machine "q35,accel=$accel,memory-backend=mem" -cpu "$cpu" -smp "$smp" -m "$memory"
	-object "memory-backend-memfd,id=mem,size=$memory,share=on"
	-device ioh3420,id=root_port1,bus=pcie.0,chassis=1,slot=1
	-device x3130-upstream,id=upstream1,bus=root_port1
	-device xio3130-downstream,id=downstream1,bus=upstream1,chassis=2,slot=1
	-device xio3130-downstream,id=downstream2,bus=upstream1,chassis=3,slot=2
	-device "vfio-pci,host=${vf:-VF-ADDRESS},bus=downstream1"
	-device "virtio-gpu-pci,blob=true,max_outputs=1,xres=$xres,yres=$yres,bus=downstream2"
	-display "$display"
	-qmp "unix:$qmp,server=on,wait=off"
	-device virtio-serial-pci,id=vserial0
	-chardev "socket,id=kstat,path=$kstat_socket,server=on,wait=off"
	-device virtserialport,bus=vserial0.0,chardev=kstat,name=org.zcdisplay.kstat
)
if [ -n "$kernel" ]; then
	args+=(-kernel "$kernel")
	[ -z "$initrd" ] || args+=(-initrd "$initrd")
	[ -z "$append" ] || args+=(-append "$append")
fi
[ -z "$disk" ] || args+=(-drive "file=$disk,format=$disk_format,if=virtio")
args+=("${extra[@]}")

if [ $dry_run -eq 1 ]; then
	for p in "${problems[@]}"; do echo "$zcd_prog: warning: $p" >&2; done
	echo "# QEMU: $qemu"
	print_cmdline "${args[@]}"
	exit 0
fi
if [ ${#problems[@]} -gt 0 ]; then
	for p in "${problems[@]}"; do echo "$zcd_prog: preflight: $p" >&2; done
	echo "$zcd_prog: preflight failed with ${#problems[@]} problem(s); QEMU not started" >&2
	exit 1
fi
if [ $preflight_only -eq 1 ]; then
	echo "$zcd_prog: preflight passed (VF $vf)"
	exit 0
fi

mkdir -p "$(dirname "$qmp")" "$(dirname "$kstat_socket")"
agent_pid=""
if [ $agent -eq 1 ]; then
	"$here/agent" --counters "$counters" --socket "$kstat_socket" --wait 30 &
	agent_pid=$!
fi
rc=0
"${args[@]}" || rc=$?
[ -z "$agent_pid" ] || kill "$agent_pid" 2>/dev/null || true
exit $rc
