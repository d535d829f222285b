#!/usr/bin/env bash
# PID 1 of the chain's inner guest (inner_machine.py --inner guest): the
# series' kernel under nested TCG, root over 9p (the outer VM's root, itself
# the host's), playing the seed's guest.  It loads the VF's test driver
# (zcd-vf-lmem, exporting dma-bufs over the VF's memory BAR), runs
# zc-inner-scanout (frame into a VF dma-buf, PRIME import into virtio-gpu,
# KMS scanout) and keeps the machine up until the outer side stops it.
# Everything it reports goes to the serial console as "zcd-inner: KEY: VALUE".
#
# Kernel command line: zcd.ko=PATH zcd.bin=DIR zcd.size=WxH zcd.frame=N
# zcd.offset=N (inner_machine.py writes it).
set -uo pipefail

usage() {
	cat <<'USAGE'
usage: (PID 1 of the chain's inner guest only; see vm/chain/inner_machine.py --inner guest)
USAGE
}
case "${1:-}" in -h | --help) usage; exit 0 ;; esac
if [ $$ -ne 1 ]; then
	usage >&2
	exit 2
fi

say() { echo "zcd-inner: $1: $2"; }
halt() { # halt: stop the machine the way QEMU sees as an exit
	echo o >/proc/sysrq-trigger 2>/dev/null
	sleep 1000000
}

mount -t proc proc /proc
mount -t sysfs sys /sys
mountpoint -q /dev || mount -t devtmpfs dev /dev
mount -t tmpfs -o mode=1777 tmpfs /tmp
[ -e /dev/fd ] || ln -s /proc/self/fd /dev/fd	# bash's <(...)
say init_uptime_s "$(cut -d' ' -f1 /proc/uptime)"

ko="" bin="" size=320x240 frame=1 offset=0x10000
for arg in $(</proc/cmdline); do
	case "$arg" in
	zcd.ko=*) ko=${arg#zcd.ko=} ;;
	zcd.bin=*) bin=${arg#zcd.bin=} ;;
	zcd.size=*) size=${arg#zcd.size=} ;;
	zcd.frame=*) frame=${arg#zcd.frame=} ;;
	zcd.offset=*) offset=${arg#zcd.offset=} ;;
	esac
done
say kernel "$(uname -r)"

# pci_path BDF: "bb:dd.f vvvv:dddd -> ..." from the root port down to BDF
# (the qtest driver's format, judged by chain_report_check.py).
pci_path() {
	local hop out="" real
	real=$(readlink -f "/sys/bus/pci/devices/$1")
	for hop in ${real//\// }; do
		[[ $hop =~ ^[0-9a-f]{4}:([0-9a-f]{2}:[0-9a-f]{2}\.[0-9a-f])$ ]] || continue
		local d=/sys/bus/pci/devices/$hop
		out+="${out:+ -> }${BASH_REMATCH[1]} $(sed 's/^0x//' "$d/vendor"):$(sed 's/^0x//' "$d/device")"
	done
	echo "$out"
}
# pci_find VENDOR DEVICE: the first function with that ID
pci_find() {
	local d
	for d in /sys/bus/pci/devices/*; do
		[ "$(cat "$d/vendor"):$(cat "$d/device")" = "0x$1:0x$2" ] && { echo "${d##*/}"; return; }
	done
}
vf=$(pci_find 1b36 00f1)
gpu=$(pci_find 1af4 1050)
if [ -z "$vf" ] || [ -z "$gpu" ]; then
	say error "the inner guest sees no VF (1b36:00f1: ${vf:-none}) or virtio-gpu (1af4:1050: ${gpu:-none})"
	halt
fi
say vf_path "$(pci_path "$vf")"
say gpu_path "$(pci_path "$gpu")"
read -r bar_start bar_end _ < <(sed -n 3p "/sys/bus/pci/devices/$vf/resource")
say vf_bar2 "$(printf '%#x+%#x' "$bar_start" $((bar_end - bar_start + 1)))"
# the features the driver accepted: one character per bit, bit 0 first
for v in "/sys/bus/pci/devices/$gpu"/virtio*; do
	bits=$(cat "$v/features")
	accepted=0
	for ((i = 0; i < ${#bits} && i < 63; i++)); do
		[ "${bits:i:1}" = 1 ] && accepted=$((accepted | (1 << i)))
	done
	say virtio_features "offered ? accepted $(printf '%#x' $accepted) (the guest's view: negotiated bits)"
done
if ! insmod "$ko" 2>/tmp/insmod.err; then
	say error "insmod $ko: $(head -n 1 /tmp/insmod.err)"
	halt
fi
for _ in $(seq 100); do
	[ -c /dev/zcd-vf-lmem ] && [ -c /dev/dri/card0 ] && break
	sleep 0.1
done
dmesg | grep -E 'zcd-vf-lmem|virtio_gpu|virtio-gpu|\[drm\]' | sed 's/^/zcd-inner: dmesg: /'
if [ ! -c /dev/zcd-vf-lmem ] || [ ! -c /dev/dri/card0 ]; then
	say error "no /dev/zcd-vf-lmem or /dev/dri/card0 (VF driver or virtio-gpu did not probe)"
	halt
fi
say modules_ready_uptime_s "$(cut -d' ' -f1 /proc/uptime)"

# The program keeps the scanout until the machine stops.  Meanwhile this
# shell reports what the VF driver logged (pin, map entries) once it is ready.
"$bin/zc-inner-scanout" --size "$size" --frame "$frame" --offset "$offset" &
prog=$!
for _ in $(seq 600); do
	dmesg | grep -q 'zcd-vf-lmem: map entry' && break
	kill -0 "$prog" 2>/dev/null || break
	sleep 0.1
done
sleep 1
dmesg | grep 'zcd-vf-lmem' | sed 's/^/zcd-inner: dmesg: /'
say driver_report logged
wait "$prog"
say error "zc-inner-scanout exited with status $?"
halt
