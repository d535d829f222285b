# shellcheck shell=bash
# Helpers shared by the VM scripts (sourced, never executed).
#
# Everything here asks the machine or QEMU instead of assuming: the scripts
# run on real Xe hosts, on CI hosts without KVM, and inside the emulated guest.

# The program name used as prefix of one-line errors; scripts set it.
zcd_prog=${zcd_prog:-zcd vm}

die() {
	echo "$zcd_prog: $*" >&2
	exit 2
}

note() { echo "$zcd_prog: $*" >&2; }

# start_vm LIMIT_S QEMU_LOG CONSOLE_LOG COPY_CONSOLE QEMU ARGS...: starts a
# test VM in the background under a time limit (TERM at LIMIT_S, KILL 10 s
# later, so a guest that hangs never hangs the test); with COPY_CONSOLE=1
# the guest console is copied to stderr as it is written.  Sets vm_pid and
# vm_tail_pid; stop_vm undoes it, wait_vm waits for it.
start_vm() {
	local limit=$1 qemu_log=$2 console_log=$3 copy_console=$4
	shift 4
	timeout --kill-after=10 "$limit" "$@" 2>"$qemu_log" &
	vm_pid=$!
	vm_tail_pid=""
	if [ "$copy_console" -eq 1 ]; then
		tail -F "$console_log" 2>/dev/null >&2 &
		vm_tail_pid=$!
	fi
}

# stop_vm: kills what start_vm started; harmless when it has ended.
stop_vm() {
	[ -z "${vm_tail_pid:-}" ] || kill "$vm_tail_pid" 2>/dev/null || true
	[ -z "${vm_pid:-}" ] || kill "$vm_pid" 2>/dev/null || true
}

# wait_vm LIMIT_S QEMU_LOG: waits for the VM start_vm started, sets vm_rc
# to its status and, when the guest did not end it, says why in one line.
wait_vm() {
	vm_rc=0
	wait "$vm_pid" || vm_rc=$?
	case $vm_rc in
	0) ;;
	124 | 137) note "the VM hit the ${1}s limit and was stopped" ;;
	*) note "QEMU exited with status $vm_rc: $(tail -n 1 "$2")" ;;
	esac
}

# qemu_binary: the QEMU to use ($ZCD_QEMU or qemu-system-x86_64 on PATH).
qemu_binary() { echo "${ZCD_QEMU:-qemu-system-x86_64}"; }

# project_qemu: the project's QEMU (qemu/, ./zcd qemu build), with the seed's
# vfio dma-buf blob path; $ZCD_QEMU overrides it.
project_qemu() { echo "${ZCD_QEMU:-${ZCD_CACHE:-/var/cache/zcdisplay}/qemu/build/qemu-system-x86_64}"; }

# qemu_version QEMU: prints "MAJOR.MINOR.PATCH" of QEMU.
qemu_version() {
	"$1" --version 2>/dev/null | sed -nE '1s/.*version ([0-9]+\.[0-9]+(\.[0-9]+)?).*/\1/p'
}

# version_ge A B: true when version A >= version B (dotted numbers).
version_ge() {
	[ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n 1)" = "$2" ]
}

# QEMU's device list, asked once per binary (each ask starts QEMU).
qemu_devices_of="" qemu_devices=""

# qemu_has_device QEMU NAME: QEMU knows the device model NAME.
qemu_has_device() {
	if [ "$qemu_devices_of" != "$1" ]; then
		qemu_devices=$("$1" -device help 2>&1 || true)
		qemu_devices_of=$1
	fi
	grep -qE "^name \"$2\"" <<<"$qemu_devices"
}

# qemu_device_missing_props QEMU DEVICE PROP...: prints the PROPs the device
# model lacks, one per line.
qemu_device_missing_props() {
	local help p
	help=$("$1" -device "$2,help" 2>&1 || true)
	for p in "${@:3}"; do
		grep -qE "^ +$p=" <<<"$help" || echo "$p"
	done
}

# qemu_has_object QEMU TYPE: QEMU knows the -object type TYPE.
qemu_has_object() {
	"$1" -object help 2>&1 | grep -qxE " *$2"
}

# qemu_has_display QEMU NAME: QEMU was built with the display backend NAME.
qemu_has_display() {
	"$1" -display help 2>&1 | grep -qxE " *$2"
}

# qemu_has_accel QEMU NAME: QEMU was built with the accelerator NAME.
qemu_has_accel() {
	"$1" -accel help 2>&1 | grep -qxE " *$2"
}

# qemu_has_qtest_accel QEMU: QEMU has the qtest accelerator.  `-accel help`
# never lists it (QEMU omits it there), so ask QEMU to start with it and quit.
qemu_has_qtest_accel() {
	printf '{"execute":"qmp_capabilities"}\n{"execute":"quit"}\n' |
		timeout 30 "$1" -machine none -accel qtest -qtest null -qmp stdio -display none -nodefaults >/dev/null 2>&1
}

# shell_word WORD: WORD quoted for a shell only when it needs it, so QEMU's
# comma-separated options stay readable.
shell_word() {
	if [[ $1 =~ ^[A-Za-z0-9_,.=:/@%+-]+$ ]]; then
		printf '%s' "$1"
	else
		printf '%q' "$1"
	fi
}

# print_cmdline ARGS...: one option per line, continued with backslashes, so
# a dry run can be copied and pasted.
print_cmdline() {
	local first=1 a
	for a in "$@"; do
		if [ $first -eq 1 ]; then
			shell_word "$a"
			first=0
		elif [[ $a == -* ]]; then
			printf ' \\\n    '
			shell_word "$a"
		else
			printf ' '
			shell_word "$a"
		fi
	done
	printf '\n'
}

# parse_wxh VALUE: checks WxH and prints "W H".
parse_wxh() {
	[[ $1 =~ ^([1-9][0-9]*)x([1-9][0-9]*)$ ]] || return 1
	echo "${BASH_REMATCH[1]} ${BASH_REMATCH[2]}"
}

# pci_addr_valid ADDR: a full PCI address DDDD:BB:DD.F.
pci_addr_valid() {
	[[ $1 =~ ^[0-9a-fA-F]{4}:[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.[0-7]$ ]]
}
