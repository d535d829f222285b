#!/usr/bin/env bash
# Runs under dmabuf_from_qemu.py inside the chain's outer VM, while the inner
# machine is up: this process holds the dma-buf the project's QEMU created for
# the inner machine's blob and sent over its scanout socket (fd number in
# ZC_DMABUF_FD) and hands it to the kernel test importer, each import reading
# BYTES of it:
#   forged  importer = the PF, plus a range inside VF 1's window: refused
#   legacy  importer = VF 1 (not the PF): no interconnect, the exporter's
#                      sg_table map (behind the IOMMU: no CPU read)
#   pf      importer = the x-sriov-lmem PF: the IOV interconnect, Xe's
#                      translation to DPAs, read through the PF's memory BAR;
#                      held (debugfs hold) so that the inner machine's
#                      shutdown must revoke it
# Reports, the bytes read, counters and bufinfo go to DIR (judged by
# chain_report_check.py).
set -euo pipefail

usage() {
	cat <<'USAGE'
usage: dmabuf_from_qemu.py SOCKET PID vfio BYTES vm/chain/guest-chain-steps.sh DIR PF VF1 FORGE-START FORGE-LENGTH BYTES
(inside the chain's outer VM only; ZC_DMABUF_FD names the dma-buf to import)
USAGE
}
case "${1:-}" in -h | --help) usage; exit 0 ;; esac
[ $# -eq 6 ] || { usage >&2; exit 2; }
dir=$1 pf=$2 vf1=$3 forge_start=$4 forge_len=$5 bytes=$6
fd=${ZC_DMABUF_FD:?not run by dmabuf_from_qemu.py}
ic=/sys/kernel/debug/dma_buf_ic_test
dbg=/sys/kernel/debug/dma_buf

cat "$dbg/bufinfo" >"$dir/bufinfo-held.txt"
cat "$dbg/interconnect_stats" >"$dir/stats-before.txt"
echo "$bytes" >"$ic/frame"

# import NAME DEVICE HOLD [FORGE]: one import as DEVICE; its report, the bytes
# it read and how long the write that does all of it took (attach, map,
# translation, the read of BYTES; CLOCK_MONOTONIC, ms) into DIR.
import() {
	echo "$2" >"$ic/device"
	echo "$3" >"$ic/hold"
	if [ -n "${4:-}" ]; then echo "$4" >"$ic/forge"; else echo clear >"$ic/forge"; fi
	python3 -c '
import sys, time
t = time.clock_gettime(time.CLOCK_MONOTONIC)
try:
    with open(sys.argv[1], "w") as f:
        f.write(sys.argv[2] + "\n")
except OSError as e:
    print(f"chain: import write failed: {e}", file=sys.stderr)
print(f"{(time.clock_gettime(time.CLOCK_MONOTONIC) - t) * 1000:.3f}")
' "$ic/import" "$fd" >"$dir/ms-import-$1.txt"
	cat "$ic/import" >"$dir/report-$1.txt"
	cat "$ic/frame" >"$dir/frame-$1.raw"
}

import forged "$pf" 0 "$forge_start $forge_len"
import legacy "$vf1" 0
import pf "$pf" 1

cat "$dbg/interconnect_stats" >"$dir/stats-after.txt"
cat "$dbg/bufinfo" >"$dir/bufinfo-importer-holds.txt"
cat "$ic/hold" >"$dir/hold-while-up.txt"
echo 0 >"$ic/frame"
