#!/usr/bin/env bash
# The zcdisplay guest session: zc-compositor on the DRM backend, displaying on
# virtio-gpu and rendering on the SR-IOV VF, with the demo clients.
#
# Display device: wlroots opens only the cards in WLR_DRM_DEVICES, so the
# virtio-gpu card is the one that scans out.  Render device: Mesa's Vulkan
# device-select layer honours MESA_VK_DEVICE_SELECT=vendor:device, so our
# Vulkan renderer (and every Vulkan client) lands on the VF; `lavapipe`
# selects the CPU renderer instead (the emulated VM has no GPU behind its VF).
# Both devices come from 61-zcd-gpu-roles.rules (/dev/dri/zcd-*) or, without
# udev, from sysfs.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
zcd_prog="zcd-session"
# shellcheck source=vm/lib/common.sh
. "$here/../lib/common.sh"

usage() {
	cat <<'USAGE'
usage: vm/guest/zcd-session.sh [options] [-- CLIENT-COMMAND...]

Starts zc-compositor as the guest's session (see vm/README.md, "Guest").
  --display-device PATH   DRM card that displays (default: /dev/dri/zcd-display, else the virtio-gpu card)
  --render-device DEV     render node of the VF, or `lavapipe` (default: /dev/dri/zcd-render,
                          else the render node of an xe/i915 device, else lavapipe)
  --build DIR             where zc-compositor and zc-client are (default $ZCD_BUILD/bin or <checkout>/build/bin)
  --compositor-arg ARG    extra zc-compositor argument, repeatable (e.g. --stats-json FILE)
  --dry-run               print the environment and command, run nothing
  -h, --help              this text
Without CLIENT-COMMAND the demo client set (vm/guest/demo-clients.sh) runs.
USAGE
}

display="" render="" build_dir="" dry_run=0 comp_args=() client=()
need() { [ $# -ge 2 ] || die "$1 needs a value (see --help)"; }
while [ $# -gt 0 ]; do
	case "$1" in
	-h | --help) usage; exit 0 ;;
	--display-device) need "$@"; display=$2; shift 2 ;;
	--render-device) need "$@"; render=$2; shift 2 ;;
	--build) need "$@"; build_dir=$2; shift 2 ;;
	--compositor-arg) need "$@"; comp_args+=("$2"); shift 2 ;;
	--dry-run) dry_run=1; shift ;;
	--) shift; client=("$@"); break ;;
	*) die "unknown option '$1' (see --help)" ;;
	esac
done
build_dir=${build_dir:-${ZCD_BUILD:-$here/../../build}/bin}

# drm_node_by_driver KIND DRIVER-REGEX: first /dev/dri/KIND* whose device is
# driven by a matching driver (what the udev rule would have linked).
drm_node_by_driver() {
	local n drv
	for n in /sys/class/drm/"$1"[0-9]*; do
		[ -e "$n/device/driver" ] || continue
		drv=$(basename "$(readlink -f "$n/device/driver")")
		if [[ $drv =~ ^($2)$ ]]; then
			echo "/dev/dri/$(basename "$n")"
			return 0
		fi
	done
	return 1
}

# virtio_gpu_card: the DRM card of a virtio-gpu PCI device (1af4:1050).  Its
# parent is the PCI device, driven by virtio-pci: the virtio_gpu driver sits
# on a virtio device beside the card, so the driver name cannot find it.
virtio_gpu_card() {
	local n
	for n in /sys/class/drm/card[0-9]*; do
		[ -r "$n/device/device" ] || continue
		if [ "$(<"$n/device/vendor")" = 0x1af4 ] && [ "$(<"$n/device/device")" = 0x1050 ]; then
			echo "/dev/dri/$(basename "$n")"
			return 0
		fi
	done
	return 1
}

if [ -z "$display" ]; then
	if [ -e /dev/dri/zcd-display ]; then
		display=/dev/dri/zcd-display
	else
		display=$(virtio_gpu_card) ||
			die "no display device: no virtio-gpu DRM card (QEMU -device virtio-gpu-pci; CONFIG_DRM_VIRTIO_GPU)"
	fi
fi
[ -e "$display" ] || die "display device $display does not exist"

if [ -z "$render" ]; then
	if [ -e /dev/dri/zcd-render ]; then
		render=/dev/dri/zcd-render
	elif ! render=$(drm_node_by_driver renderD 'xe|i915'); then
		note "no VF render node (xe/i915) found; rendering with lavapipe"
		render=lavapipe
	fi
fi

env_vars=(WLR_DRM_DEVICES="$(readlink -f "$display")")
if [ "$render" = lavapipe ]; then
	icd=/usr/share/vulkan/icd.d/lvp_icd.json
	[ -r "$icd" ] || die "lavapipe not installed ($icd missing: mesa-vulkan-drivers)"
	env_vars+=(VK_DRIVER_FILES="$icd" VK_ICD_FILENAMES="$icd")
else
	[ -e "$render" ] || die "render device $render does not exist"
	sys=/sys/class/drm/$(basename "$(readlink -f "$render")")/device
	vendor=$(<"$sys/vendor") device=$(<"$sys/device")
	# "!" forces the choice even where the layer would prefer another GPU.
	env_vars+=(MESA_VK_DEVICE_SELECT="${vendor#0x}:${device#0x}!")
fi
# Without logind (a bare root shell, the emulated VM) libseat runs its
# embedded seatd.  Not the noop backend: wlroots 0.15 waits for the seat's
# enable event, which noop only delivers on a dispatch that never comes (the
# session times out after 10 s).  Off a virtual terminal the seat must not be
# VT-bound (seatd would switch a VT that is not ours).
if [ "$(id -u)" -eq 0 ] && [ -z "${XDG_SESSION_ID:-}" ]; then
	env_vars+=(LIBSEAT_BACKEND=builtin)
	case "$(tty 2>/dev/null)" in
	/dev/tty[0-9]*) ;;
	*) env_vars+=(SEATD_VTBOUND=0) ;;
	esac
fi
if [ -z "${XDG_RUNTIME_DIR:-}" ]; then
	XDG_RUNTIME_DIR=/run/user/$(id -u)
	[ $dry_run -eq 1 ] || { mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"; }
	env_vars+=(XDG_RUNTIME_DIR="$XDG_RUNTIME_DIR")
fi
# A VM often has no input device yet; wlroots must not give up on that.
env_vars+=(WLR_LIBINPUT_NO_DEVICES=1)

[ ${#client[@]} -gt 0 ] || client=("$here/demo-clients.sh" --build "$build_dir")
cmd=("$build_dir/zc-compositor" --backend drm "${comp_args[@]}" -- "${client[@]}")
if [ $dry_run -eq 1 ]; then
	print_cmdline env "${env_vars[@]}" "${cmd[@]}"
	exit 0
fi
[ -x "${cmd[0]}" ] || die "zc-compositor not built at ${cmd[0]} (./zcd build, or pass --build)"
exec env "${env_vars[@]}" "${cmd[@]}"
