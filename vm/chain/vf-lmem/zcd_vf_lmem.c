// SPDX-License-Identifier: GPL-2.0-only
/*
 * zcd-vf-lmem: a guest driver for the x-sriov-lmem VF that exports dma-bufs
 * over the VF's memory BAR.
 *
 * Test equipment for the seed chain's inner guest (vm/chain/vf-lmem/README.md),
 * not part of the kernel series: it plays the role Xe's VF driver plays in the
 * seed's guest, a buffer in the VF's LMEM shared with drm/virtio, which
 * imports it as a guest blob and scans it out.  The host's QEMU then finds the
 * blob's guest-physical pages in the VF's vfio region.
 *
 * What drm/virtio's import (virtgpu_gem_prime_import) asks of an exporter:
 *  - a dynamic attachment with allow_peer2peer set and invalidate_mappings
 *    (revocable): attach accepts only that, as vfio-pci's exporter does;
 *  - dma_buf_pin() under the reservation lock: BAR memory never moves, so
 *    pin and unpin only count (the import pins around its map);
 *  - map_dma_buf() returning an sg_table whose DMA addresses are what the
 *    virtio-gpu device must be given: virtio-gpu without an IOMMU takes guest
 *    physical addresses.  BAR pages have no struct page, so the table carries
 *    DMA addresses only, built by dma_buf_phys_vec_to_sgt() from the BAR's
 *    p2pdma provider: for two devices below one PCIe switch that is the PCI
 *    bus address of the BAR range, which on x86 is its physical address.
 *
 * /dev/zcd-vf-lmem: ZCD_VF_LMEM_EXPORT exports a page-aligned range of the
 * BAR; the dma-buf can be mmap()ed (write-combined) to draw into it.  Each
 * map, unmap, pin and unpin is logged with the importer and its addresses, so
 * the chain's report shows what drm/virtio was given.
 */
#include <linux/dma-buf.h>
#include <linux/dma-buf-mapping.h>
#include <linux/dma-resv.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/pci-p2pdma.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "zcd_vf_lmem_uapi.h"

MODULE_IMPORT_NS("DMA_BUF");

#define ZCD_VF_LMEM_BAR 2

struct zcd_vf_lmem {
	struct pci_dev *pdev;
	struct p2pdma_provider *provider;
	struct miscdevice misc;
	struct list_head bufs;		/* under zcd_vf_lmem_lock */
};

struct zcd_vf_lmem_buf {
	struct zcd_vf_lmem *vf;		/* NULL once revoked */
	struct dma_buf *dmabuf;
	struct list_head node;		/* in vf->bufs, under zcd_vf_lmem_lock */
	struct phys_vec phys;
	bool revoked;			/* under the dma-buf's resv lock */
};

/* One VF (the chain's); the lock covers it and every buffer list. */
static struct zcd_vf_lmem *zcd_vf_lmem_dev;
static DEFINE_MUTEX(zcd_vf_lmem_lock);

static int zcd_vf_lmem_attach(struct dma_buf *dmabuf,
			      struct dma_buf_attachment *attach)
{
	struct zcd_vf_lmem_buf *buf = dmabuf->priv;

	/* BAR memory: only an importer that can reach a peer's BAR */
	if (!attach->peer2peer)
		return -EOPNOTSUPP;
	if (!dma_buf_attach_revocable(attach))
		return -EOPNOTSUPP;
	if (buf->revoked)
		return -ENODEV;
	return 0;
}

static int zcd_vf_lmem_pin(struct dma_buf_attachment *attach)
{
	dev_info(attach->dev, "zcd-vf-lmem: pin\n");
	return 0;
}

static void zcd_vf_lmem_unpin(struct dma_buf_attachment *attach)
{
	dev_info(attach->dev, "zcd-vf-lmem: unpin\n");
}

static struct sg_table *zcd_vf_lmem_map(struct dma_buf_attachment *attach,
					enum dma_data_direction dir)
{
	struct zcd_vf_lmem_buf *buf = attach->dmabuf->priv;
	struct scatterlist *sg;
	struct sg_table *sgt;
	unsigned int i;

	dma_resv_assert_held(attach->dmabuf->resv);
	if (buf->revoked || !buf->vf)
		return ERR_PTR(-ENODEV);

