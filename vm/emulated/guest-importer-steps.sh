#!/usr/bin/env bash
# Runs under `zc-vfio-dmabuf --exec` inside the emulated guest: this process
# holds the VF's dma-buf (fd number in ZC_DMABUF_FD) and hands it to the
# kernel test importer (kernel/README.md, dma_buf_ic_test) four times:
#   iov        importer = the VF's PF          -> IOV interconnect
#   unrelated  importer = an unrelated device behind the PF's switch
#                                              -> refused match, fallback map
#   no-p2p     importer = a device p2pdma cannot reach from the VF
#                                              -> refused match, fallback refused
#   forged     importer = the PF, plus a forged range outside the VF's BAR
# Each report, the counters and bufinfo before/after go to DIR; the checks are
# judged by guest-kernel-path.sh.  Then both unforged imports run 15 more
# times for their map times (report-timing-*.txt).
set -euo pipefail

usage() {
	cat <<'USAGE'
usage: zc-vfio-dmabuf ... --exec vm/emulated/guest-importer-steps.sh DIR PF UNRELATED NO-P2P FORGE-START FORGE-LENGTH
(inside the emulated guest only; ZC_DMABUF_FD names the dma-buf to import)
USAGE
}
case "${1:-}" in -h | --help) usage; exit 0 ;; esac
[ $# -eq 6 ] || { usage >&2; exit 2; }
dir=$1 pf=$2 unrelated=$3 no_p2p=$4 forge_start=$5 forge_len=$6
fd=${ZC_DMABUF_FD:?not run by zc-vfio-dmabuf --exec}
ic=/sys/kernel/debug/dma_buf_ic_test
dbg=/sys/kernel/debug/dma_buf

cat "$dbg/bufinfo" >"$dir/bufinfo-held.txt"
cat "$dbg/interconnect_stats" >"$dir/stats-before.txt"

# import NAME DEVICE [FORGE]: one import as DEVICE, its report into DIR/report-NAME.txt.
import() {
	echo "$2" >"$ic/device"
	if [ -n "${3:-}" ]; then echo "$3" >"$ic/forge"; fi
	# The write returns after the import; its status is in the report.
	echo "$fd" >"$ic/import" || echo "zcd-guest: write to $ic/import failed for $1" >&2
	cat "$ic/import" >"$dir/report-$1.txt"
}

import iov "$pf"
if [ -n "$unrelated" ]; then import unrelated "$unrelated"; fi
if [ -n "$no_p2p" ]; then import no-p2p "$no_p2p"; fi
import forged "$pf" "$forge_start $forge_len"

cat "$dbg/interconnect_stats" >"$dir/stats-after.txt"
cat "$dbg/bufinfo" >"$dir/bufinfo-after.txt"

# Timing for the bench's kernel row, after the checked snapshots: the same
# two imports again, map times from their reports (median taken on the host).
for ((i = 1; i <= 15; i++)); do
	import "timing-iov-$i" "$pf"
	if [ -n "$unrelated" ]; then import "timing-unrelated-$i" "$unrelated"; fi
done
