#!/usr/bin/env bash
# The headless demo: zc-compositor with a few clients for a few seconds,
# results in out/demo/ (captures, stats.json, compositor and client logs) and
# a one-screen summary.  Run through `./zcd demo` (which sets up and builds).
set -euo pipefail

usage() {
	cat <<'USAGE'
usage: ./zcd demo [--duration S] [--out DIR]

Runs zc-compositor headless (1280x720) with two zc-client pattern clients
(smpte and motion) and weston-simple-shm for S seconds (default 5), with the
stats overlay on, then prints what was presented, which import path every
buffer took and why.  Results go to DIR (default out/demo): captures/*.png
(overlay included), stats.json, trace.json (Perfetto), timeline.csv,
summary.json, zc-stat.txt and frame-times.svg (from zc-stat), logs.
Exit 0 only if frames were presented.
USAGE
}

duration=5
root=${ZCD_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
build=${ZCD_BUILD:-$root/build}
out=$root/out/demo
while [ $# -gt 0 ]; do
	case "$1" in
	-h | --help) usage; exit 0 ;;
	--duration)
		[ $# -ge 2 ] || { echo "demo: --duration needs seconds" >&2; exit 2; }
		duration=$2; shift 2 ;;
	--out)
		[ $# -ge 2 ] || { echo "demo: --out needs a directory" >&2; exit 2; }
		out=$2; shift 2 ;;
	*) echo "demo: unknown argument '$1' (see --help)" >&2; exit 2 ;;
	esac
done
[[ $duration =~ ^[0-9]+([.][0-9]+)?$ ]] || { echo "demo: --duration wants seconds, got '$duration'" >&2; exit 2; }

bin=$build/bin
for prog in zc-compositor zc-client; do
	[ -x "$bin/$prog" ] || { echo "demo: $bin/$prog missing; run ./zcd build first" >&2; exit 1; }
done

# The results directory is emptied only when it is one the demo made (it
# holds the marker) or is empty: --out pointed at a folder of the user's must
# never wipe it.
marker=.zcd-demo-output
if [ -e "$out" ] && { [ ! -d "$out" ] || { [ -n "$(ls -A "$out")" ] && [ ! -e "$out/$marker" ]; }; }; then
	echo "demo: $out exists and is not a demo results directory (no $marker); choose another --out or remove it yourself" >&2
	exit 1
fi
rm -rf "$out"
mkdir -p "$out/captures"
: >"$out/$marker"
runtime=$(mktemp -d /tmp/zcd-demo.XXXXXX)
chmod 700 "$runtime"
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	rm -rf "$runtime"
}
trap cleanup EXIT

# A private runtime dir: the demo never talks to a desktop session it runs in.
export XDG_RUNTIME_DIR=$runtime
unset WAYLAND_DISPLAY DISPLAY
socket=zcd-demo

# The overlay is drawn and kept in the captures; the frame timeline is
# exported for zc-stat and Perfetto.
"$bin/zc-compositor" --backend headless --size 1280x720 --socket "$socket" \
	--duration "$duration" --capture "$out/captures" --capture-every 60 \
	--overlay --overlay-in-capture on \
	--trace "$out/trace.json" --csv "$out/timeline.csv" --summary "$out/summary.json" \
	--stats-json "$out/stats.json" >"$out/compositor.log" 2>&1 &
comp=$!

# Readiness: the compositor prints one line once its socket accepts clients.
for _ in $(seq 1 100); do
	grep -q '^zc-compositor: ready' "$out/compositor.log" 2>/dev/null && break
	kill -0 "$comp" 2>/dev/null || break
	sleep 0.1
done
if ! grep -q '^zc-compositor: ready' "$out/compositor.log"; then
	echo "demo: zc-compositor did not start; see $out/compositor.log" >&2
	exit 1
fi

export WAYLAND_DISPLAY=$socket
"$bin/zc-client" --pattern smpte --size 480x320 --title zc-client-smpte >"$out/client-smpte.log" 2>&1 &
pids+=($!)
"$bin/zc-client" --pattern motion --size 480x320 --title zc-client-motion >"$out/client-motion.log" 2>&1 &
pids+=($!)
if command -v weston-simple-shm >/dev/null; then
	weston-simple-shm >"$out/weston-simple-shm.log" 2>&1 &
	pids+=($!)
fi

rc=0
wait "$comp" || rc=$?
if [ "$rc" -ne 0 ]; then
	echo "demo: zc-compositor exited with $rc; see $out/compositor.log" >&2
	exit 1
fi

if [ -x "$bin/zc-stat" ]; then
	"$bin/zc-stat" --plot "$out/frame-times.svg" "$out/trace.json" >"$out/zc-stat.txt" 2>&1 ||
		echo "demo: zc-stat could not summarise the trace; see $out/zc-stat.txt" >&2
fi

python3 - "$out" <<'PY'
import json, os, sys
out = sys.argv[1]
with open(os.path.join(out, "stats.json")) as f:
    s = json.load(f)
dur = s["duration_s"] or 1
print(f"== zcdisplay demo: {s['frames_presented']} frames presented in {dur:.1f} s "
      f"({s['frames_presented'] / dur:.1f} FPS), renderer {s['renderer']} "
      f"({s['device'] or 'software'}), backend {s['backend']}")
print(f"   buffers committed: {s['buffers_committed']}; bytes copied {s['bytes_copied']}, "
      f"bytes shown without a copy {s['bytes_zero_copy']}")
print("   paths:   " + ", ".join(f"{k} {v}" for k, v in s["paths"].items()))
print("   output hop: " + ", ".join(f"{k} {v}" for k, v in s["scanout_paths"].items()) +
      f"; bytes copied by it {s['scanout_bytes_copied']}")
print(f"   overlay frames covering a window: {s['overlay']['frames_covering_windows']}")
reasons = {k: v for k, v in s["fallback_reasons"].items() if v}
print("   fallback reasons: " + (", ".join(f"{k} {v}" for k, v in reasons.items()) or "none"))
print(f"   validation errors: {s['validation_errors']}"
      f"{'' if s['validation_enabled'] else ' (layer off; ZCD_VALIDATION=1 turns it on)'}")
print("   clients:")
for c in s["clients"]:
    paths = ", ".join(f"{k} {v}" for k, v in c["paths"].items() if v) or "none classified"
    print(f"     #{c['id']} {c['name']:<34} {c['frames']:>5} frames shown  ({paths})")
print(f"   {len(s['captures'])} captures (with the overlay) in {os.path.join(out, 'captures')}")
print(f"   stats.json, trace.json (Perfetto), timeline.csv, summary.json"
      f"{', zc-stat.txt, frame-times.svg' if os.path.exists(os.path.join(out, 'frame-times.svg')) else ''}"
      f" in {out}")
sys.exit(0 if s["frames_presented"] > 0 else 1)
PY
