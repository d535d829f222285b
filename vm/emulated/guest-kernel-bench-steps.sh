#!/usr/bin/env bash
# Runs under `zc-vfio-dmabuf --exec` inside the bench guest
# (guest-kernel-bench.sh): this process holds the dma-buf of VF 0's memory
# BAR (fd number in ZC_DMABUF_FD) and hands it to the kernel test importer
# (kernel/README.md) as two importers, REPEATS times each, alternating which
# goes first:
#   iov     importer = the x-sriov-lmem PF -> IOV interconnect (ranges)
#   legacy  importer = the nvme controller -> no match, vfio-pci's sg_table
#                                             map through the IOMMU
# after one untimed warm-up of each (the first legacy map also works out and
# caches the p2pdma path).  Nothing is read (debugfs frame = 0): map_ns is the
# map alone.  Reports go to DIR/report-{warmup,iov,legacy}-N.txt; DIR/done
# marks the end.
set -euo pipefail

usage() {
	cat <<'USAGE'
usage: zc-vfio-dmabuf ... --exec vm/emulated/guest-kernel-bench-steps.sh DIR PF LEGACY REPEATS
(inside the bench guest only; ZC_DMABUF_FD names the dma-buf to import)
USAGE
}
case "${1:-}" in -h | --help) usage; exit 0 ;; esac
[ $# -eq 4 ] || { usage >&2; exit 2; }
dir=$1 pf=$2 legacy=$3 repeats=$4
fd=${ZC_DMABUF_FD:?not run by zc-vfio-dmabuf --exec}
ic=/sys/kernel/debug/dma_buf_ic_test
dbg=/sys/kernel/debug/dma_buf

cat "$dbg/interconnect_stats" >"$dir/stats-before.txt"
echo 0 >"$ic/frame"

# import NAME DEVICE: one import as DEVICE, its report into DIR/report-NAME.txt.
import() {
	echo "$2" >"$ic/device"
	# The write returns after the import; its status is in the report.
	echo "$fd" >"$ic/import" || echo "zcd-guest: write to $ic/import failed for $1" >&2
	cat "$ic/import" >"$dir/report-$1.txt"
}

import warmup-iov "$pf"
import warmup-legacy "$legacy"
for ((i = 1; i <= repeats; i++)); do
	if ((i % 2)); then
		import "iov-$i" "$pf"
		import "legacy-$i" "$legacy"
	else
		import "legacy-$i" "$legacy"
		import "iov-$i" "$pf"
	fi
done

cat "$dbg/interconnect_stats" >"$dir/stats-after.txt"
cat "$dbg/bufinfo" >"$dir/bufinfo-after.txt"
: >"$dir/done"
