#!/usr/bin/env bash
# PID 1 of the emulated guest (kernel command line: init=<this file>).
#
# The root file system is the host's, read-only over 9p, so every program and
# library the checks need is already there.  This script makes the mounts a
# minimal system needs, mounts the writable output share, runs the checks and
# reboots; QEMU runs with -no-reboot, so the reboot ends QEMU.  No `set -e`:
# PID 1 must reach the reboot whatever a check does.
set -uo pipefail

usage() {
	cat <<'USAGE'
usage: init=vm/emulated/guest-init.sh (PID 1 of the emulated guest; not for the host)

Kernel command line: zcd.out=TAG (9p mount tag of the output share, default zcdout);
zcd.run=NAME (what runs: checks, the emulated test's guest-checks.sh, by default;
kernel-bench, guest-kernel-bench.sh for ./zcd vm kernel-bench; chain, the seed
chain's vm/chain/guest-chain.sh for ./zcd vm chain-test).
USAGE
}
case "${1:-}" in -h | --help) usage; exit 0 ;; esac
if [ $$ -ne 1 ]; then
	echo "guest-init: must run as PID 1 inside the emulated guest (see vm/README.md)" >&2
	exit 2
fi

here=$(cd "$(dirname "$0")" && pwd)
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/tmp

mount -t proc proc /proc
mount -t sysfs sysfs /sys
# CONFIG_DEVTMPFS_MOUNT may have mounted /dev already.
mountpoint -q /dev || mount -t devtmpfs devtmpfs /dev
mount -t tmpfs -o mode=755 tmpfs /run
# The guest needs a writable /tmp, but a checkout or build directory may live
# in the host's /tmp: keep the host's /tmp reachable to bind those back.
mkdir -p /run/host-tmp
mount --bind /tmp /run/host-tmp
mount -t tmpfs -o mode=1777 tmpfs /tmp
# udev's job on a full system: bash's process substitution needs /dev/fd.
[ -e /dev/fd ] || ln -s /proc/self/fd /dev/fd
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
mount -t debugfs debugfs /sys/kernel/debug

out_tag=zcdout run=checks
for arg in $(</proc/cmdline); do
	case "$arg" in
	zcd.out=*) out_tag=${arg#zcd.out=} ;;
	zcd.run=*) run=${arg#zcd.run=} ;;
	esac
done
case "$run" in
checks) script=$here/guest-checks.sh ;;
kernel-bench) script=$here/guest-kernel-bench.sh ;;
chain) script=$here/../chain/guest-chain.sh ;;
*)
	echo "zcd-guest: unknown zcd.run=$run; running the emulated test's checks"
	script=$here/guest-checks.sh
	;;
esac
out=/run/zcd-out
mkdir -p "$out"
if mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 "$out_tag" "$out"; then
	echo "zcd-guest: output share mounted at $out"
	echo "boot	pass	init reached, output share mounted" >>"$out/results.tsv"
	# Paths the checks use that live in the host's /tmp (the checkout with
	# these scripts, the build, the importer module): bind them back,
	# enclosing ones first.
	# shellcheck source=/dev/null
	for path in $(. "$out/params.sh" && echo "${zcd_root:-}" "${zcd_build:-}" "$(dirname "${importer_ko:-/}")"); do
		case "$path" in
		/tmp/?*)
			mkdir -p "$path"
			mount --bind "/run/host-tmp/${path#/tmp/}" "$path"
			;;
		esac
	done
	"$script" "$out" 2>&1 | tee "$out/guest.log"
	sync
	umount "$out"
else
	echo "zcd-guest: cannot mount the output share '$out_tag' (no 9p in the kernel?)"
fi
echo "zcd-guest: done, rebooting (QEMU exits)"
# reboot(2) directly: no init system to hand over to.
busybox reboot -f
sleep 5
echo b >/proc/sysrq-trigger
