#!/usr/bin/env bash
# The checks that run inside the emulated guest (started by guest-init.sh).
#
# Each check appends one line "NAME<TAB>pass|fail<TAB>DETAIL" to
# OUT/results.tsv; the host reads that file and names the first failure.
# A check whose prerequisite is missing fails and names the prerequisite.
# The check names and their order are in vm/emulated/checks.txt.
set -uo pipefail

usage() {
	cat <<'USAGE'
usage: vm/emulated/guest-checks.sh OUT-DIR   (inside the emulated guest only)

Runs the kernel-path, GPU-memory pixel, agent, compositor and visual-case checks; OUT-DIR holds params.sh
(written by the host) and receives results.tsv and the artefacts.
USAGE
}
case "${1:-}" in -h | --help | "") usage; exit 0 ;; esac
out=$1
# It binds drivers and writes sysfs: never on a host by mistake.
if ! tr '\0' ' ' </proc/1/cmdline | grep -q 'guest-init.sh'; then
	echo "guest-checks: runs only inside the emulated guest (PID 1 = guest-init.sh)" >&2
	exit 2
fi
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# Written by emulated-test.sh (defaults only keep a broken share visible).
zcd_root="" zcd_build="" importer_ko="" client_size=160x120 output_size=320x240 run_seconds=300
screendump_timeout=180 kstat_port_name=org.zcdisplay.kstat visual_timeout_scale=8 visual_seconds=2700
# shellcheck source=/dev/null
. "$out/params.sh"
export zcd_root here
bin=$zcd_build/bin

# result NAME STATUS DETAIL: record one check.
result() {
	printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$out/results.tsv"
	echo "zcd-guest: check $1: $2 - $3"
}

# tool NAME: path of a zcdisplay binary, or fails naming who builds it.
tool() {
	if [ -x "$bin/$1" ]; then
		echo "$bin/$1"
	else
		echo "missing prerequisite: $bin/$1 not built" >&2
		return 1
	fi
}

# has_flag PROGRAM FLAG: PROGRAM's --help lists FLAG.
has_flag() { "$1" --help 2>&1 | grep -qE -- "(^|[^a-z-])$2([^a-z-]|$)"; }

# --- what udev would do on a full system -----------------------------------
# virtio-serial ports get their /dev/virtio-ports/<name> links from udev.
link_virtio_ports() {
	local p name
	mkdir -p /dev/virtio-ports
	for p in /sys/class/virtio-ports/*; do
		[ -r "$p/name" ] || continue
		name=$(<"$p/name")
		[ -n "$name" ] && ln -sf "/dev/$(basename "$p")" "/dev/virtio-ports/$name"
	done
}

# shellcheck source=vm/emulated/guest-kernel-path.sh
. "$here/guest-kernel-path.sh"
# shellcheck source=vm/emulated/guest-lmem-path.sh
. "$here/guest-lmem-path.sh"
# shellcheck source=vm/emulated/guest-compositor.sh
. "$here/guest-compositor.sh"
# shellcheck source=vm/emulated/guest-visual.sh
. "$here/guest-visual.sh"

# --- agent transport ------------------------------------------------------------
# The host agent sends the counters file it was given; the host compares what
# arrives here with what it sent.  A frame is complete when it starts with
# "version:" (the port drops what arrived before it was opened, so the first
# frame may be a tail).
check_agent_transport() {
	local port=/dev/virtio-ports/$kstat_port_name
	if [ ! -e "$port" ]; then
		result agent.transport fail "no $port (virtio-serial port missing: CONFIG_VIRTIO_CONSOLE?)"
		return
	fi
	# shellcheck disable=SC2016 # an awk program, not shell
	timeout 30 awk '
		/^$/ { if (buf ~ /^version:/) { printf "%s", buf; exit 0 } buf = ""; next }
		{ buf = buf $0 "\n" }' <"$port" >"$out/host-kstat.txt"
	if [ ! -s "$out/host-kstat.txt" ]; then
		result agent.transport fail "no complete snapshot on $port within 30 s"
		return
	fi
	local detail kstat
	detail="snapshot received on $port ($(wc -l <"$out/host-kstat.txt") lines)"
	if kstat=$(tool zc-kstat 2>/dev/null); then
		if "$kstat" --file "$out/host-kstat.txt" --json >"$out/host-kstat.json" 2>"$out/host-kstat.err"; then
			detail="$detail; zc-kstat parsed it"
		else
			result agent.transport fail "zc-kstat rejected the received snapshot: $(head -n 1 "$out/host-kstat.err")"
			return
		fi
	fi
	# Pass/fail is decided on the host, which knows what it sent.
	result agent.transport received "$detail"
}

# --- the debug kernel's verdict, after everything else ran ----------------------
# The guest kernel is built with PROVE_LOCKING, KASAN and kmemleak
# (kernel/configs/vm-guest.config).  Two kmemleak scans (an object younger
# than a few seconds is not reported yet), then the kernel log and the leak
# report are read; any lockdep splat, KASAN report, leak, or warning from
# the series' directories fails the check.
check_debug_kernel() {
	local kml=/sys/kernel/debug/kmemleak missing=() lockdep kasan leaks warns
	[ -e /proc/lockdep ] || missing+=("lockdep (/proc/lockdep)")
	[ -e "$kml" ] || missing+=("kmemleak ($kml)")
	dmesg >"$out/dmesg-before-scan.txt" 2>&1
	grep -q 'KernelAddressSanitizer initialized' "$out/dmesg-before-scan.txt" || missing+=("KASAN")
	if [ ${#missing[@]} -gt 0 ]; then
		result kernel.debug-clean fail "not a debug kernel: no ${missing[*]} (kernel/configs/vm-guest.config)"
		return
	fi
	local t0=$SECONDS
	echo scan >"$kml"
	sleep 6
	echo scan >"$kml"
	cat "$kml" >"$out/kmemleak.txt"
	dmesg >"$out/dmesg.txt" 2>&1
	lockdep=$(grep -cE 'WARNING: (possible (circular|recursive) locking|inconsistent lock state|suspicious RCU usage|lock held when returning)|INFO: possible (recursive locking|irq lock inversion)|BUG: (sleeping function called|scheduling while atomic|held lock freed)|DEBUG_LOCKS_WARN_ON' "$out/dmesg.txt")
	kasan=$(grep -c 'BUG: KASAN:' "$out/dmesg.txt")
	leaks=$(grep -c '^unreferenced object' "$out/kmemleak.txt")
	warns=$(grep -cE 'WARNING: (drivers/dma-buf|drivers/vfio)/' "$out/dmesg.txt")
	local detail="$lockdep lockdep splats, $kasan KASAN reports, $leaks kmemleak leaks, $warns dma-buf/vfio warnings (2 kmemleak scans, $((SECONDS - t0)) s; dmesg.txt, kmemleak.txt)"
	if [ "$lockdep" -eq 0 ] && [ "$kasan" -eq 0 ] && [ "$leaks" -eq 0 ] && [ "$warns" -eq 0 ]; then
		result kernel.debug-clean pass "$detail"
	else
		result kernel.debug-clean fail "$detail"
	fi
}

export XDG_RUNTIME_DIR=/run/user/0
mkdir -p "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
link_virtio_ports

echo "zcd-guest: kernel $(uname -r), $(nproc) CPUs"
check_kernel_path
check_lmem_path
check_agent_transport
check_compositor
check_direct_scanout
check_visual
check_debug_kernel
echo "zcd-guest: checks finished"
