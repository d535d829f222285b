#!/usr/bin/env bash
# The QEMU series: take Debian's QEMU source of the series' line (apt-get
# source, trixie), apply qemu/patches with git am, build qemu-system-x86_64
# into the cache, check the series and run its qtest.
# Called as ./zcd qemu <step>; see usage().
set -euo pipefail

usage() {
	cat <<'USAGE'
usage: ./zcd qemu <step>

  prepare     fetch Debian's QEMU source of the line in qemu/base-line
              (apt-get source, with Debian's own patches applied) into
              $ZCD_CACHE/qemu/src once, and apply qemu/patches/series on
              branch zcd (skipped when source version and series are unchanged)
  build       configure and build qemu-system-x86_64 only, into
              $ZCD_CACHE/qemu/build (skipped while source and series are
              unchanged); prints the binary's path
  checkpatch  QEMU's scripts/checkpatch.pl on every patch in the series
  test        build, then the series' qtest (tests/qtest/) against the binary
  path        print the path of the built binary (fails when it is not built)

The binary uses Debian's firmware (seabios, ipxe-qemu, qemu-system-data).
See qemu/README.md.
USAGE
}

die() {
	echo "zcd qemu: $*" >&2
	exit 1
}

: "${ZCD_ROOT:=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
: "${ZCD_CACHE:=/var/cache/zcdisplay}"
qdir=$ZCD_ROOT/qemu
cache=$ZCD_CACHE/qemu
src=$cache/src
out=$cache/build
jobs=2
git_id=(-c user.name="zcdisplay developers" -c user.email=dev@zcdisplay.invalid)
# QEMU's objects in a ccache of their own: they must not evict the kernel's.
export CCACHE_DIR=$cache/ccache CCACHE_BASEDIR=$src CCACHE_NOHASHDIR=1
# Debian's ccache symlinks: configure's "cc" and meson's compiler are ccache.
export PATH=/usr/lib/ccache:$PATH

# --- inputs --------------------------------------------------------------

# qemu/base-line names the source package and the QEMU line the series is
# written for ("qemu 10.0"), never one package version: any 10.0.y the
# registry serves is taken as long as the series applies to it.
read -r base_pkg base_line <"$qdir/base-line"
base_version=

# The newest version of the line that apt serves as a source package.
check_base() {
	local v best=
	command -v dpkg-source >/dev/null || die "dpkg-source is missing; run ./zcd setup"
	while read -r v; do
		case "${v#*:}" in
		"$base_line" | "$base_line".* | "$base_line"+* | "$base_line"-*) ;;
		*) continue ;;
		esac
		if [ -z "$best" ] || dpkg --compare-versions "$v" gt "$best"; then best=$v; fi
	done < <(apt-cache showsrc "$base_pkg" 2>/dev/null | sed -n 's/^Version: //p')
	[ -n "$best" ] || die "apt serves no $base_pkg source of the $base_line line (deb-src for trixie missing? run ./zcd setup; see qemu/README.md, 'When the registry moves')"
	base_version=$best
}

series_patches() {
	sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$qdir/patches/series"
}

series_key() {
	{
		echo "$base_pkg $base_version"
		local p
		while read -r p; do
			[ -f "$qdir/patches/$p" ] || die "series lists $p but qemu/patches/$p does not exist"
			echo "$p $(sha256sum <"$qdir/patches/$p" | cut -d' ' -f1)"
		done < <(series_patches)
	} | sha256sum | cut -d' ' -f1
}

file_hash() { sha256sum <"$1" | cut -d' ' -f1; }
tree_commit() { git -C "$src" rev-parse HEAD; }
# Builds key on the tree's content: a reworded commit message rebuilds nothing.
tree_id() { git -C "$src" rev-parse 'HEAD^{tree}'; }

# --- prepare -------------------------------------------------------------

