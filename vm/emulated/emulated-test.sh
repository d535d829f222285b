#!/usr/bin/env bash
# `./zcd vm emulated-test`: the whole zero-copy path with no Intel hardware.
#
# Boots the series' kernel (./zcd kernel build-vm, cached) under QEMU TCG with
# the host's root file system shared read-only over 9p (no image to build), a
# writable 9p output share, an emulated SR-IOV PF (QEMU nvme, sriov_max_vfs),
# an unrelated PCI device behind the same PCIe switch (a second nvme
# controller, no SR-IOV), a third nvme on the root complex, the project QEMU's
# emulated SR-IOV GPU-memory device (x-sriov-lmem) on a root port of its own,
# virtio-gpu for display and a virtio-serial port fed by the host agent.
# The QEMU is the project's (./zcd qemu build, cached).  guest-init.sh
# (PID 1) runs the checks of checks.txt; this script answers the guest's
# screendump request over QMP, judges the results (the device-source visual
# cases the guest showed with tests/visual/visual.py --judge) and ends with
# "zcd-summary: ran=N failed=N skipped=N".
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
zcd_prog="zcd vm emulated-test"
# shellcheck source=vm/lib/common.sh
. "$here/../lib/common.sh"

ZCD_ROOT=${ZCD_ROOT:-$(cd "$here/../.." && pwd)}
ZCD_CACHE=${ZCD_CACHE:-/var/cache/zcdisplay}
ZCD_BUILD=${ZCD_BUILD:-$ZCD_ROOT/build}

usage() {
	cat <<'USAGE'
usage: ./zcd vm emulated-test [options]

Runs the emulated SR-IOV VM test; results in out/vm-emulated/ (see vm/README.md).
  --kernel FILE        guest kernel (default: ./zcd kernel build-vm's bzImage, built if needed)
  --importer-ko FILE   the kernel test importer module (default: found in the build-vm tree)
  --no-build           build nothing (neither ./zcd build, ./zcd kernel build-vm nor
                       ./zcd qemu build); use what exists
  --out DIR            results directory (default out/vm-emulated)
  --timeout SEC        whole-VM time limit (default 4200)
  --memory SIZE        guest RAM (default 2G)
  --smp N              vCPUs, TCG threads (default 2)
  --size WxH           virtio-gpu output size (default 320x240)
  --client-size WxH    zc-client buffer size (default 160x120)
  --client-at X,Y      where zc-compositor places the client (default 8,8: its shelf layout's gap)
  --run-seconds SEC    how long the compositor may take for its first captures (default 300)
  --visual-seconds SEC the guest's time limit for the device-source visual cases (default 2700);
                       their harness timeouts are scaled by $ZCD_TIMEOUT_SCALE (default 8 here)
  --qemu PATH          QEMU binary (default $ZCD_QEMU, else the project's QEMU:
                       ./zcd qemu build's, built if needed); it needs x-sriov-lmem
  --console            copy the guest console to stderr while it runs
  --no-chain           leave out the seed chain's VM (./zcd vm chain-test, checks chain.*),
                       which otherwise runs after this VM with the same kernel and QEMU
  -h, --help           this text
USAGE
}

kernel="" importer_ko="" build=1 out=$ZCD_ROOT/out/vm-emulated timeout_s=4200
memory=2G smp=2 size=320x240 client_size=160x120 client_at=8,8 run_seconds=300 qemu="" console=0 chain=1
visual_seconds=2700
# TCG is many times slower than the build machines the visual harness's
# timeouts are made for.
visual_timeout_scale=${ZCD_TIMEOUT_SCALE:-8}
need() { [ $# -ge 2 ] || die "$1 needs a value (see --help)"; }
while [ $# -gt 0 ]; do
	case "$1" in
	-h | --help) usage; exit 0 ;;
	--kernel) need "$@"; kernel=$2; shift 2 ;;
	--importer-ko) need "$@"; importer_ko=$2; shift 2 ;;
	--no-build) build=0; shift ;;
	--out) need "$@"; out=$2; shift 2 ;;
	--timeout) need "$@"; timeout_s=$2; shift 2 ;;
	--memory) need "$@"; memory=$2; shift 2 ;;
	--smp) need "$@"; smp=$2; shift 2 ;;
	--size) need "$@"; size=$2; shift 2 ;;
	--client-size) need "$@"; client_size=$2; shift 2 ;;
	--client-at) need "$@"; client_at=$2; shift 2 ;;
	--run-seconds) need "$@"; run_seconds=$2; shift 2 ;;
	--visual-seconds) need "$@"; visual_seconds=$2; shift 2 ;;
	--qemu) need "$@"; qemu=$2; shift 2 ;;
	--console) console=1; shift ;;
	--no-chain) chain=0; shift ;;
	*) die "unknown option '$1' (see --help)" ;;
	esac