	sgt = dma_buf_phys_vec_to_sgt(attach, buf->vf->provider, &buf->phys, 1,
				      buf->phys.len, dir);
	if (IS_ERR(sgt)) {
		dev_info(attach->dev, "zcd-vf-lmem: map refused: %ld\n",
			 PTR_ERR(sgt));
		return sgt;
	}
	for_each_sgtable_dma_sg(sgt, sg, i)
		dev_info(attach->dev,
			 "zcd-vf-lmem: map entry %u: dma %pad len %#x (phys %pa)\n",
			 i, &sg_dma_address(sg), sg_dma_len(sg), &buf->phys.paddr);
	return sgt;
}

static void zcd_vf_lmem_unmap(struct dma_buf_attachment *attach,
			      struct sg_table *sgt,
			      enum dma_data_direction dir)
{
	dma_resv_assert_held(attach->dmabuf->resv);
	dma_buf_free_sgt(attach, sgt, dir);
	dev_info(attach->dev, "zcd-vf-lmem: unmap\n");
}

static int zcd_vf_lmem_mmap(struct dma_buf *dmabuf, struct vm_area_struct *vma)
{
	struct zcd_vf_lmem_buf *buf = dmabuf->priv;

	if (buf->revoked)
		return -ENODEV;
	vma->vm_page_prot = pgprot_writecombine(vma->vm_page_prot);
	vm_flags_set(vma, VM_IO | VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP);
	return io_remap_pfn_range(vma, vma->vm_start,
				  PHYS_PFN(buf->phys.paddr) + vma->vm_pgoff,
				  vma->vm_end - vma->vm_start,
				  vma->vm_page_prot);
}

static void zcd_vf_lmem_release(struct dma_buf *dmabuf)
{
	struct zcd_vf_lmem_buf *buf = dmabuf->priv;

	mutex_lock(&zcd_vf_lmem_lock);
	list_del_init(&buf->node);
	mutex_unlock(&zcd_vf_lmem_lock);
	kfree(buf);
}

static const struct dma_buf_ops zcd_vf_lmem_dmabuf_ops = {
	.attach = zcd_vf_lmem_attach,
	.pin = zcd_vf_lmem_pin,
	.unpin = zcd_vf_lmem_unpin,
	.map_dma_buf = zcd_vf_lmem_map,
	.unmap_dma_buf = zcd_vf_lmem_unmap,
	.mmap = zcd_vf_lmem_mmap,
	.release = zcd_vf_lmem_release,
};

static int zcd_vf_lmem_export(struct zcd_vf_lmem *vf,
			      struct zcd_vf_lmem_export *req)
{
	resource_size_t bar_len = pci_resource_len(vf->pdev, ZCD_VF_LMEM_BAR);
	DEFINE_DMA_BUF_EXPORT_INFO(exp);
	struct zcd_vf_lmem_buf *buf;
	struct dma_buf *dmabuf;
	int fd;

	if (req->flags || !req->size || !PAGE_ALIGNED(req->offset) ||
	    !PAGE_ALIGNED(req->size) || req->offset >= bar_len ||
	    req->size > bar_len - req->offset)
		return -EINVAL;

	buf = kzalloc_obj(*buf);
	if (!buf)
		return -ENOMEM;
	buf->vf = vf;
	buf->phys.paddr = pci_resource_start(vf->pdev, ZCD_VF_LMEM_BAR) +
			  req->offset;
	buf->phys.len = req->size;

	exp.ops = &zcd_vf_lmem_dmabuf_ops;
	exp.size = req->size;
	exp.flags = O_RDWR | O_CLOEXEC;
	exp.priv = buf;
	dmabuf = dma_buf_export(&exp);
	if (IS_ERR(dmabuf)) {
		kfree(buf);
		return PTR_ERR(dmabuf);
	}
	buf->dmabuf = dmabuf;
	list_add(&buf->node, &vf->bufs);	/* the caller holds the lock */

	fd = dma_buf_fd(dmabuf, O_CLOEXEC);
	if (fd < 0) {
		dma_buf_put(dmabuf);
		return fd;
	}
	req->fd = fd;
	req->phys = buf->phys.paddr;
	pci_info(vf->pdev, "zcd-vf-lmem: exported BAR %d + %#llx, %llu bytes (phys %pa)\n",
		 ZCD_VF_LMEM_BAR, req->offset, req->size, &buf->phys.paddr);
	return 0;
}

