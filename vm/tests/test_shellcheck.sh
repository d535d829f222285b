#!/usr/bin/env bash
# Every VM script is shellcheck-clean and answers --help with exit 0.
# shellcheck source=vm/tests/lib.sh
. "$(dirname "$0")/lib.sh"
mapfile -t scripts < <(cd "$vm_dir/.." && grep -rlE '^#!/usr/bin/env bash' vm | sort)
[ ${#scripts[@]} -ge 8 ] || fail "found only ${#scripts[@]} scripts under vm/"
(cd "$vm_dir/.." && shellcheck -x "${scripts[@]}" vm/lib/common.sh vm/host/sysfs.sh) || fail "shellcheck"
for s in "${scripts[@]}"; do
	case "$s" in vm/tests/*) continue ;; esac
	"$vm_dir/../$s" --help >/dev/null 2>&1 || fail "$s --help did not exit 0"
done
done_testing
