# shellcheck shell=bash
# shellcheck disable=SC2154 # out, here and params.sh values come from guest-checks.sh
# Compositor end-to-end checks of the emulated guest (sourced by guest-checks.sh).
#
# zc-compositor runs on the DRM backend (virtio-gpu KMS, libseat's embedded
# seatd as root: there is no logind here) and renders with lavapipe; one
# zc-client sends real dmabufs from udmabuf.  While both run, the guest asks
# the host for a QMP screendump of the virtio-gpu output (a file handshake on
# the output share), then stops the compositor and checks its stats.

dbg_stats=/sys/kernel/debug/dma_buf/interconnect_stats

compositor_checks=(compositor.drm-runs compositor.udmabuf-zero-copy compositor.scanout-zero-copy
	compositor.kernel-counters compositor.guest-capture compositor.host-screendump)

fail_compositor() {
	local c
	for c in "${compositor_checks[@]}"; do result "$c" fail "$1"; done
}

# request_screendump: ask the host for a screendump and wait for it.
request_screendump() {
	rm -f "$out/screendump.done"
	: >"$out/screendump.request"
	local i
	for ((i = 0; i < screendump_timeout; i++)); do
		[ -e "$out/screendump.done" ] && return 0
		sleep 1
	done
	return 1
}

# stop_compositor PID: SIGTERM (it writes its stats then), SIGKILL after 20 s;
# sets `waited` to the seconds it took.
stop_compositor() {
	kill -TERM "$1"
	for ((waited = 0; waited < 20; waited++)); do
		kill -0 "$1" 2>/dev/null || break
		sleep 1
	done
	kill -KILL "$1" 2>/dev/null && echo "zcd-guest: zc-compositor ignored SIGTERM for 20 s; killed"
	wait "$1" 2>/dev/null
}

