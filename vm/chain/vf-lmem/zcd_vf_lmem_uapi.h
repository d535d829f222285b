/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note */
/*
 * zcd-vf-lmem: the chain's inner-guest driver for the x-sriov-lmem VF
 * (test equipment; vm/chain/vf-lmem/README.md).  One ioctl on
 * /dev/zcd-vf-lmem: export [offset, offset + size) of the VF's memory BAR as
 * a dma-buf, the role Xe's VF driver plays for a buffer in its LMEM.
 */
#ifndef ZCD_VF_LMEM_UAPI_H
#define ZCD_VF_LMEM_UAPI_H

#include <linux/ioctl.h>
#include <linux/types.h>

struct zcd_vf_lmem_export {
	__u64 offset;	/* in: page-aligned offset into the VF's memory BAR */
	__u64 size;	/* in: bytes, page-aligned */
	__u64 phys;	/* out: CPU physical address of the buffer's first byte */
	__s32 fd;	/* out: the dma-buf (O_CLOEXEC | O_RDWR) */
	__u32 flags;	/* in: 0 */
};

#define ZCD_VF_LMEM_EXPORT _IOWR('Z', 0x01, struct zcd_vf_lmem_export)

#endif
