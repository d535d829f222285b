#!/usr/bin/env bash
# Install every Debian package zcdisplay needs. Idempotent: when nothing is
# missing it only runs dpkg-query and returns in well under a second.
set -euo pipefail

usage() {
	cat <<'USAGE'
usage: scripts/setup-debian.sh [--check]

Installs the Debian 12 packages zcdisplay builds and tests with, adding
bookworm-backports for Mesa 25 (lavapipe with VK_EXT_external_memory_dma_buf),
QEMU 10 and meson (the QEMU series' build), and a deb-src-only entry for
trixie (the QEMU series' source).  --check only lists what is missing and
exits 1 if anything is.
USAGE
}

check_only=0
case "${1:-}" in
-h | --help) usage; exit 0 ;;
--check) check_only=1 ;;
"") ;;
*) echo "setup: unknown argument '$1' (see --help)" >&2; exit 2 ;;
esac

# Packages from bookworm itself.
base_pkgs=(
	# C++ build
	build-essential cmake ninja-build pkg-config ccache git clang-format shellcheck
	libgtest-dev libgmock-dev
	# fuzz suite (tests/fuzz): clang with libFuzzer and the sanitizer runtimes
	# (libclang_rt.fuzzer is in libclang-rt-14-dev, which clang only suggests)
	clang libclang-rt-14-dev
	# Wayland / wlroots 0.15
	libwlroots-dev wayland-protocols libwayland-dev libwayland-bin libxkbcommon-dev
	libpixman-1-dev libdrm-dev libgbm-dev libinput-dev libudev-dev libseat-dev
	# Vulkan, shaders, overlay, images
	libvulkan-dev vulkan-validationlayers vulkan-tools glslc spirv-tools
	libimgui-dev libstb-dev libpng-dev
	# real peers for end-to-end tests and benchmarks
	weston sway grim
	# benchmarks: hot-path profiling (bench/harness/hotpath.py), instruction
	# counts of sub-millisecond imports (callgrind, bench/harness/import_rows.py)
	linux-perf valgrind
	# kernel series (linux-source-7.3 comes from trixie-backports, below)
	bc bison flex libssl-dev libelf-dev cpio kmod rsync python3
	python3-ply python3-git # checkpatch.pl runs scripts/spdxcheck.py
	dwarves xz-utils
	# emulated VM
	busybox-static nvme-cli pciutils socat
	# QEMU series (qemu/): apt-get source, qemu-system-x86_64's libraries
	# (gtk/epoxy/gbm for gl=on, attr/cap-ng for 9p), Debian's firmware
	dpkg-dev libglib2.0-dev zlib1g-dev libfdt-dev libgtk-3-dev libepoxy-dev
	libattr1-dev libcap-ng-dev seabios ipxe-qemu
)
# Packages that must come from bookworm-backports (version floor in comment).
backports_pkgs=(
	mesa-vulkan-drivers # >= 25: lavapipe with VK_EXT_external_memory_dma_buf
	qemu-system-x86     # >= 10: igb/nvme SR-IOV, vfio dma-buf era
	qemu-utils
	meson               # >= 1.5: QEMU 10's configure (Debian's +ds source ships no wheels)
)

missing() {
	local p
	for p in "$@"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' || echo "$p"
	done
}

# A backports package only counts as present at its backports major version.
backport_outdated() {
	local v
	v=$(dpkg-query -W -f='${Version}' mesa-vulkan-drivers 2>/dev/null || true)
	case "$v" in 2[5-9].* | [3-9][0-9].*) ;; *) echo mesa-vulkan-drivers ;; esac
	v=$(dpkg-query -W -f='${Version}' qemu-system-x86 2>/dev/null || true)
	case "$v" in 1:1[0-9].* | 1[0-9].*) ;; *) echo qemu-system-x86 ;; esac
	v=$(dpkg-query -W -f='${Version}' meson 2>/dev/null || true)
	case "$v" in 1.[5-9].* | 1.[1-9][0-9].* | [2-9].*) ;; *) echo meson ;; esac
}

# The kernel series' base: a kernel line, taken from trixie-backports through
# an apt source pinned so that nothing else can come from that suite.  The
# package is Architecture: all (a tarball under /usr/src) and depends only on
# binutils and xz-utils.  Which 7.3.y it is does not matter here; the kernel
# scripts check that the series applies to it.
kernel_pkg=$(cut -d' ' -f1 "$(dirname "$0")/../kernel/base-line")
trixie_bpo_list=/etc/apt/sources.list.d/zcdisplay-trixie-backports.list
trixie_bpo_pin=/etc/apt/preferences.d/zcdisplay-trixie-backports
# The QEMU series' base: the QEMU source trixie serves (apt-get source), from
# a deb-src-only entry, so no binary package can come from trixie.
trixie_src_list=/etc/apt/sources.list.d/zcdisplay-trixie-src.list
trixie_src_line="deb-src http://deb.debian.org/debian trixie main"

mapfile -t need_base < <(missing "${base_pkgs[@]}")
mapfile -t need_bpo < <({ missing "${backports_pkgs[@]}"; backport_outdated; } | sort -u)
mapfile -t need_kernel < <(missing "$kernel_pkg")

need_src=()
[ "$(cat "$trixie_src_list" 2>/dev/null)" = "$trixie_src_line" ] || need_src=("trixie deb-src entry")

if [ ${#need_base[@]} -eq 0 ] && [ ${#need_bpo[@]} -eq 0 ] && [ ${#need_kernel[@]} -eq 0 ] &&
	[ ${#need_src[@]} -eq 0 ]; then
	exit 0
fi
if [ $check_only -eq 1 ]; then
	echo "setup: missing: ${need_base[*]} ${need_bpo[*]} ${need_kernel[*]} ${need_src[*]}" >&2
	exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "setup: missing (${need_base[*]} ${need_bpo[*]} ${need_kernel[*]} ${need_src[*]}); run as root to install them" >&2
	exit 1
fi

export DEBIAN_FRONTEND=noninteractive
bpo_list=/etc/apt/sources.list.d/zcdisplay-backports.list
if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
	echo "deb http://deb.debian.org/debian bookworm-backports main" >"$bpo_list"
fi
# Pin first, then add the source: at no moment may an upgrade take anything
# else from trixie-backports.
cat >"$trixie_bpo_pin" <<PIN
# zcdisplay: only the kernel series' base comes from trixie-backports.
Package: *
Pin: release n=trixie-backports
Pin-Priority: -1

Package: $kernel_pkg
Pin: release n=trixie-backports
Pin-Priority: 500
PIN
echo "deb http://deb.debian.org/debian trixie-backports main" >"$trixie_bpo_list"
echo "$trixie_src_line" >"$trixie_src_list"
apt-get update -qq
if [ ${#need_base[@]} -gt 0 ]; then
	apt-get install -y -qq --no-install-recommends "${need_base[@]}"
fi
if [ ${#need_bpo[@]} -gt 0 ]; then
	apt-get install -y -qq --no-install-recommends -t bookworm-backports "${need_bpo[@]}"
fi
if [ ${#need_kernel[@]} -gt 0 ]; then
	apt-get install -y -qq --no-install-recommends "$kernel_pkg" ||
		{ echo "setup: $kernel_pkg is not installable from trixie-backports; see kernel/README.md, 'When the registry moves'" >&2; exit 1; }
fi
