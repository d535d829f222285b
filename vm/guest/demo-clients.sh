#!/usr/bin/env bash
# The guest's demo client set, started by zc-compositor (-- demo-clients.sh):
# one client per buffer path worth seeing side by side.
#   zc-client smpte,    --source auto: dmabuf from the VF (gbm/vulkan), else udmabuf
#   zc-client gradient, --source udmabuf: CPU-written dmabuf, still zero-copy
#   zc-client motion,   --source shm: the copy path, for contrast
#   weston-simple-shm when installed: a client from another project
# Ends when every client has ended (zc-compositor --exit-with-client ends the session then).
set -euo pipefail

usage() {
	cat <<'USAGE'
usage: vm/guest/demo-clients.sh [--build DIR] [--frames N]

Starts the demo clients inside a running zc-compositor session (WAYLAND_DISPLAY set).
  --build DIR   where zc-client is (default $ZCD_BUILD/bin or <checkout>/build/bin)
  --frames N    frames per zc-client (default: until closed)
  -h, --help    this text
USAGE
}

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build_dir="" frames=""
while [ $# -gt 0 ]; do
	case "$1" in
	-h | --help) usage; exit 0 ;;
	--build) [ $# -ge 2 ] || { echo "demo-clients: --build needs a value" >&2; exit 2; }; build_dir=$2; shift 2 ;;
	--frames) [ $# -ge 2 ] || { echo "demo-clients: --frames needs a value" >&2; exit 2; }; frames=$2; shift 2 ;;
	*) echo "demo-clients: unknown option '$1' (see --help)" >&2; exit 2 ;;
	esac
done
build_dir=${build_dir:-${ZCD_BUILD:-$here/../../build}/bin}
[ -n "${WAYLAND_DISPLAY:-}" ] || { echo "demo-clients: WAYLAND_DISPLAY not set: run under zc-compositor" >&2; exit 2; }
client=$build_dir/zc-client
[ -x "$client" ] || { echo "demo-clients: zc-client not built at $client (./zcd build)" >&2; exit 2; }
limit=()
[ -z "$frames" ] || limit=(--frames "$frames")

pids=()
"$client" --pattern smpte --source auto --size 640x360 "${limit[@]}" & pids+=($!)
"$client" --pattern gradient --source udmabuf --size 480x270 "${limit[@]}" & pids+=($!)
"$client" --pattern motion --source shm --size 480x270 "${limit[@]}" & pids+=($!)
if command -v weston-simple-shm >/dev/null; then
	weston-simple-shm & pids+=($!)
fi
rc=0
for p in "${pids[@]}"; do wait "$p" || rc=$?; done
exit $rc