fetch_base() {
	local tmp=$cache/src.tmp dl=$cache/dl
	echo "prepare: apt-get source $base_pkg=$base_version (once)"
	rm -rf "$tmp" "$dl"
	mkdir -p "$tmp" "$dl"
	(cd "$dl" && apt-get source -q -d "$base_pkg=$base_version" >"$cache/fetch.log" 2>&1) ||
		die "apt-get source $base_pkg=$base_version failed (log: $cache/fetch.log)"
	# dpkg-source applies Debian's own patches: the base is Debian's QEMU.
	dpkg-source -q -x "$dl"/"${base_pkg}_${base_version#*:}.dsc" "$tmp/tree" >>"$cache/fetch.log" 2>&1 ||
		die "dpkg-source -x failed (log: $cache/fetch.log)"
	rm -rf "$tmp/tree/.pc"
	git -C "$tmp/tree" init -q
	git -C "$tmp/tree" add -f -A
	git -C "$tmp/tree" "${git_id[@]}" commit -q -m "$base_pkg $base_version (Debian source, Debian patches applied)"
	git -C "$tmp/tree" tag base
	git -C "$tmp/tree" branch -q -m zcd-base-import
	mv "$tmp/tree" "$src"
	rm -rf "$tmp" "$dl"
	echo "$base_version" >"$cache/src.version"
}

cmd_prepare() {
	[ -z "${zcd_prepared:-}" ] || return 0
	check_base
	mkdir -p "$cache"
	exec 9>"$cache/.prepare.lock"
	flock 9
	if [ -d "$src/.git" ] && [ "$(cat "$cache/src.version" 2>/dev/null)" != "$base_version" ]; then
		echo "prepare: $base_pkg is now $base_version (tree was $(cat "$cache/src.version" 2>/dev/null || echo unknown)): fetching it"
		rm -rf "$src"
	fi
	[ -d "$src/.git" ] || fetch_base
	local key stamp=$cache/prepared
	key=$(series_key)
	if [ -f "$stamp" ] && [ "$(head -n1 "$stamp")" = "$key" ] &&
		[ "$(sed -n 2p "$stamp")" = "$(tree_commit)" ] &&
		git -C "$src" diff --quiet HEAD; then
		echo "prepare: up to date (series $(echo "$key" | cut -c1-12), tree $(tree_commit | cut -c1-12))"
		zcd_prepared=1
		return
	fi
	# Give back the timestamps of files the series leaves unchanged, so a
	# changed patch rebuilds only what it touches.
	local old_head mtimes=$cache/series.mtimes f mtime
	old_head=$(tree_commit)
	: >"$mtimes"
	if git -C "$src" diff --quiet HEAD; then
		git -C "$src" diff --name-only refs/tags/base "$old_head" | while read -r f; do
			[ ! -f "$src/$f" ] || printf '%s %s\n' "$(stat -c %Y "$src/$f")" "$f"
		done >"$mtimes"
	fi
	git -C "$src" am --abort >/dev/null 2>&1 || true
	git -C "$src" checkout -q -f -B zcd refs/tags/base
	git -C "$src" clean -q -f -d
	local p n=0
	while read -r p; do
		git -C "$src" "${git_id[@]}" am -q --keep-cr "$qdir/patches/$p" >"$cache/am.log" 2>&1 ||
			die "patch $p does not apply to $base_pkg $base_version: rebase the series (qemu/README.md, 'When the registry moves'; git am log: $cache/am.log)"
		n=$((n + 1))
	done < <(series_patches)
	local kept=0
	while read -r mtime f; do
		if [ -f "$src/$f" ] && git -C "$src" diff --quiet "$old_head" HEAD -- "$f"; then
			touch -m -d "@$mtime" "$src/$f"
			kept=$((kept + 1))
		fi
	done <"$mtimes"
	printf '%s\n%s\n' "$key" "$(tree_commit)" >"$stamp"
	echo "prepare: applied $n patches to $base_pkg $base_version, tree $(tree_commit | cut -c1-12) ($kept unchanged files keep their timestamps)"
	zcd_prepared=1
}

# --- build ---------------------------------------------------------------

# Debian's firmware, where Debian's own QEMU looks for it (debian/rules).
firmware_path=/usr/share/qemu:/usr/share/seabios:/usr/lib/ipxe/qemu

# Only what the project runs: x86_64 system emulation with TCG and KVM, the
# devices of vm/host/run.sh and vm/emulated (vfio, virtio-gpu, PCIe switch,
# nvme, 9p), GTK with OpenGL for the real host's display.
# The system's Python, which has Debian's meson (a pyenv or venv python on
# PATH would not).
configure_args=(
	--python=/usr/bin/python3 --target-list=x86_64-softmmu
	--without-default-features
	--enable-tcg --enable-kvm --enable-pixman --enable-fdt=system
	--enable-virtfs --enable-attr --enable-cap-ng
	--enable-gtk --enable-opengl
	--enable-malloc-trim
	--disable-docs --disable-tools --disable-guest-agent
	--disable-install-blobs --firmwarepath="$firmware_path"
)

