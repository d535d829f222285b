#!/usr/bin/env bash
# The series' base is a kernel line: any version of it the registry serves is
# taken, a version of another line or a series that does not apply fails
# with one line that names the version (and the patch), and a new version of
# the line is extracted again.  Runs zcd-kernel.sh prepare against a fake
# linux-source package (a small tarball and a dpkg-query stand-in).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../../vm/tests/lib.sh
. "$here/../../vm/tests/lib.sh"

root=$tmp/root
mkdir -p "$root/kernel/patches" "$tmp/bin" "$tmp/usr-src" "$tmp/cache"
cp "$here/../zcd-kernel.sh" "$root/kernel/"
echo "linux-source-7.3 7.3" >"$root/kernel/base-line"

# fake_package VERSION GREETING: the installed linux-source-7.3 is VERSION
# and its tarball's README says GREETING.
fake_package() {
	cat >"$tmp/bin/dpkg-query" <<DPKG
#!/bin/sh
printf '%s' '$1'
DPKG
	chmod +x "$tmp/bin/dpkg-query"
	rm -rf "$tmp/tree"
	mkdir -p "$tmp/tree/linux-source-7.3"
	printf 'line one\n%s\nline three\n' "$2" >"$tmp/tree/linux-source-7.3/README"
	tar -cJf "$tmp/usr-src/linux-source-7.3.tar.xz" -C "$tmp/tree" linux-source-7.3
}

# make_patch NAME OLD NEW: a git format-patch file changing README's line 2.
make_patch() {
	cat >"$root/kernel/patches/$1" <<PATCH
From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001
From: Test <test@example.invalid>
Date: Thu, 1 Jan 2026 00:00:00 +0000
Subject: [PATCH] $1

---
 README | 2 +-
 1 file changed, 1 insertion(+), 1 deletion(-)

diff --git a/README b/README
--- a/README
+++ b/README
@@ -1,3 +1,3 @@
 line one
-$2
+$3
 line three
-- 
2.39.5
PATCH
}

prepare() {
	PATH=$tmp/bin:$PATH ZCD_ROOT=$root ZCD_CACHE=$tmp/cache ZCD_KERNEL_SRC=$tmp/usr-src \
		"$root/kernel/zcd-kernel.sh" prepare
}

make_patch 0001-greet.patch hello goodbye
echo 0001-greet.patch >"$root/kernel/patches/series"

# Another kernel line is refused in one line that says what to do.
fake_package 7.4.1-1 hello
rc=0
out=$(prepare 2>&1 >/dev/null) || rc=$?
expect_status 1 "$rc" "7.4 package"
[ "$(wc -l <<<"$out")" -eq 1 ] || fail "7.4 package: expected one error line, got: $out"
expect_contains "$out" "7.4.1-1 is not on the 7.3 line" "7.4 package"
expect_contains "$out" "When the registry moves" "7.4 package"

# Any 7.3.y is taken.
fake_package 7.3.4-1~bpo13+1 hello
out=$(prepare 2>&1) || fail "7.3.4: prepare failed: $out"
expect_contains "$out" "applied 1 patches" "7.3.4"
expect_contains "$(cat "$tmp/cache/kernel/src/README")" goodbye "7.3.4 tree"

# A security update of the line is extracted again and the series re-applied.
fake_package 7.3.5-1~bpo13+1 hello
out=$(prepare 2>&1) || fail "7.3.5: prepare failed: $out"
expect_contains "$out" "now 7.3.5-1~bpo13+1" "7.3.5"
expect_contains "$out" "applied 1 patches" "7.3.5"
expect_contains "$(cat "$tmp/cache/kernel/src/README")" goodbye "7.3.5 tree"

# Nothing changed: nothing is done.
out=$(prepare 2>&1) || fail "unchanged: prepare failed: $out"
expect_contains "$out" "up to date" "unchanged"

# An update the series no longer applies to: one line naming the version and
# the first patch that does not apply.
fake_package 7.3.6-1~bpo13+1 "hello, world"
rc=0
out=$(prepare 2>&1 >/dev/null) || rc=$?
expect_status 1 "$rc" "7.3.6"
[ "$(wc -l <<<"$out")" -eq 1 ] || fail "7.3.6: expected one error line, got: $out"
expect_contains "$out" "patch 0001-greet.patch does not apply to linux-source-7.3 7.3.6-1~bpo13+1" "7.3.6"

done_testing