# count_pngs DIR: number of PNG files in DIR.
count_pngs() {
	local f n=0
	for f in "$1"/*.png; do [ -e "$f" ] && n=$((n + 1)); done
	echo $n
}

check_compositor() {
	local comp client missing=()
	comp=$(tool zc-compositor 2>/dev/null) || missing+=("$bin/zc-compositor")
	client=$(tool zc-client 2>/dev/null) || missing+=("$bin/zc-client")
	if [ ${#missing[@]} -gt 0 ]; then
		fail_compositor "missing prerequisite: ${missing[*]} not built"
		return
	fi
	# vgem registers first, so the virtio-gpu card is not card0: the session
	# script finds it by its PCI IDs, as on a guest without the udev rule.
	local card cards=()
	for card in /sys/class/drm/card[0-9]*; do
		[ -r "$card/device/vendor" ] && cards+=("$(basename "$card"):$(<"$card/device/vendor"):$(<"$card/device/device")")
	done
	if ! printf '%s\n' "${cards[@]}" | grep -q ':0x1af4:0x1050$'; then
		fail_compositor "no virtio-gpu DRM card (1af4:1050) among [${cards[*]}] (CONFIG_DRM_VIRTIO_GPU; QEMU -device virtio-gpu-pci)"
		return
	fi
	if [ ! -e /dev/udmabuf ]; then
		fail_compositor "no /dev/udmabuf (CONFIG_UDMABUF)"
		return
	fi
	local f flag_missing=()
	for f in --backend --capture --stats-json; do
		has_flag "$comp" "$f" || flag_missing+=("zc-compositor $f")
	done
	for f in --source --pattern --size; do
		has_flag "$client" "$f" || flag_missing+=("zc-client $f")
	done
	if [ ${#flag_missing[@]} -gt 0 ]; then
		fail_compositor "missing prerequisite: ${flag_missing[*]} (not in --help yet)"
		return
	fi

	local dir=$out/compositor
	mkdir -p "$dir/captures"
	# The guest session script (vm/guest) starts the compositor, as on a real
	# guest; lavapipe renders here (the emulated VF has no GPU behind it).
	local args=(--render-device lavapipe --build "$bin"
		--compositor-arg --capture --compositor-arg "$dir/captures"
		--compositor-arg --stats-json --compositor-arg "$dir/stats.json")
	has_flag "$comp" --capture-every && args+=(--compositor-arg --capture-every --compositor-arg 1)
	local stats_sock=/run/zcd-stats.sock
	has_flag "$comp" --stats-socket && args+=(--compositor-arg --stats-socket --compositor-arg "$stats_sock")
	# wlroots' debug log: what the DRM backend and the renderer chose is
	# what one needs to read when a check here fails.
	has_flag "$comp" --verbose && args+=(--compositor-arg --verbose)
	# The overlay model reads both sides' counters (the overlay itself stays
	# off: it would cover the window zc-verify compares on the screendump).
	if has_flag "$comp" --kstat && [ -r "$dbg_stats" ]; then
		args+=(--compositor-arg --kstat --compositor-arg "$dbg_stats")
	fi
	if has_flag "$comp" --host-kstat && [ -e "/dev/virtio-ports/$kstat_port_name" ]; then
		args+=(--compositor-arg --host-kstat --compositor-arg "/dev/virtio-ports/$kstat_port_name")
	fi
	local session=$here/../guest/zcd-session.sh
	"$session" --dry-run "${args[@]}" -- "$client" --source udmabuf --pattern smpte --size "$client_size" |
		tee "$dir/session-cmdline.txt"
	"$session" "${args[@]}" -- "$client" --source udmabuf --pattern smpte --size "$client_size" \
		>"$dir/compositor.log" 2>&1 &
	local pid=$! i t0=$SECONDS
	# Frames are slow under TCG (lavapipe's first pipeline JIT takes seconds):
	# wait for a few captures, at most run_seconds.
	for ((i = 0; i < run_seconds; i++)); do
		kill -0 $pid 2>/dev/null || break
		[ "$(count_pngs "$dir/captures")" -ge 3 ] && break
		sleep 1
	done
	# The client starts after the compositor: wait until it has been
	# committing for a few seconds, so stats and screendump see it running.
	if kill -0 $pid 2>/dev/null && [ -S "$stats_sock" ]; then
		python3 "$here/wait_client_commits.py" "$stats_sock" 3 $((run_seconds - (SECONDS - t0))) |
			sed 's/^/zcd-guest: /'
	fi
	if ! kill -0 $pid 2>/dev/null; then
		wait $pid
		local rc=$?
		fail_compositor "zc-compositor exited early (status $rc): $(grep -m 1 -E '\[ERROR\]|^zc-compositor: ' "$dir/compositor.log" || tail -n 1 "$dir/compositor.log")"
		return
	fi
	local shot=fail waited=0
	request_screendump && shot=ok
	stop_compositor $pid
	i=$waited

	local n
	n=$(count_pngs "$dir/captures")
	if [ "$n" -gt 0 ]; then
		result compositor.drm-runs pass "zc-compositor on virtio-gpu KMS composed frames ($n captures); stopped ${i}s after SIGTERM"
	else
		result compositor.drm-runs fail "zc-compositor ran but wrote no capture in ${run_seconds}s (see compositor/compositor.log)"
	fi
	if [ ! -s "$dir/stats.json" ]; then
		result compositor.udmabuf-zero-copy fail "no stats.json written (on SIGTERM)"
	elif python3 "$here/stats_check.py" "$dir/stats.json" backend=drm renderer=vulkan >"$dir/stats-check.txt" 2>&1; then
		result compositor.udmabuf-zero-copy pass "$(tail -n 1 "$dir/stats-check.txt")"
	else
		result compositor.udmabuf-zero-copy fail "$(tail -n 1 "$dir/stats-check.txt")"
	fi
	# The output hop: frames composed into guest dma-bufs that virtio-gpu
	# imported as blobs (no dumb buffer, no transfer per flush).
	if [ ! -s "$dir/stats.json" ]; then
		result compositor.scanout-zero-copy fail "no stats.json written (on SIGTERM)"
	elif python3 "$here/scanout_check.py" "$dir/stats.json" --want composed_zero_copy >"$dir/scanout-check.txt" 2>&1; then
		result compositor.scanout-zero-copy pass "$(tail -n 1 "$dir/scanout-check.txt")"
	else
		result compositor.scanout-zero-copy fail "$(tail -n 1 "$dir/scanout-check.txt"); $(grep -m 1 'output buffers' "$dir/compositor.log" || true)"
	fi
	# What the overlay showed: the guest kernel's counters (unchanged since
	# the kernel checks: the compositor's imports use no interconnect) and
	# the host agent's snapshot (the one agent.transport received).
	local kstat_args=()
	if [ -r "$dbg_stats" ]; then
		cat "$dbg_stats" >"$dir/kstat-guest.txt"
		kstat_args+=("guest=$dir/kstat-guest.txt")
	fi
	[ -s "$out/host-kstat.txt" ] && kstat_args+=("host=$out/host-kstat.txt")
	if [ ! -s "$dir/stats.json" ]; then
		result compositor.kernel-counters fail "no stats.json written (on SIGTERM)"
	elif [ ${#kstat_args[@]} -lt 2 ]; then
		result compositor.kernel-counters fail "missing prerequisite: guest debugfs counters or the host agent's snapshot (see agent.transport)"
	elif python3 "$here/kstat_check.py" "$dir/stats.json" "${kstat_args[@]}" >"$dir/kstat-check.txt" 2>&1; then
		result compositor.kernel-counters pass "$(tail -n 1 "$dir/kstat-check.txt")"
	else
		result compositor.kernel-counters fail "$(tail -n 1 "$dir/kstat-check.txt")"
	fi
	# Captures and screendump are judged on the host (zc-verify or the pattern check).
	if [ "$n" -gt 0 ]; then
		result compositor.guest-capture captured "$n PNGs in compositor/captures"
	else
		result compositor.guest-capture fail "no capture written"
	fi
	if [ $shot = ok ]; then
		result compositor.host-screendump captured "host took screendump.png"
	else
		result compositor.host-screendump fail "host did not answer the screendump request in ${screendump_timeout}s"
	fi
}

# check_direct_scanout: a second, short session whose one udmabuf client is
# exactly the output's size, so wlroots' DRM backend is given the client's
# own dma-buf (imported by virtio-gpu as a guest blob) instead of a composed
# frame.  Its frames before the client maps are composed into guest
# dma-bufs: both output-hop paths, 0 bytes copied.
check_direct_scanout() {
	local comp client
	if ! comp=$(tool zc-compositor 2>/dev/null) || ! client=$(tool zc-client 2>/dev/null); then
		result compositor.direct-scanout fail "missing prerequisite: $bin/zc-compositor or $bin/zc-client not built"
		return
	fi
	if ! has_flag "$comp" --stats-socket || ! has_flag "$comp" --direct-scanout; then
		result compositor.direct-scanout fail "missing prerequisite: zc-compositor --stats-socket and --direct-scanout"
		return
	fi
	[ -e /dev/udmabuf ] || { result compositor.direct-scanout fail "no /dev/udmabuf (CONFIG_UDMABUF)"; return; }
	local dir=$out/compositor-direct stats_sock=/run/zcd-stats-direct.sock waited=0
	mkdir -p "$dir"
	local args=(--render-device lavapipe --build "$bin"
		--compositor-arg --stats-json --compositor-arg "$dir/stats.json"
		--compositor-arg --stats-socket --compositor-arg "$stats_sock"
		--compositor-arg --direct-scanout --compositor-arg on --compositor-arg --verbose)
	"$here/../guest/zcd-session.sh" "${args[@]}" -- "$client" --source udmabuf --pattern smpte \
		--size "$output_size" >"$dir/compositor.log" 2>&1 &
	local pid=$!
	python3 "$here/wait_client_commits.py" "$stats_sock" 3 "$run_seconds" | sed 's/^/zcd-guest: /'
	if ! kill -0 $pid 2>/dev/null; then
		wait $pid
		local rc=$?
		result compositor.direct-scanout fail "zc-compositor exited early (status $rc): $(grep -m 1 -E '\[ERROR\]|^zc-compositor: ' "$dir/compositor.log" || tail -n 1 "$dir/compositor.log")"
		return
	fi
	stop_compositor $pid
	if [ ! -s "$dir/stats.json" ]; then
		result compositor.direct-scanout fail "no stats.json written (on SIGTERM)"
	elif python3 "$here/scanout_check.py" "$dir/stats.json" --want direct_scanout --want composed_zero_copy \
		>"$dir/scanout-check.txt" 2>&1; then
		result compositor.direct-scanout pass "$output_size client: $(tail -n 1 "$dir/scanout-check.txt")"
	else
		result compositor.direct-scanout fail "$output_size client: $(tail -n 1 "$dir/scanout-check.txt")"
	fi
}
