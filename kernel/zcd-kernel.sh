#!/usr/bin/env bash
# The kernel series: extract Debian's tree of the series' kernel line into the cache,
# apply kernel/patches with git am, build, test and check it.
# Called as ./zcd kernel <step>; see usage().
set -euo pipefail

usage() {
	cat <<'USAGE'
usage: ./zcd kernel <step>

  prepare     extract the base kernel tree into $ZCD_CACHE/kernel/src (once) and
              apply kernel/patches/series on branch zcd (skipped when the
              package version and the series are unchanged)
  kunit       build (when needed) and run the series' KUnit suites under UML
  checkpatch  scripts/checkpatch.pl (strict mode) on every patch in the series
  docs        kernel-doc -Wall on the new files, and their Documentation wiring
  build-vm    x86_64 bzImage + modules for the emulated VM guest
              (tinyconfig + kernel/configs/vm-guest.config)
  build-xe    x86_64 compile check of drm/xe (=m), vfio-pci and dma-buf with
              the series (kernel/configs/xe-host.config), plus W=1 on the
              series' own directories
  build-each  compile the series one patch at a time (is every patch
              buildable on its own?), in a worktree of its own, with the
              build-xe configuration
  test        kunit + checkpatch + docs, and build-xe when its inputs changed;
              ends with "zcd-summary: ran=N failed=N skipped=N"

Outputs: $ZCD_CACHE/kernel/{src,out-kunit,out-vm,out-xe,wt-each,out-each}; see kernel/README.md.
USAGE
}

die() {
	echo "zcd kernel: $*" >&2
	exit 1
}

: "${ZCD_ROOT:=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
: "${ZCD_CACHE:=/var/cache/zcdisplay}"
# Where Debian's linux-source packages put their tarball (tests use a fake one).
usr_src=${ZCD_KERNEL_SRC:-/usr/src}
kdir=$ZCD_ROOT/kernel
cache=$ZCD_CACHE/kernel
src=$cache/src
jobs=2
git_id=(-c user.name="zcdisplay developers" -c user.email=dev@zcdisplay.invalid)

export CCACHE_DIR=$ZCD_CACHE/ccache
# kmake_in TREE ARGS...: make in a kernel tree (the series' or a worktree).
kmake_in() {
	local tree=$1
	shift
	make -C "$tree" -j"$jobs" CC="ccache gcc" HOSTCC="ccache gcc" "$@"
}
kmake=(kmake_in "$src")

# --- inputs --------------------------------------------------------------

# kernel/base-line names the Debian package and the kernel line the series is
# written for ("linux-source-7.3 7.3"), never one package version: security
# updates replace versions, and any 7.3.y the registry serves is taken as long
# as the series applies to it.
read -r base_pkg base_line <"$kdir/base-line"
base_version=

check_base() {
	local have
	have=$(dpkg-query -W -f='${Version}' "$base_pkg" 2>/dev/null || true)
	[ -n "$have" ] || die "$base_pkg is not installed; run ./zcd setup"
	case "$have" in
	"$base_line" | "$base_line".* | "$base_line"-*) ;;
	*) die "$base_pkg $have is not on the $base_line line the series is written for; see kernel/README.md, 'When the registry moves'" ;;
	esac
	[ -f "$usr_src/$base_pkg.tar.xz" ] || die "$usr_src/$base_pkg.tar.xz is missing; reinstall $base_pkg"
	base_version=$have
}

# The patch files listed in series, in order (comments and blanks skipped).
series_patches() {
	sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$kdir/patches/series"
}

series_key() {
	{
		echo "$base_pkg $base_version"
		local p
		while read -r p; do
			[ -f "$kdir/patches/$p" ] || die "series lists $p but kernel/patches/$p does not exist"
			echo "$p $(sha256sum <"$kdir/patches/$p" | cut -d' ' -f1)"
		done < <(series_patches)
	} | sha256sum | cut -d' ' -f1
}

file_hash() { sha256sum <"$1" | cut -d' ' -f1; }

tree_commit() { git -C "$src" rev-parse HEAD; }
# Builds key on the tree's content, so a commit-message-only change of the
# series does not invalidate them.
tree_id() { git -C "$src" rev-parse 'HEAD^{tree}'; }

# --- prepare -------------------------------------------------------------

