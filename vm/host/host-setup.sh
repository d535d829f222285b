#!/usr/bin/env bash
# `./zcd vm host-setup`: prepare a real Xe SR-IOV host for `./zcd vm run`.
#
# 1. pick the PF (a device bound to xe with an SR-IOV capability),
# 2. optionally provision the VFs through xe's debugfs quotas (Linux 6.12:
#    /sys/kernel/debug/dri/<card>/gt<N>/vf<M>/{ggtt,lmem,contexts,doorbells}_quota);
#    without quotas xe provisions all enabled VFs fairly by itself,
# 3. enable N VFs (sriov_numvfs) with driver autoprobe off, so no guest driver
#    grabs them, and bind the chosen VF to vfio-pci through driver_override.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
zcd_prog="zcd vm host-setup"
# shellcheck source=vm/lib/common.sh
. "$here/../lib/common.sh"
# shellcheck source=vm/host/sysfs.sh
. "$here/sysfs.sh"

usage() {
	cat <<'USAGE'
usage: ./zcd vm host-setup [options]

Enables VFs on an Xe PF and binds one of them to vfio-pci.
  --pf ADDR          the PF (default: the only SR-IOV device bound to xe)
  --num-vfs N        VFs to enable (default 1)
  --vf-index I       which VF to bind to vfio-pci, 0-based (default 0)
  --gt N             GT whose quotas are written (default 0)
  --lmem BYTES       per-VF LMEM quota (discrete GPUs)
  --ggtt BYTES       per-VF GGTT quota
  --contexts N       per-VF GuC context quota
  --doorbells N      per-VF GuC doorbell quota
                     (quotas: give ggtt, contexts and doorbells together, or none for xe's fair split)
  --dry-run          print the sysfs/debugfs writes instead of doing them
  -h, --help         this text
USAGE
}

pf="" num_vfs=1 vf_index=0 gt=0 lmem="" ggtt="" contexts="" doorbells="" dry_run=0
need() { [ $# -ge 2 ] || die "$1 needs a value (see --help)"; }
while [ $# -gt 0 ]; do
	case "$1" in
	-h | --help) usage; exit 0 ;;
	--pf) need "$@"; pf=$2; shift 2 ;;
	--num-vfs) need "$@"; num_vfs=$2; shift 2 ;;
	--vf-index) need "$@"; vf_index=$2; shift 2 ;;
	--gt) need "$@"; gt=$2; shift 2 ;;
	--lmem) need "$@"; lmem=$2; shift 2 ;;
	--ggtt) need "$@"; ggtt=$2; shift 2 ;;
	--contexts) need "$@"; contexts=$2; shift 2 ;;
	--doorbells) need "$@"; doorbells=$2; shift 2 ;;
	--dry-run) dry_run=1; shift ;;
	*) die "unknown option '$1' (see --help)" ;;
	esac
done
for v in num_vfs vf_index gt; do
	[[ ${!v} =~ ^[0-9]+$ ]] || die "--${v//_/-} '${!v}' is not a number"
done
[ "$num_vfs" -ge 1 ] || die "--num-vfs must be at least 1"
[ "$vf_index" -lt "$num_vfs" ] || die "--vf-index $vf_index is not below --num-vfs $num_vfs"
for v in lmem ggtt contexts doorbells; do
	[ -z "${!v}" ] || [[ ${!v} =~ ^[0-9]+$ ]] || die "--$v '${!v}' is not a number"
done
quotas=0
if [ -n "$ggtt$contexts$doorbells$lmem" ]; then
	if [ -z "$ggtt" ] || [ -z "$contexts" ] || [ -z "$doorbells" ]; then
		die "explicit provisioning needs --ggtt, --contexts and --doorbells together (or none of them)"
	fi
	quotas=1
fi

# write VALUE FILE: one sysfs/debugfs write, or its description in a dry run.
write() {
	if [ $dry_run -eq 1 ]; then
		echo "echo $1 > $2"
	else
		echo "$1" >"$2" 2>/dev/null || die "writing '$1' to $2 failed (run as root; see dmesg)"
	fi
}

