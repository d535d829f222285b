#!/usr/bin/env bash
# `./zcd vm <step>`: the VM scripts of zcdisplay (see vm/README.md).
set -euo pipefail

vm_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

usage() {
	cat <<'USAGE'
usage: ./zcd vm <step> [options]

  host-setup      real host: enable VFs on an Xe PF, provision them, bind one to vfio-pci
  run             real host: preflight, then QEMU with the VF and virtio-gpu blob (--dry-run)
  preflight       real host: only the preflight checks of `run`
  emulated-test   CI: the series' kernel under QEMU TCG with an emulated SR-IOV device;
                  runs the kernel-path and compositor checks, then chain-test; ends with a
                  zcd-summary line
  chain-test      CI: the seed chain in a VM of its own (intel-iommu, the project's QEMU
                  inside, an inner machine over qtest); run by emulated-test
  kernel-bench    bench: a VM of its own with QEMU's emulated IOMMU; times the IOV interconnect
                  map against the legacy DMA map of a 64 MiB VF dma-buf (kernel-bench.json)
  agent           host agent: forward interconnect counters to the guest (virtio-serial)

Each step has its own --help (all of them follow); docs/options.md, "## zcd vm".
USAGE
	local s
	for s in host/host-setup.sh host/run.sh emulated/emulated-test.sh chain/chain-test.sh emulated/kernel-bench.sh host/agent; do
		echo
		"$vm_dir/$s" --help
	done
}

step=${1:-}
[ $# -gt 0 ] && shift
case "$step" in
-h | --help | help | "") usage ;;
host-setup) exec "$vm_dir/host/host-setup.sh" "$@" ;;
run) exec "$vm_dir/host/run.sh" "$@" ;;
preflight) exec "$vm_dir/host/run.sh" --preflight-only "$@" ;;
emulated-test) exec "$vm_dir/emulated/emulated-test.sh" "$@" ;;
chain-test) exec "$vm_dir/chain/chain-test.sh" "$@" ;;
kernel-bench) exec "$vm_dir/emulated/kernel-bench.sh" "$@" ;;
agent) exec "$vm_dir/host/agent" "$@" ;;
*)
	echo "zcd vm: unknown step '$step' (see ./zcd vm --help)" >&2
	exit 2
	;;
esac
