#!/usr/bin/env bash
# Provision a guest so that zc-compositor is its session: installs the udev
# rule that names the display (virtio-gpu) and render (VF) devices and a
# systemd unit that runs zcd-session.sh on tty1 instead of a login prompt.
# Run inside the guest, from its checkout of zcdisplay (built with ./zcd build),
# or with --target on a guest image mounted on the host.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
zcd_prog="vm/guest/install.sh"
# shellcheck source=vm/lib/common.sh
. "$here/../lib/common.sh"

usage() {
	cat <<'USAGE'
usage: vm/guest/install.sh [options]

Installs 61-zcd-gpu-roles.rules and zcd-session.service into the guest.
  --user NAME       user the session runs as (default zcd; must exist, in groups video,render,input)
  --checkout DIR    the checkout path as the guest sees it (default: this checkout)
  --target DIR      root of the guest file system (default /)
  --no-enable       install the unit but do not enable it
  --dry-run         print what would be written and run
  -h, --help        this text
USAGE
}

user=zcd checkout=$(cd "$here/../.." && pwd) target=/ enable=1 dry_run=0
need() { [ $# -ge 2 ] || die "$1 needs a value (see --help)"; }
while [ $# -gt 0 ]; do
	case "$1" in
	-h | --help) usage; exit 0 ;;
	--user) need "$@"; user=$2; shift 2 ;;
	--checkout) need "$@"; checkout=$2; shift 2 ;;
	--target) need "$@"; target=$2; shift 2 ;;
	--no-enable) enable=0; shift ;;
	--dry-run) dry_run=1; shift ;;
	*) die "unknown option '$1' (see --help)" ;;
	esac
done
[[ $user =~ ^[a-z_][a-z0-9_-]*$ ]] || die "--user '$user' is not a user name"
[[ $checkout == /* ]] || die "--checkout '$checkout' must be an absolute path"
[ -d "$target" ] || die "--target $target is not a directory"

target=${target%/}
rules_dst=$target/etc/udev/rules.d/61-zcd-gpu-roles.rules
unit_dst=$target/etc/systemd/system/zcd-session.service
unit=$(sed -e "s|@ZCD_ROOT@|$checkout|g" -e "s|@USER@|$user|g" "$here/zcd-session.service.in")

if [ $dry_run -eq 1 ]; then
	echo "install $here/61-zcd-gpu-roles.rules -> $rules_dst"
	echo "write $unit_dst:"
	echo "$unit"
	[ $enable -eq 0 ] || echo "systemctl --root=${target:-/} enable zcd-session.service; set-default graphical.target"
	exit 0
fi
if [ -z "$target" ] && ! getent passwd "$user" >/dev/null; then
	die "user $user does not exist (useradd -m -G video,render,input $user)"
fi
install -D -m 644 "$here/61-zcd-gpu-roles.rules" "$rules_dst"
mkdir -p "$(dirname "$unit_dst")"
printf '%s\n' "$unit" >"$unit_dst"
if [ $enable -eq 1 ]; then
	command -v systemctl >/dev/null || die "systemctl not found: is this a systemd guest?"
	systemctl --root="${target:-/}" enable zcd-session.service
	systemctl --root="${target:-/}" set-default graphical.target
fi
echo "$zcd_prog: installed; reboot the guest (or: udevadm trigger; systemctl start zcd-session)"
