#!/usr/bin/env bash
# Runs under `zc-vfio-dmabuf --exec` inside the emulated guest: this process
# holds the dma-buf of VF 0's memory BAR (fd number in ZC_DMABUF_FD), which
# holds the frame zc-vfio-dmabuf drew, and hands it to the kernel test
# importer (kernel/README.md) three times, each reading BYTES of it:
#   pf      importer = the x-sriov-lmem PF -> IOV interconnect, Xe's
#                                             translation to DPAs, read
#                                             through the PF's memory BAR
#   legacy  importer = VF 1 (not the PF)   -> no match, the exporter's
#                                             sg_table map, read there
#   forged  importer = the PF, plus a range inside VF 1's window
# Reports, the bytes each import read, counters and bufinfo go to DIR; they
# are judged by lmem_report_check.py (from guest-lmem-path.sh).
set -euo pipefail

usage() {
	cat <<'USAGE'
usage: zc-vfio-dmabuf ... --exec vm/emulated/guest-lmem-steps.sh DIR PF VF1 FORGE-START FORGE-LENGTH BYTES
(inside the emulated guest only; ZC_DMABUF_FD names the dma-buf to import)
USAGE
}
case "${1:-}" in -h | --help) usage; exit 0 ;; esac
[ $# -eq 6 ] || { usage >&2; exit 2; }
dir=$1 pf=$2 vf1=$3 forge_start=$4 forge_len=$5 bytes=$6
fd=${ZC_DMABUF_FD:?not run by zc-vfio-dmabuf --exec}
ic=/sys/kernel/debug/dma_buf_ic_test
dbg=/sys/kernel/debug/dma_buf

cat "$dbg/bufinfo" >"$dir/bufinfo-held.txt"
cat "$dbg/interconnect_stats" >"$dir/stats-before.txt"
echo "$bytes" >"$ic/frame"

# import NAME DEVICE [FORGE]: one import as DEVICE; its report and the bytes
# it read into DIR.
import() {
	echo "$2" >"$ic/device"
	if [ -n "${3:-}" ]; then echo "$3" >"$ic/forge"; fi
	echo "$fd" >"$ic/import" || echo "zcd-guest: write to $ic/import failed for $1" >&2
	cat "$ic/import" >"$dir/report-$1.txt"
	cat "$ic/frame" >"$dir/frame-$1.raw"
}

import pf "$pf"
import legacy "$vf1"
import forged "$pf" "$forge_start $forge_len"

cat "$dbg/interconnect_stats" >"$dir/stats-after.txt"
cat "$dbg/bufinfo" >"$dir/bufinfo-after.txt"
echo 0 >"$ic/frame"