if [ -z "$pf" ]; then
	mapfile -t pfs < <(xe_pfs)
	case ${#pfs[@]} in
	0) die "no SR-IOV capable device is bound to the xe driver (load xe with max_vfs=N; Linux >= 6.12)" ;;
	1) pf=${pfs[0]} ;;
	*) die "several xe PFs (${pfs[*]}): choose one with --pf" ;;
	esac
fi
pci_addr_valid "$pf" || die "--pf '$pf' is not a PCI address like 0000:03:00.0"
pf_dir=$PCI_DEVICES/$pf
[ -d "$pf_dir" ] || die "no PCI device $pf"
[ "$(pci_driver "$pf")" = xe ] || die "PF $pf is bound to '$(pci_driver "$pf")', not xe"
[ -r "$pf_dir/sriov_totalvfs" ] || die "$pf has no SR-IOV capability"
total=$(<"$pf_dir/sriov_totalvfs")
[ "$num_vfs" -le "$total" ] || die "--num-vfs $num_vfs exceeds $pf's limit of $total (xe's max_vfs module option caps it)"

current=$(<"$pf_dir/sriov_numvfs")
if [ "$current" -ne 0 ] && [ "$current" -ne "$num_vfs" ]; then
	# sriov_numvfs only changes through 0.
	write 0 "$pf_dir/sriov_numvfs"
	current=0
fi

if [ $quotas -eq 1 ] && [ "$current" -eq 0 ]; then
	# xe's debugfs names the DRM card by its minor; find the one of this PF.
	cards=("$pf_dir"/drm/card*)
	card=$(basename "${cards[0]}")
	[ -e "${cards[0]}" ] || die "no DRM card found for $pf under $pf_dir/drm"
	dbg=$SYSFS/kernel/debug/dri/${card#card}/gt$gt
	[ -d "$dbg" ] || die "no xe debugfs at $dbg (mount debugfs; is the PF in SR-IOV PF mode?)"
	for ((n = 1; n <= num_vfs; n++)); do
		[ -d "$dbg/vf$n" ] || die "no $dbg/vf$n: xe manages fewer VFs than $num_vfs"
		write "$ggtt" "$dbg/vf$n/ggtt_quota"
		[ -z "$lmem" ] || write "$lmem" "$dbg/vf$n/lmem_quota"
		write "$contexts" "$dbg/vf$n/contexts_quota"
		write "$doorbells" "$dbg/vf$n/doorbells_quota"
	done
fi

if [ "$current" -eq 0 ]; then
	# No host driver may claim the new VFs: they go to the guest.
	write 0 "$pf_dir/sriov_drivers_autoprobe"
	write "$num_vfs" "$pf_dir/sriov_numvfs"
fi

if [ $dry_run -eq 1 ]; then
	vf="<virtfn$vf_index of $pf>"
	write vfio-pci "$PCI_DEVICES/$vf/driver_override"
	write "$vf" "$SYSFS/bus/pci/drivers_probe"
	exit 0
fi

[ -L "$pf_dir/virtfn$vf_index" ] || die "$pf has no virtfn$vf_index after enabling $num_vfs VF(s)"
vf=$(basename "$(readlink "$pf_dir/virtfn$vf_index")")
[ -d "$SYSFS/bus/pci/drivers/vfio-pci" ] || die "vfio-pci driver not loaded (modprobe vfio-pci)"
drv=$(pci_driver "$vf")
if [ "$drv" != vfio-pci ]; then
	[ -z "$drv" ] || write "$vf" "$PCI_DEVICES/$vf/driver/unbind"
	write vfio-pci "$PCI_DEVICES/$vf/driver_override"
	write "$vf" "$SYSFS/bus/pci/drivers_probe"
fi
[ "$(pci_driver "$vf")" = vfio-pci ] || die "binding $vf to vfio-pci failed (see dmesg)"
echo "$zcd_prog: $num_vfs VF(s) on $pf; $vf bound to vfio-pci (next: ./zcd vm run --vf $vf --disk IMAGE)"
