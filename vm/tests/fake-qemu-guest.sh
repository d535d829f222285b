#!/usr/bin/env bash
# A stand-in for qemu-system-x86_64 in test_emulated_host.sh: capability
# queries go to the real QEMU; a VM run starts the real QEMU paused and
# without a kernel (so QMP, the virtio-serial socket and screendump are
# real) and plays the guest's part on the output share: reports results,
# asks for a screendump, relays the agent's counters.
set -euo pipefail
usage() { echo "usage: fake-qemu-guest.sh QEMU-ARGS... (test helper for test_emulated_host.sh)"; }
case "${1:-}" in -h | --help) usage; exit 0 ;; esac
real=${ZCD_REAL_QEMU:-qemu-system-x86_64}
# The project QEMU's test device (qemu/), which a distribution QEMU lacks:
# announced to the capability query, left out of the run.
lmem=x-sriov-lmem
case " $* " in
*" -kernel "*) ;;
" -device help ")
	"$real" "$@" 2>&1 || true
	echo "name \"$lmem\", bus PCI, desc \"stand-in of fake-qemu-guest.sh\""
	exit 0
	;;
" -device virtio-gpu-pci,help ")
	# The project QEMU's x-blob-shadow (blob=true with no /dev/udmabuf).
	"$real" "$@" 2>&1 || true
	echo "  x-blob-shadow=<bool>   - stand-in of fake-qemu-guest.sh"
	exit 0
	;;
*) exec "$real" "$@" ;;
esac

args=() share=""
while [ $# -gt 0 ]; do
	case "$1" in
	-kernel | -append) shift 2 ;;
	-device)
		# blob=true needs /dev/udmabuf or x-blob-shadow: a paused fake
		# guest shows nothing either way.
		if [[ $2 == virtio-gpu-pci,* ]]; then
			args+=("$1" "$(sed -E 's/,(blob=true|x-blob-shadow=on)//g' <<<"$2")")
		elif [[ $2 != "$lmem",* ]]; then
			args+=("$1" "$2")
		fi
		shift 2 ;;
	-fsdev)
		[[ $2 == local,id=outfs,path=* ]] && share=$(sed -E 's/.*path=([^,]*).*/\1/' <<<"$2")
		args+=("$1" "$2"); shift 2 ;;
	*) args+=("$1"); shift ;;
	esac
done
[ -n "$share" ] || { echo "fake-qemu-guest: no output share in the arguments" >&2; exit 2; }
"$real" "${args[@]}" -S &
qemu=$!
trap 'kill $qemu 2>/dev/null || true' EXIT

printf 'boot\tpass\tfake guest\n' >>"$share/results.tsv"
# The agent's snapshot: the host compares it with what it sent.
for _ in $(seq 100); do [ -s "$share/../agent-counters.txt" ] && break; sleep 0.1; done
cp "$share/../agent-counters.txt" "$share/host-kstat.txt"
printf 'agent.transport\treceived\tfake relay\n' >>"$share/results.tsv"
# Three device-source visual cases: one skipped for missing hardware, one
# failed in the guest, one shown without captures (the host's judge fails
# it); the rest unreported.
mkdir -p "$share/visual"
printf 'visual.guest-run\tpass\tfake run\n' >>"$share/results.tsv"
{
	printf 'visual.smpte-udmabuf-160x120-x1\tskip\tmissing hardware: fake: no /dev/udmabuf\n'
	printf 'visual.smpte-gbm-160x120-x1\tfail\tfake: zc-client exited with 1\n'
	printf 'visual.smpte-vulkan-160x120-x1\tshown\t0 captures\n'
} >"$share/visual/shown.tsv"
: >"$share/screendump.request"
for _ in $(seq 300); do [ -e "$share/screendump.done" ] && break; sleep 0.1; done
[ -e "$share/screendump.done" ] && printf 'compositor.host-screendump\tcaptured\tfake\n' >>"$share/results.tsv"