done
read -r xres yres < <(parse_wxh "$size") || die "--size '$size' is not WxH"
parse_wxh "$client_size" >/dev/null || die "--client-size '$client_size' is not WxH"
[[ $client_at =~ ^[0-9]+,[0-9]+$ ]] || die "--client-at '$client_at' is not X,Y"
if ! [[ $visual_timeout_scale =~ ^[0-9]*\.?[0-9]+$ ]] || ! [[ $visual_timeout_scale =~ [1-9] ]]; then
	die "ZCD_TIMEOUT_SCALE '$visual_timeout_scale' is not a positive number"
fi
for v in timeout_s smp run_seconds visual_seconds; do
	[[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "--${v%_s} '${!v}' is not a positive number"
done
[[ $memory =~ ^[1-9][0-9]*[MG]$ ]] || die "--memory '$memory' is not a size like 2G"

t_start=$(date +%s)
share=$out/share
rm -rf "$out"
mkdir -p "$share"
declare -A status detail

# Detail of a check nobody reported; changes when the guest cannot even start.
unreported="not reported by the guest (it stopped before this check; see console.log)"

# record NAME STATUS DETAIL: a host-side verdict.
record() { status[$1]=$2; detail[$1]=$3; }

# checks.txt's line visual.<case> stands for one check per device-source
# visual case (tests/visual/visual.py --list-device).
visual_py=$ZCD_ROOT/tests/visual/visual.py
visual_cases=()
if visual_list=$(python3 "$visual_py" --list-device 2>&1); then
	mapfile -t visual_cases < <(tr ';' '\n' <<<"$visual_list" | sed '/^$/d')
fi
checks=()
while read -r c; do
	if [ "$c" != "visual.<case>" ]; then
		checks+=("$c")
	elif [ ${#visual_cases[@]} -gt 0 ]; then
		checks+=("${visual_cases[@]/#/visual.}")
	else
		checks+=(visual.list-device)
		record visual.list-device fail "tests/visual/visual.py --list-device named no case: $(tail -n 1 <<<"$visual_list")"
	fi
done < <(sed -e '/^#/d' -e '/^$/d' "$here/checks.txt" | awk '{print $1}')
# The seed chain's checks (vm/chain/checks.txt) follow, from a VM of their own.
chain_dir=$here/../chain
if [ $chain -eq 1 ]; then
	mapfile -t -O ${#checks[@]} checks < <(sed -e '/^#/d' -e '/^$/d' "$chain_dir/checks.txt" | awk '{print $1}')
fi
t_chain=0 t_judge=0

# finish: judge, print every check, the first failure and the summary line.
finish() {
	local c ran=0 failed=0 skipped=0 first=""
	echo "== emulated VM checks (artefacts in ${out#"$ZCD_ROOT"/})"
	for c in "${checks[@]}"; do
		local s=${status[$c]:-fail}
		local d=${detail[$c]:-$unreported}
		# A skip counts only when it names the missing hardware.
		if [ "$s" = skip ] && [[ $d == "missing hardware: "* ]]; then
			skipped=$((skipped + 1))
			printf '  %-30s %-4s  %s\n' "$c" skip "$d"
			continue
		fi
		ran=$((ran + 1))
		if [ "$s" != pass ]; then
			s=FAIL
			failed=$((failed + 1))
			[ -n "$first" ] || first=$c
		else
			s=pass
		fi
		printf '  %-30s %-4s  %s\n' "$c" "$s" "$d"
	done
	local t_end
	t_end=$(date +%s)
	echo "emulated-test: times: kernel build $((t_build_end - t_start))s," \
		"userland build $((t_userland_end - t_userland))s, QEMU build $((t_qemu_end - t_userland_end))s," \
		"VM $((t_end - t_qemu_end - t_chain - t_judge))s, chain VM ${t_chain}s, visual judging ${t_judge}s," \
		"total $((t_end - t_start))s"
	# the chain's stage times (chain.stage-timings; the bench reads timings.json)
	if [ -r "$out/chain/share/chain/timings.tsv" ]; then
		echo "emulated-test: chain stage times (ms, CLOCK_MONOTONIC):" \
			"$(awk -F'\t' '{printf "%s%s %s", (NR > 1 ? "; " : ""), $1, $2}' "$out/chain/share/chain/timings.tsv")"
	fi
	[ -z "$first" ] || echo "emulated-test: FAILED: first failing check: $first - ${detail[$first]:-$unreported}" >&2
	echo "emulated-test: $ran checks ran, $failed failed, $skipped skipped for missing hardware"
	echo "zcd-summary: ran=$ran failed=$failed skipped=$skipped"
	[ $failed -eq 0 ]
}

# --- the kernel: the series' bzImage, via the kernel helper's cached build.
t_build_end=$t_start t_userland=$t_start t_userland_end=$t_start t_qemu_end=$t_start
no_kernel="not run: no guest kernel (see vm.kernel-built)"
kernel_out=$ZCD_CACHE/kernel/out-vm
if [ -z "$kernel" ]; then
	if [ $build -eq 1 ]; then
		if [ ! -x "$ZCD_ROOT/kernel/zcd-kernel.sh" ]; then
			record vm.kernel-built fail "missing prerequisite: kernel/zcd-kernel.sh (./zcd kernel build-vm)"
			unreported=$no_kernel
			finish
			exit 1
		fi
		echo "emulated-test: ./zcd kernel build-vm (cached when unchanged; log in ${out#"$ZCD_ROOT"/}/kernel-build.log)"
		if ! "$ZCD_ROOT/kernel/zcd-kernel.sh" build-vm >"$out/kernel-build.log" 2>&1; then
			record vm.kernel-built fail "./zcd kernel build-vm failed: $(tail -n 1 "$out/kernel-build.log")"
			unreported=$no_kernel
			t_build_end=$(date +%s)
			finish
			exit 1
		fi
	fi
	kernel=$kernel_out/arch/x86/boot/bzImage
fi
t_build_end=$(date +%s)
if [ ! -r "$kernel" ]; then
	record vm.kernel-built fail "missing prerequisite: no kernel at $kernel (./zcd kernel build-vm)"
	unreported=$no_kernel
	finish
	exit 1
fi
record vm.kernel-built pass "$kernel ($(($(stat -c %s "$kernel") / 1024)) KiB)"
if [ -z "$importer_ko" ] && [ -d "$kernel_out" ]; then
	importer_ko=$(find "$kernel_out" -name 'dma-buf-ic-test.ko' -o -name '*ic_test*.ko' -o -name '*ic-test*.ko' 2>/dev/null | head -n 1)
fi

# --- the userland the guest runs: zc-compositor, zc-client, zc-vfio-dmabuf,
# zc-kstat (./zcd build; a no-op after ./zcd test's own build).  A failed
# build does not stop the test: the guest names every missing binary.
t_userland=$(date +%s)
if [ $build -eq 1 ]; then
	echo "emulated-test: ./zcd build (log in ${out#"$ZCD_ROOT"/}/build.log)"
	"$ZCD_ROOT/zcd" build >"$out/build.log" 2>&1 ||
		note "./zcd build failed ($(tail -n 1 "$out/build.log")); the guest checks name what is missing"
fi

t_userland_end=$(date +%s)

# --- the project's QEMU (qemu/): built once into the cache and reused while
# its source and series are unchanged.  $ZCD_QEMU or --qemu name another.
if [ -z "$qemu" ] && [ -n "${ZCD_QEMU:-}" ]; then qemu=$ZCD_QEMU; fi
if [ -z "$qemu" ]; then
	if [ $build -eq 1 ]; then
		echo "emulated-test: ./zcd qemu build (cached when unchanged; log in ${out#"$ZCD_ROOT"/}/qemu-build.log)"
		"$ZCD_ROOT/qemu/zcd-qemu.sh" build >"$out/qemu-build.log" 2>&1 ||
			note "./zcd qemu build failed: $(tail -n 1 "$out/qemu-build.log")"
	fi
	qemu=$(project_qemu)
fi
t_qemu_end=$(date +%s)

# --- the QEMU prerequisites this test needs (one line each).
missing=()
command -v "$qemu" >/dev/null || missing+=("QEMU '$qemu' not found")
if [ ${#missing[@]} -eq 0 ]; then
	for dev in nvme nvme-subsys pcie-root-port x3130-upstream xio3130-downstream virtio-gpu-pci virtio-9p-pci virtio-serial-pci virtserialport x-sriov-lmem; do
		qemu_has_device "$qemu" "$dev" || missing+=("QEMU lacks device $dev")
	done
	[ -z "$(qemu_device_missing_props "$qemu" nvme sriov_max_vfs)" ] ||
		missing+=("QEMU's nvme lacks sriov_max_vfs (QEMU >= 7.1)")
	[ -z "$(qemu_device_missing_props "$qemu" virtio-gpu-pci blob x-blob-shadow)" ] ||
		missing+=("QEMU's virtio-gpu-pci lacks blob or x-blob-shadow (the project's QEMU: ./zcd qemu build)")
fi
command -v socat >/dev/null || missing+=("socat not installed")
if [ ${#missing[@]} -gt 0 ]; then
	record boot fail "missing prerequisite: ${missing[*]}"
	unreported="not run: the VM could not start"
	finish
	exit 1
fi

# --- what the guest reads: parameters, and the counters file the agent sends.
cat >"$share/params.sh" <<EOF
zcd_root=$(printf '%q' "$ZCD_ROOT")
zcd_build=$(printf '%q' "$ZCD_BUILD")
importer_ko=$(printf '%q' "$importer_ko")
client_size=$client_size
output_size=$size
run_seconds=$run_seconds
screendump_timeout=180
kstat_port_name=org.zcdisplay.kstat
visual_timeout_scale=$visual_timeout_scale
visual_seconds=$visual_seconds
EOF
# Counters a CI host kernel cannot have: random values, so the guest can
# only pass by relaying exactly this snapshot.
counters=$out/agent-counters.txt
{
	echo "version: 1"
	echo "interconnect: iov"
	for key in matches match_failures maps unmaps map_failures fallbacks rejected_ranges; do
		printf '\t%s: %d\n' "$key" "$((RANDOM * 32768 + RANDOM))"
	done
} >"$counters"

qmp=$out/qmp.sock kstat_sock=$out/kstat.sock
append="console=ttyS0 root=/dev/root rootfstype=9p rootflags=trans=virtio,version=9p2000.L,msize=262144 ro"
append+=" init=$ZCD_ROOT/vm/emulated/guest-init.sh zcd.out=zcdout panic=-1"
append+=" vfio.enable_unsafe_noiommu_mode=1"
# SeaBIOS sizes the switch's windows without the VFs' BARs (it does not
# know SR-IOV): let Linux size them again when the VFs are enabled.
append+=" pci=realloc"
# room for the debug kernel's reports (lockdep, KASAN) in the log
append+=" log_buf_len=4M"
# Time from QEMU's HPET, not the TSC.  On a loaded host the guest's PIT
# calibration of the emulated TSC was seen 15 times off (173 MHz for
# 2.6 GHz), which makes every guest timeout fire early; and 7.3's clocksource
# watchdog, which would catch that, was seen to hang the boot under TCG
# (vCPU 0 spinning in watchdog_check_skew with interrupts off, vCPU 1 idle).
# With the TSC unstable neither can happen.
append+=" tsc=unstable"
# virtio-gpu with blob resources, as on a real guest (vm/host): the guest
# kernel imports the compositor's dma-bufs as guest blobs and scans them out
# without a per-flush transfer.  A host with /dev/udmabuf gives QEMU each
# blob's pages as a dma-buf, which needs guest RAM in a shared memfd; a CI
# host has none, and the project's QEMU then shows blobs from a copy it
# refreshes on flush (x-blob-shadow, emulation only: qemu/README.md, patch 8).
gpu="virtio-gpu-pci,max_outputs=1,xres=$xres,yres=$yres,blob=true"
ram=()
if [ -w /dev/udmabuf ]; then
	ram=(-object "memory-backend-memfd,id=zcd_ram,size=$memory,share=on" -machine memory-backend=zcd_ram)
else
	gpu+=",x-blob-shadow=on"
fi
# shellcheck disable=SC2054 # commas separate QEMU sub-options, not array elements
args=(
	"$qemu" -name zcdisplay-emulated
	-machine q35 -accel tcg,thread=multi -cpu max -smp "$smp" -m "$memory"
	-nodefaults -no-reboot -display none -nic none
	-kernel "$kernel" -append "$append"
	-serial "file:$out/console.log"
	-fsdev local,id=rootfs,path=/,security_model=none,readonly=on,multidevs=remap
	-device virtio-9p-pci,fsdev=rootfs,mount_tag=/dev/root
	-fsdev "local,id=outfs,path=$share,security_model=none,multidevs=remap"
	-device virtio-9p-pci,fsdev=outfs,mount_tag=zcdout
	# The SR-IOV PF and the unrelated device sit behind one PCIe switch, as
	# a GPU and a peer device often do: p2pdma finds a path through the
	# switch, so the unrelated importer's fallback is mapped (bus addresses).
	# A third nvme on the root complex has no p2pdma path to the VF (Q35's
	# host bridge is not on the p2pdma whitelist): its fallback is refused.
	-device pcie-root-port,id=zcd_rp0,bus=pcie.0,chassis=1,slot=1
	-device x3130-upstream,id=zcd_up0,bus=zcd_rp0
	-device xio3130-downstream,id=zcd_dn0,bus=zcd_up0,chassis=2,slot=0
	-device xio3130-downstream,id=zcd_dn1,bus=zcd_up0,chassis=3,slot=0
	-device nvme-subsys,id=subsys0
	-device nvme,id=sriov_pf,bus=zcd_dn0,serial=zcd0001,subsys=subsys0,sriov_max_vfs=2,sriov_vq_flexible=8,sriov_vi_flexible=4,max_ioqpairs=12
	-device nvme,id=unrelated,bus=zcd_dn1,serial=zcd0002
	-device nvme,id=no_p2p_path,bus=pcie.0,serial=zcd0003
	# The emulated SR-IOV GPU memory (qemu/README.md): 2 VFs of 64 MiB, the
	# PF's memory BAR holds them all; its VFs share its root port.
	-device pcie-root-port,id=zcd_rp1,bus=pcie.0,chassis=4,slot=2
	-device x-sriov-lmem,id=sriov_lmem,bus=zcd_rp1
	-device "$gpu"
	-device virtio-serial-pci,id=vserial0
	-chardev "socket,id=kstat,path=$kstat_sock,server=on,wait=off"
	-device virtserialport,bus=vserial0.0,chardev=kstat,name=org.zcdisplay.kstat
	-qmp "unix:$qmp,server=on,wait=off"
	"${ram[@]}"
)
print_cmdline "${args[@]}" >"$out/qemu-cmdline.txt"

echo "emulated-test: booting $kernel under TCG (console in ${out#"$ZCD_ROOT"/}/console.log)"
start_vm "$timeout_s" "$out/qemu.log" "$out/console.log" "$console" "${args[@]}"
agent_pid=""
cleanup() {
	[ -z "$agent_pid" ] || kill "$agent_pid" 2>/dev/null || true
	stop_vm
}
trap cleanup EXIT

# Serve the guest while QEMU runs: start the agent once QEMU's socket exists,
# answer screendump requests (the guest cannot see its own scanout).
while kill -0 "$vm_pid" 2>/dev/null; do
	if [ -z "$agent_pid" ] && [ -S "$kstat_sock" ]; then
		"$ZCD_ROOT/vm/host/agent" --counters "$counters" --socket "$kstat_sock" --interval 1 \
			>"$out/agent.log" 2>&1 &
		agent_pid=$!
	fi
	if [ -e "$share/screendump.request" ]; then
		rm -f "$share/screendump.request"
		# PPM, QEMU's own format: the project's QEMU has no libpng.
		if python3 "$here/qmp.py" "$qmp" screendump \
			"{\"filename\": \"$share/screendump.ppm\", \"format\": \"ppm\"}" >"$out/qmp.log" 2>&1 &&
			python3 "$here/ppm_to_png.py" "$share/screendump.ppm" "$share/screendump.png" >>"$out/qmp.log" 2>&1; then
			echo "emulated-test: screendump taken"
		else
			echo "emulated-test: screendump failed: $(tail -n 1 "$out/qmp.log")" >&2
		fi
		: >"$share/screendump.done"
	fi
	sleep 1
done
wait_vm "$timeout_s" "$out/qemu.log"
trap - EXIT
cleanup

# --- judge what the guest reported.
if [ -r "$share/results.tsv" ]; then
	while IFS=$'\t' read -r name st text; do
		[ -n "$name" ] || continue
		record "$name" "$st" "$text"
	done <"$share/results.tsv"
fi
if [ "${status[boot]:-}" != pass ]; then
	reason=$(grep -m 1 -E 'Kernel panic|VFS: Unable|not syncing|Failed to execute' "$out/console.log" 2>/dev/null || true)
	record boot fail "guest never reported: ${reason:-see console.log} (QEMU status $vm_rc)"
fi

if [ "${status[agent.transport]:-}" = received ]; then
	if cmp -s "$counters" "$share/host-kstat.txt"; then
		record agent.transport pass "${detail[agent.transport]}; identical to what the host agent sent"
	else
		record agent.transport fail "the guest's snapshot differs from the host's counters file (see share/host-kstat.txt)"
	fi
fi

# verify_image CHECK PNG: the client's pattern must be in the image.  With
# zc-verify: its window equals the SMPTE frame computed by common/pattern for
# the frame number in its identity stripe; until zc-verify is built, a pixel
# check that the SMPTE bars are visible.
verify_image() {
	local verdict zv=$ZCD_BUILD/bin/zc-verify name=${1#compositor.}
	if [ -x "$zv" ]; then
		if verdict=$("$zv" --expect-pattern smpte --expect-size "$client_size" --expect-at "$client_at" \
			--out "$out/verify-$name" "$2" 2>&1); then
			record "$1" pass "${detail[$1]}; zc-verify: $(tail -n 1 <<<"$verdict")"
		else
			record "$1" fail "${2#"$out"/}: zc-verify: $(tail -n 1 <<<"$verdict") (report in verify-$name/)"
		fi
	elif verdict=$(python3 "$here/pattern_check.py" "$2" 2>&1); then
		record "$1" pass "${detail[$1]}; zc-verify not built, pixel check: $verdict"
	else
		record "$1" fail "${2#"$out"/}: $verdict"
	fi
}
# --- the seed chain, in its own VM (intel-iommu; vm/chain/chain-test.sh).
if [ $chain -eq 1 ]; then
	echo "emulated-test: the seed chain's VM (log in ${out#"$ZCD_ROOT"/}/chain.log)"
	t0=$(date +%s)
	"$chain_dir/chain-test.sh" --kernel "$kernel" --importer-ko "$importer_ko" --qemu "$qemu" \
		--out "$out/chain" >"$out/chain.log" 2>&1 || true
	t_chain=$(($(date +%s) - t0))
	if [ -r "$out/chain/verdicts.tsv" ]; then
		while IFS=$'\t' read -r name st text; do
			[ -n "$name" ] && record "$name" "$st" "$text"
		done <"$out/chain/verdicts.tsv"
	else
		while read -r c; do
			record "$c" fail "chain-test.sh wrote no verdicts: $(tail -n 1 "$out/chain.log")"
		done < <(sed -e '/^#/d' -e '/^$/d' "$chain_dir/checks.txt" | awk '{print $1}')
	fi
fi

if [ "${status[compositor.guest-capture]:-}" = captured ]; then
	last=$(find "$share/compositor/captures" -name '*.png' | sort -V | tail -n 1)
	verify_image compositor.guest-capture "$last"
fi
if [ "${status[compositor.host-screendump]:-}" = captured ]; then
	if [ -s "$share/screendump.png" ]; then
		verify_image compositor.host-screendump "$share/screendump.png"
	else
		record compositor.host-screendump fail "QMP screendump wrote nothing (see qmp.log)"
	fi
fi

# The device-source visual cases the guest showed: checked here by the same
# visual.py (zc-verify on the guest's captures), one check per case.
t0=$(date +%s)
shown=$share/visual/shown.tsv
if [ -r "$shown" ]; then
	echo "emulated-test: checking the visual cases the guest showed (log in ${out#"$ZCD_ROOT"/}/visual-judge.log)"
	python3 "$visual_py" --bin "$ZCD_BUILD/bin" --out "$share/visual" --judge "$shown" \
		--results "$out/visual-results.tsv" >"$out/visual-judge.log" 2>&1 || true
	if [ -r "$out/visual-results.tsv" ]; then
		while IFS=$'\t' read -r name st text; do
			[ -n "$name" ] || continue
			# The guest has every device these cases need (udmabuf, vgem,
			# lavapipe): one missing there is a fault of this test, not a skip.
			if [ "$st" = skip ]; then
				st=fail text="the emulated guest must have this device: $text"
			fi
			record "$name" "$st" "$text"
		done <"$out/visual-results.tsv"
	else
		for c in "${visual_cases[@]}"; do
			record "visual.$c" fail "visual.py --judge wrote no results: $(tail -n 1 "$out/visual-judge.log")"
		done
	fi
fi
t_judge=$(($(date +%s) - t0))
finish