extract_base() {
	local tmp=$cache/src.tmp
	echo "prepare: extracting $usr_src/$base_pkg.tar.xz (once)"
	rm -rf "$tmp"
	mkdir -p "$tmp"
	tar -xJf "$usr_src/$base_pkg.tar.xz" -C "$tmp" --strip-components=1
	git -C "$tmp" init -q
	# Debian's top-level .gitignore ignores everything ("/*"): force.
	git -C "$tmp" add -f -A
	git -C "$tmp" "${git_id[@]}" commit -q -m "$base_pkg $base_version"
	git -C "$tmp" tag base
	git -C "$tmp" branch -q -m zcd-base-import
	mv "$tmp" "$src"
	echo "$base_version" >"$cache/src.version"
}

cmd_prepare() {
	# Once per run: steps call it again (also from subshells, which must not
	# wait for the lock their parent holds).
	[ -z "${zcd_prepared:-}" ] || return 0
	check_base
	mkdir -p "$cache"
	exec 9>"$cache/.prepare.lock"
	flock 9
	# A new package version (a security update) is a new base: extract it
	# again; the series is re-applied below because the key changes.
	if [ -d "$src/.git" ] && [ "$(cat "$cache/src.version" 2>/dev/null)" != "$base_version" ]; then
		echo "prepare: $base_pkg is now $base_version (tree was $(cat "$cache/src.version" 2>/dev/null || echo unknown)): extracting it"
		git -C "$src" worktree list --porcelain | sed -n 's/^worktree //p' | tail -n +2 | xargs -r rm -rf
		rm -rf "$src"
	fi
	[ -d "$src/.git" ] || extract_base
	local key stamp=$cache/prepared
	key=$(series_key)
	if [ -f "$stamp" ] && [ "$(head -n1 "$stamp")" = "$key" ] &&
		[ "$(sed -n 2p "$stamp")" = "$(tree_commit)" ] &&
		git -C "$src" diff --quiet HEAD; then
		echo "prepare: up to date (series $(echo "$key" | cut -c1-12), tree $(tree_commit | cut -c1-12))"
		zcd_prepared=1
		return
	fi
	# Re-applying rewrites every file the series touches.  Remember the
	# timestamps of a clean tree, to give back those of files whose content
	# comes out the same: a reworded commit message or one changed patch
	# must not rebuild everything that includes dma-buf.h.
	local old_head mtimes=$cache/series.mtimes f mtime
	old_head=$(tree_commit)
	: >"$mtimes"
	if git -C "$src" diff --quiet HEAD; then
		git -C "$src" diff --name-only refs/tags/base "$old_head" | while read -r f; do
			[ ! -f "$src/$f" ] || printf '%s %s\n' "$(stat -c %Y "$src/$f")" "$f"
		done >"$mtimes"
	fi
	# Other helpers may keep worktrees of this repository; drop stale ones
	# and do not fail because one of them has branch zcd checked out.
	git -C "$src" worktree prune
	git -C "$src" am --abort >/dev/null 2>&1 || true
	# Only files the series touches change, so incremental builds stay valid.
	git -C "$src" checkout -q -f --ignore-other-worktrees -B zcd refs/tags/base
	local p n=0
	while read -r p; do
		git -C "$src" "${git_id[@]}" am -q "$kdir/patches/$p" >"$cache/am.log" 2>&1 ||
			die "patch $p does not apply to $base_pkg $base_version: rebase the series (kernel/README.md, 'When the registry moves'; git am log: $cache/am.log)"
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
	echo "prepare: applied $n patches, tree $(tree_commit | cut -c1-12) ($kept unchanged files keep their timestamps)"
	zcd_prepared=1
}

# --- builds --------------------------------------------------------------

# stamp_ok NAME KEY: true when build NAME last succeeded with KEY.
stamp_ok() { [ -f "$cache/$1.stamp" ] && [ "$(cat "$cache/$1.stamp")" = "$2" ]; }
stamp_set() { echo "$2" >"$cache/$1.stamp"; }