static long zcd_vf_lmem_ioctl(struct file *file, unsigned int cmd,
			      unsigned long arg)
{
	struct zcd_vf_lmem_export req;
	int ret;

	if (cmd != ZCD_VF_LMEM_EXPORT)
		return -ENOTTY;
	if (copy_from_user(&req, (void __user *)arg, sizeof(req)))
		return -EFAULT;
	mutex_lock(&zcd_vf_lmem_lock);
	ret = zcd_vf_lmem_dev ? zcd_vf_lmem_export(zcd_vf_lmem_dev, &req) :
				-ENODEV;
	mutex_unlock(&zcd_vf_lmem_lock);
	if (ret)
		return ret;
	if (copy_to_user((void __user *)arg, &req, sizeof(req)))
		return -EFAULT;	/* the fd stays installed; the caller lost it */
	return 0;
}

static const struct file_operations zcd_vf_lmem_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = zcd_vf_lmem_ioctl,
};

static int zcd_vf_lmem_probe(struct pci_dev *pdev,
			     const struct pci_device_id *id)
{
	struct zcd_vf_lmem *vf;
	int ret;

	if (!(pci_resource_flags(pdev, ZCD_VF_LMEM_BAR) & IORESOURCE_MEM))
		return -ENODEV;
	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;
	ret = pcim_p2pdma_init(pdev);
	if (ret)
		return ret;
	vf = devm_kzalloc(&pdev->dev, sizeof(*vf), GFP_KERNEL);
	if (!vf)
		return -ENOMEM;
	vf->pdev = pdev;
	vf->provider = pcim_p2pdma_provider(pdev, ZCD_VF_LMEM_BAR);
	if (!vf->provider)
		return -ENODEV;
	INIT_LIST_HEAD(&vf->bufs);

	mutex_lock(&zcd_vf_lmem_lock);
	if (zcd_vf_lmem_dev) {
		mutex_unlock(&zcd_vf_lmem_lock);
		return -EBUSY;
	}
	vf->misc.minor = MISC_DYNAMIC_MINOR;
	vf->misc.name = "zcd-vf-lmem";
	vf->misc.fops = &zcd_vf_lmem_fops;
	ret = misc_register(&vf->misc);
	if (!ret)
		zcd_vf_lmem_dev = vf;
	mutex_unlock(&zcd_vf_lmem_lock);
	if (ret)
		return ret;
	pci_set_drvdata(pdev, vf);
	pci_info(pdev, "zcd-vf-lmem: BAR %d %pR\n", ZCD_VF_LMEM_BAR,
		 &pdev->resource[ZCD_VF_LMEM_BAR]);
	return 0;
}

/*
 * The device goes away: every exported buffer is revoked (importers get
 * invalidate_mappings and unmap from it, as drm/virtio does) before the
 * p2pdma provider, a devm resource, is freed.
 */
static void zcd_vf_lmem_remove(struct pci_dev *pdev)
{
	struct zcd_vf_lmem *vf = pci_get_drvdata(pdev);
	struct zcd_vf_lmem_buf *buf, *tmp;
	LIST_HEAD(gone);

	mutex_lock(&zcd_vf_lmem_lock);
	misc_deregister(&vf->misc);
	zcd_vf_lmem_dev = NULL;
	list_for_each_entry(buf, &vf->bufs, node)
		get_dma_buf(buf->dmabuf);
	list_splice_init(&vf->bufs, &gone);
	mutex_unlock(&zcd_vf_lmem_lock);

	/* references held: no release can run on these until the put */
	list_for_each_entry_safe(buf, tmp, &gone, node) {
		dma_resv_lock(buf->dmabuf->resv, NULL);
		buf->revoked = true;
		dma_buf_invalidate_mappings(buf->dmabuf);
		buf->vf = NULL;
		dma_resv_unlock(buf->dmabuf->resv);
		mutex_lock(&zcd_vf_lmem_lock);
		list_del_init(&buf->node);
		mutex_unlock(&zcd_vf_lmem_lock);
		dma_buf_put(buf->dmabuf);
	}
}

static const struct pci_device_id zcd_vf_lmem_ids[] = {
	{ PCI_DEVICE(PCI_VENDOR_ID_REDHAT, 0x00f1) },	/* x-sriov-lmem VF */
	{ }
};
MODULE_DEVICE_TABLE(pci, zcd_vf_lmem_ids);

static struct pci_driver zcd_vf_lmem_driver = {
	.name = "zcd-vf-lmem",
	.id_table = zcd_vf_lmem_ids,
	.probe = zcd_vf_lmem_probe,
	.remove = zcd_vf_lmem_remove,
};
module_pci_driver(zcd_vf_lmem_driver);

MODULE_DESCRIPTION("zcdisplay test equipment: dma-bufs over the x-sriov-lmem VF's memory BAR");
MODULE_LICENSE("GPL");
