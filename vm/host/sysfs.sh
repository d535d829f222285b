# shellcheck shell=bash
# PCI/SR-IOV sysfs queries shared by host-setup.sh and run.sh (sourced).
# ZCD_SYSFS (default /sys) lets the tests point these at a fake tree.

SYSFS=${ZCD_SYSFS:-/sys}
PCI_DEVICES=$SYSFS/bus/pci/devices

# pci_driver ADDR: name of the driver bound to ADDR, empty when none.
pci_driver() {
	local link=$PCI_DEVICES/$1/driver
	[ -L "$link" ] || return 0
	basename "$(readlink "$link")"
}

# pci_physfn ADDR: the PF address of a VF, empty for a non-VF.
pci_physfn() {
	local link=$PCI_DEVICES/$1/physfn
	[ -L "$link" ] || return 0
	basename "$(readlink "$link")"
}

# xe_pfs: SR-IOV capable devices driven by xe, one address per line.
xe_pfs() {
	local d
	for d in "$PCI_DEVICES"/*; do
		[ -e "$d/sriov_totalvfs" ] || continue
		[ "$(pci_driver "$(basename "$d")")" = xe ] && basename "$d"
	done
	return 0
}

# vfio_bound_vfs_of_xe: VFs bound to vfio-pci whose PF is driven by xe.
vfio_bound_vfs_of_xe() {
	local d a pf
	for d in "$PCI_DEVICES"/*; do
		a=$(basename "$d")
		pf=$(pci_physfn "$a")
		[ -n "$pf" ] || continue
		[ "$(pci_driver "$a")" = vfio-pci ] || continue
		[ "$(pci_driver "$pf")" = xe ] && echo "$a"
	done
	return 0
}