# configure OUT FRAGMENT [TREE [lenient]]: tinyconfig + fragment, and every
# =y/=m line of the fragment must survive olddefconfig (a silently dropped
# option is an error), unless "lenient": a tree in the middle of the series
# lacks the options later patches add.  TREE defaults to the series' tree.
configure() {
	local out=$1 frag=$2 tree=${3:-$src} lenient=${4:-} line missing=()
	mkdir -p "$out"
	kmake_in "$tree" O="$out" ARCH=x86_64 tinyconfig >/dev/null
	"$tree/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" "$frag" >/dev/null
	kmake_in "$tree" O="$out" ARCH=x86_64 olddefconfig >/dev/null
	[ -z "$lenient" ] || return 0
	while read -r line; do
		grep -qx "$line" "$out/.config" || missing+=("$line")
	done < <(grep -E '^CONFIG_[A-Z0-9_]+=[ym]$' "$frag")
	[ ${#missing[@]} -eq 0 ] ||
		die "$(basename "$frag"): not set after olddefconfig (dependency missing?): ${missing[*]}"
}

cmd_build_vm() {
	cmd_prepare
	local out=$cache/out-vm frag=$kdir/configs/vm-guest.config key
	key="$(tree_id) $(file_hash "$frag")"
	if stamp_ok vm "$key" && [ -f "$out/arch/x86/boot/bzImage" ]; then
		echo "build-vm: up to date: $out/arch/x86/boot/bzImage"
		return
	fi
	local t0=$SECONDS
	configure "$out" "$frag"
	"${kmake[@]}" O="$out" ARCH=x86_64 bzImage modules
	rm -rf "$out/modules-root"
	"${kmake[@]}" O="$out" ARCH=x86_64 INSTALL_MOD_PATH="$out/modules-root" \
		INSTALL_MOD_STRIP=1 modules_install >/dev/null
	stamp_set vm "$key"
	echo "build-vm: $out/arch/x86/boot/bzImage and modules in $out/modules-root ($((SECONDS - t0)) s)"
}

# Directories the series touches: compiled with W=1 in build-xe.
series_dirs=(drivers/dma-buf/ drivers/vfio/pci/)

cmd_build_xe() {
	cmd_prepare
	local out=$cache/out-xe frag=$kdir/configs/xe-host.config key log
	key="$(tree_id) $(file_hash "$frag")"
	if stamp_ok xe "$key"; then
		echo "build-xe: up to date (tree $(tree_commit | cut -c1-12))"
		return
	fi
	local t0=$SECONDS
	configure "$out" "$frag"
	grep -qx 'CONFIG_DRM_XE=m' "$out/.config" || die "build-xe: CONFIG_DRM_XE=m did not survive olddefconfig"
	# Compile only: the objects of xe.ko (as a module) and of what the
	# series changes; no vmlinux, no hardware.
	"${kmake[@]}" O="$out" ARCH=x86_64 drivers/gpu/drm/xe/ drivers/vfio/ "${series_dirs[@]}"
	# W=1 on the series' directories (kbuild recompiles because the flags
	# change): no warning may point into a file the series touches.
	log=$out/w1.log
	"${kmake[@]}" O="$out" ARCH=x86_64 W=1 "${series_dirs[@]}" >"$log" 2>&1 ||
		{ tail -n 40 "$log" >&2; die "build-xe: W=1 build failed (log: $log)"; }
	local touched
	touched=$(git -C "$src" diff --name-only refs/tags/base HEAD | grep -E '\.[ch]$' || true)
	if grep -E 'warning:' "$log" | grep -F -f <(echo "$touched"); then
		die "build-xe: W=1 warnings in files the series touches (log: $log)"
	fi
	stamp_set xe "$key"
	echo "build-xe: drm/xe (=m), vfio-pci and dma-buf compiled, W=1 clean ($((SECONDS - t0)) s)"
}

# --- every patch on its own -------------------------------------------------

# Kbuild directories the series adds code to; each patch's build compiles
# the ones that exist at that point.
each_dirs=(drivers/dma-buf/ drivers/vfio/ drivers/gpu/drm/xe/)

cmd_build_each() {
	cmd_prepare
	local wt=$cache/wt-each out=$cache/out-each frag=$kdir/configs/xe-host.config key
	key="$(tree_id) $(file_hash "$frag")"
	if stamp_ok each "$key"; then
		echo "build-each: up to date (every patch of tree $(tree_commit | cut -c1-12) compiled)"
		return
	fi
	local t0=$SECONDS commits c n=0 subject log=$out/each.log
	# A worktree of its own: the series' tree stays at its last patch, so
	# the other builds' objects stay valid.
	git -C "$src" worktree prune
	[ -e "$wt/.git" ] || git -C "$src" worktree add -q --detach "$wt" refs/tags/base
	mapfile -t commits < <(git -C "$src" rev-list --reverse refs/tags/base..zcd)
	for c in "${commits[@]}"; do
		n=$((n + 1))
		subject=$(git -C "$src" log -1 --format=%s "$c")
		# checkout rewrites only the files that differ: builds stay incremental.
		git -C "$wt" checkout -q --detach "$c"
		# Reconfigured at every patch: Kconfig options appear with the
		# patches that add them (an unchanged result rebuilds nothing).
		configure "$out" "$frag" "$wt" lenient
		local dirs=() d
		for d in "${each_dirs[@]}"; do [ -d "$wt/$d" ] && dirs+=("$d"); done
		if ! kmake_in "$wt" O="$out" ARCH=x86_64 "${dirs[@]}" >"$log" 2>&1; then
			grep -E 'error|warning' "$log" | head -n 20 >&2
			die "build-each: patch $n/${#commits[@]} does not build on its own: $subject (log: $log)"
		fi
		if grep -E '(error|warning):' "$log" >&2; then
			die "build-each: patch $n/${#commits[@]} builds with warnings: $subject (log: $log)"
		fi
		echo "build-each: $n/${#commits[@]} compiles: $subject"
	done
	stamp_set each "$key"
	echo "build-each: all ${#commits[@]} patches compile on their own ($((SECONDS - t0)) s)"
}

# --- KUnit ---------------------------------------------------------------

cmd_kunit() {
	cmd_prepare
	local conf=$kdir/configs/kunit.config out=$cache/out-kunit key glob log
	local ran=0 failed=0 skipped=0 rc=0
	key="$(tree_id) $(file_hash "$conf")"
	cd "$src"
	if ! stamp_ok kunit "$key" || [ ! -x "$out/linux" ]; then
		local t0=$SECONDS
		echo "kunit: building UML kernel in $out"
		python3 tools/testing/kunit/kunit.py build --kunitconfig="$conf" \
			--build_dir="$out" --jobs="$jobs" --make_options CC="ccache gcc" >"$cache/kunit-build.log" 2>&1 ||
			{ tail -n 40 "$cache/kunit-build.log" >&2; die "kunit: UML build failed (log: $cache/kunit-build.log)"; }
		stamp_set kunit "$key"
		echo "kunit: built in $((SECONDS - t0)) s"
	fi
	# One run per suite glob: the kernel's filter takes a single glob. A line
	# may name the option that builds the suite; when the configuration
	# lacks it the suite is reported as not built (and not counted).
	local need
	while read -r glob need; do
		if [ -n "$need" ] && ! grep -qx "$need=y" "$out/.config"; then
			echo "kunit: $glob: not in this build ($need is not set in configs/kunit.config; see kernel/README.md)"
			continue
		fi
		log=$cache/kunit-$(echo "$glob" | tr -c 'a-zA-Z0-9_\n' '_').log
		python3 tools/testing/kunit/kunit.py exec --build_dir="$out" \
			--timeout=300 "$glob" >"$log" 2>&1 || rc=1
		grep -E '\[(PASSED|FAILED|SKIPPED|CRASHED)\]' "$log" | sed 's/^\[[0-9:]*\] //' || true
		local line
		line=$(grep -E 'Ran [0-9]+ tests' "$log" | tail -n1 || true)
		if [ -z "$line" ]; then
			echo "kunit: no result for '$glob' (log: $log)" >&2
			failed=$((failed + 1))
			continue
		fi
		local r f c s
		r=$(sed -nE 's/.*Ran ([0-9]+) tests.*/\1/p' <<<"$line")
		f=$(sed -nE 's/.*failed: ([0-9]+).*/\1/p' <<<"$line")
		c=$(sed -nE 's/.*crashed: ([0-9]+).*/\1/p' <<<"$line")
		s=$(sed -nE 's/.*skipped: ([0-9]+).*/\1/p' <<<"$line")
		[ "$r" -gt 0 ] || { echo "kunit: glob '$glob' ran no test" >&2; failed=$((failed + 1)); }
		ran=$((ran + r - ${s:-0}))
		failed=$((failed + ${f:-0} + ${c:-0}))
		skipped=$((skipped + ${s:-0}))
	done < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$kdir/configs/kunit-suites")
	cd - >/dev/null
	echo "$ran $failed $skipped" >"$cache/kunit.counts"
	echo "kunit: ran $ran, failed $failed, skipped $skipped"
	[ "$rc" -eq 0 ] && [ "$failed" -eq 0 ]
}

# --- checkpatch ----------------------------------------------------------

cmd_checkpatch() {
	cmd_prepare
	local p n=0 bad=0 out ignore key
	mkdir -p "$cache/checkpatch"
	while read -r p; do
		# Allowlist: "<patch> <TYPE> <reason>" lines, justified in the patch.
		ignore=$(awk -v p="$p" '$1 == p { printf "%s%s", sep, $2; sep="," }' \
			"$kdir/checkpatch-allowlist" 2>/dev/null || true)
		# The verdict depends only on the patch, the ignored types and the
		# pinned tree's checkpatch: a clean one is not checked again.
		key=$(cat "$kdir/patches/$p" <(echo "$ignore $base_version in-tree") | sha256sum | cut -d' ' -f1)
		n=$((n + 1))
		if [ -f "$cache/checkpatch/$key" ]; then
			echo "checkpatch: $p: clean (cached verdict)"
			continue
		fi
		# Debian's python3 first: checkpatch runs spdxcheck.py, which needs
		# python3-ply and python3-git (a pyenv python on PATH lacks them).
		# From inside the kernel tree: run from another git checkout (a
		# clone of this repository), checkpatch reads the patch differently
		# and reports its blank context lines as trailing whitespace.
		out=$(cd "$src" && PATH=/usr/bin:$PATH ./scripts/checkpatch.pl --root=. --strict --show-types \
			${ignore:+--ignore "$ignore"} "$kdir/patches/$p" 2>&1) || true
		if grep -q '^total: 0 errors, 0 warnings, 0 checks' <<<"$out"; then
			echo "checkpatch: $p: clean"
			touch "$cache/checkpatch/$key"
		else
			bad=$((bad + 1))
			echo "$out"
			echo "checkpatch: $p: NOT clean"
		fi
	done < <(series_patches)
	echo "$n $bad" >"$cache/checkpatch.counts"
	echo "checkpatch: $n patches, $bad not clean"
	[ "$bad" -eq 0 ]
}

# --- docs ----------------------------------------------------------------

# New files with kernel-doc, and the Documentation page that must pull them in.
doc_files=(
	include/linux/dma-buf-interconnect.h
	drivers/dma-buf/dma-buf-interconnect.c
	drivers/dma-buf/dma-buf-iov.c
)
doc_page=Documentation/driver-api/dma-buf.rst

cmd_docs() {
	cmd_prepare
	local f out bad=0
	cd "$src"
	for f in "${doc_files[@]}"; do
		[ -f "$f" ] || { echo "docs: $f missing from the tree"; bad=1; continue; }
		out=$(./scripts/kernel-doc -none -Wall "$f" 2>&1)
		if [ -n "$out" ]; then
			echo "$out"
			bad=1
		fi
		grep -q "kernel-doc:: $f" "$doc_page" || { echo "docs: $doc_page does not include $f"; bad=1; }
	done
	cd - >/dev/null
	if [ "$bad" -ne 0 ]; then
		echo "docs: kernel-doc NOT clean"
		return 1
	fi
	echo "docs: ${#doc_files[@]} files, kernel-doc -Wall clean, all in $doc_page"
}

# --- test ----------------------------------------------------------------

cmd_test() {
	local t0=$SECONDS ran=0 failed=0 skipped=0 r f s
	cmd_prepare
	# Each step runs in a subshell so that a failing one (die) is counted
	# and the summary line is still printed.
	rm -f "$cache/kunit.counts" "$cache/checkpatch.counts"
	(cmd_kunit) || true
	if [ -f "$cache/kunit.counts" ]; then
		read -r r f s <"$cache/kunit.counts"
		ran=$((ran + r)) failed=$((failed + f)) skipped=$((skipped + s))
	else
		failed=$((failed + 1))
	fi
	(cmd_checkpatch) || true
	if [ -f "$cache/checkpatch.counts" ]; then
		read -r r f <"$cache/checkpatch.counts"
		ran=$((ran + r)) failed=$((failed + f))
	else
		failed=$((failed + 1))
	fi
	ran=$((ran + 1))
	(cmd_docs) || failed=$((failed + 1))
	# The Xe compile check costs minutes cold: run it only when its inputs
	# (tree, fragment) changed since the last successful one.
	local key
	key="$(tree_id) $(file_hash "$kdir/configs/xe-host.config")"
	if ! stamp_ok xe "$key"; then
		ran=$((ran + 1))
		(cmd_build_xe) || failed=$((failed + 1))
	else
		echo "build-xe: up to date, not rerun"
	fi
	echo "kernel test: $((SECONDS - t0)) s"
	echo "zcd-summary: ran=$ran failed=$failed skipped=$skipped"
	[ "$failed" -eq 0 ]
}

case "${1:-}" in
-h | --help | help) usage ;;
prepare) cmd_prepare ;;
kunit) cmd_kunit ;;
checkpatch) cmd_checkpatch ;;
docs) cmd_docs ;;
build-vm) cmd_build_vm ;;
build-xe) cmd_build_xe ;;
build-each) cmd_build_each ;;
test) cmd_test ;;
"") usage >&2; exit 2 ;;
*) echo "zcd kernel: unknown step '$1' (see ./zcd kernel --help)" >&2; exit 2 ;;
esac