binary() { echo "$out/qemu-system-x86_64"; }

# A binary run from its build directory finds data through qemu-bundle/,
# and relocates the firmware path into it (/usr/share/seabios becomes
# qemu-bundle/usr/share/seabios): point those at Debian's directories.
link_firmware() {
	local d
	for d in ${firmware_path//:/ }; do
		mkdir -p "$(dirname "$out/qemu-bundle$d")"
		ln -sfn "$d" "$out/qemu-bundle$d"
	done
}

build_key() {
	echo "$(tree_id) $(printf '%s\n' "${configure_args[@]}" | sha256sum | cut -d' ' -f1)"
}

cmd_build() {
	cmd_prepare
	local key t0=$SECONDS
	key=$(build_key)
	if [ -f "$cache/build.stamp" ] && [ "$(cat "$cache/build.stamp")" = "$key" ] && [ -x "$(binary)" ]; then
		link_firmware
		echo "build: up to date: $(binary)"
		return
	fi
	mkdir -p "$out" "$CCACHE_DIR"
	if [ ! -f "$out/build.ninja" ] || [ "$(cat "$cache/configure.key" 2>/dev/null)" != "${key#* }" ]; then
		rm -rf "$out"
		mkdir -p "$out"
		(cd "$out" && "$src/configure" "${configure_args[@]}" >"$cache/configure.log" 2>&1) ||
			{ tail -n 20 "$cache/configure.log" >&2; die "configure failed (log: $cache/configure.log)"; }
		echo "${key#* }" >"$cache/configure.key"
	fi
	ninja -C "$out" -j"$jobs" qemu-system-x86_64 >"$cache/build.log" 2>&1 ||
		{ grep -E 'error|FAILED' "$cache/build.log" | head -n 20 >&2; die "build failed (log: $cache/build.log)"; }
	link_firmware
	echo "$key" >"$cache/build.stamp"
	echo "build: $(binary) ($((SECONDS - t0)) s)"
}

cmd_path() {
	[ -x "$(binary)" ] || die "$(binary) is not built; run ./zcd qemu build"
	binary
}

# --- checks --------------------------------------------------------------

# Allowlist (qemu/checkpatch-allowlist): "<patch> | <message> | <reason>"
# lines; a finding of that patch whose text is <message> does not count.
allowed_findings() {
	awk -F' [|] ' -v p="$1" '$1 == p { print $2 }' "$qdir/checkpatch-allowlist" 2>/dev/null || true
}

cmd_checkpatch() {
	cmd_prepare
	local p n=0 bad=0 out findings
	while read -r p; do
		n=$((n + 1))
		out=$(cd "$src" && perl scripts/checkpatch.pl "$qdir/patches/$p" 2>&1) || true
		findings=$(grep -E '^(ERROR|WARNING): ' <<<"$out" | grep -vxF -f <(allowed_findings "$p" | sed 's/^/WARNING: /') || true)
		if [ -z "$findings" ]; then
			echo "checkpatch: $p: clean"
		else
			bad=$((bad + 1))
			echo "$out"
			echo "checkpatch: $p: NOT clean"
		fi
	done < <(series_patches)
	[ $bad -eq 0 ] || die "checkpatch: $bad of $n patches not clean (above)"
	echo "checkpatch: $n patches clean"
}

# The series' qtests, listed in qemu/qtests (one meson test name a line).
cmd_test() {
	cmd_build
	local t rc=0 n=0
	while read -r t; do
		ninja -C "$out" -j"$jobs" "tests/qtest/$t" >>"$cache/build.log" 2>&1 ||
			die "building tests/qtest/$t failed (log: $cache/build.log)"
		if QTEST_QEMU_BINARY=$(binary) "$out/tests/qtest/$t" --tap; then
			n=$((n + 1))
		else
			rc=1
			echo "test: qtest $t failed" >&2
		fi
	done < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$qdir/qtests")
	[ $rc -eq 0 ] || die "test: qtests failed (above)"
	echo "test: $n qtest programs passed"
}

case "${1:-}" in
-h | --help | help | "") usage ;;
prepare) cmd_prepare ;;
build) cmd_build ;;
checkpatch) cmd_checkpatch ;;
test) cmd_test ;;
path) cmd_path ;;
*) die "unknown step '$1' (see --help)" ;;
esac
