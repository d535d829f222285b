# shellcheck shell=bash
# shellcheck disable=SC2154 # out, bin, zcd_root and params.sh values come from guest-checks.sh
# The device-source visual cases in the emulated guest (sourced by guest-checks.sh).
#
# tests/visual/visual.py's udmabuf, gbm and Vulkan-export cases
# (--list-device) need /dev/udmabuf, a DRM node or a Vulkan driver that
# exports dma-bufs, which the build machines lack and this guest has
# (udmabuf, vgem, virtio-gpu; lavapipe exports through /dev/udmabuf).  The
# guest only shows them (visual.py --results --show-only: one headless
# zc-compositor per output scale, shared by the cases, each client alone in
# turn) and keeps the captures on the output share; the host checks them
# with zc-verify (visual.py --judge), where that takes seconds, not minutes.
# Every case's line is in visual/shown.tsv; this step adds one check,
# visual.guest-run, for the run itself.

# gbm_candidates: DRM nodes for the gbm cases, vgem's first (the device meant
# for them), render nodes before primary nodes; "NODE" per line.
gbm_candidates() {
	local n dev kind
	for kind in vgem other; do
		for n in /sys/class/drm/renderD* /sys/class/drm/card[0-9]*; do
			[ -e "$n/dev" ] || continue
			dev=$(basename "$(readlink -f "$n/device")")
			if { [ $kind = vgem ] && [ "$dev" = vgem ]; } || { [ $kind = other ] && [ "$dev" != vgem ]; }; then
				echo "/dev/dri/$(basename "$n")"
			fi
		done
	done
}

check_visual() {
	local vis=$zcd_root/tests/visual/visual.py dir=$out/visual missing=() p
	[ -r "$vis" ] || missing+=("$vis")
	for p in zc-compositor zc-client; do
		[ -x "$bin/$p" ] || missing+=("$bin/$p")
	done
	if [ ${#missing[@]} -gt 0 ]; then
		result visual.guest-run fail "missing prerequisite: ${missing[*]}"
		return
	fi
	mkdir -p "$dir"
	local devs=() node args=()
	[ -e /dev/udmabuf ] && devs+=(/dev/udmabuf)
	while read -r node; do
		devs+=("$node")
		args+=(--gbm-device "$node")
	done < <(gbm_candidates)
	echo "zcd-guest: visual cases with devices: ${devs[*]:-none}; timeout scale $visual_timeout_scale, limit ${visual_seconds}s"
	local t0=$SECONDS rc=0
	# lavapipe only: the loader would otherwise open every installed Vulkan
	# driver over 9p for each process (as vm/guest/zcd-session.sh does).
	local icd=/usr/share/vulkan/icd.d/lvp_icd.json
	# At the limit SIGTERM lets visual.py finish the case it is showing and
	# record every case shown so far; SIGKILL only if that takes 3 minutes.
	# --foreground: the signal goes to visual.py alone, not to the
	# compositor and client it runs (seen without it: the compositor ended
	# under the case being shown, which then failed).
	VK_DRIVER_FILES=$icd VK_ICD_FILENAMES=$icd ZCD_TIMEOUT_SCALE=$visual_timeout_scale \
		timeout --foreground --kill-after=180 "$visual_seconds" \
		python3 "$vis" --bin "$bin" --out "$dir" --results "$dir/shown.tsv" --show-only "${args[@]}" \
		>"$dir/visual.log" 2>&1 || rc=$?
	local took=$((SECONDS - t0)) counts
	counts=$(awk -F'\t' '{n[$2]++} END {for (s in n) { printf "%s%d %s", sep, n[s], s; sep = ", " }}' \
		"$dir/shown.tsv" 2>/dev/null)
	local detail="${counts:-no case reported} in ${took}s (devices: ${devs[*]:-none}; visual/visual.log)"
	case $rc in
	0 | 1) result visual.guest-run pass "$detail" ;;
	124 | 137) result visual.guest-run fail "stopped at the ${visual_seconds}s limit: $detail" ;;
	*) result visual.guest-run fail "visual.py exited with $rc: $(tail -n 1 "$dir/visual.log") ($detail)" ;;
	esac
}
