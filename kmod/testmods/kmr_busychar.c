// SPDX-License-Identifier: GPL-2.0
/*
 * kmr_busychar - kmodrescue lab module: legitimately busy.
 *
 * It registers a character device with a major number of its own (listed
 * in /proc/devices as "kmr_busychar") and the node /dev/kmr_busychar.
 * Every open file of it holds a real reference on the module, so while a
 * process keeps it open the module must not be unloaded.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/device.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/init.h>
#include <linux/module.h>

#include "kmr_compat.h"

#define KMR_BUSYCHAR_NAME "kmr_busychar"

static int kmr_busychar_major;
static struct class *kmr_busychar_class;
static struct device *kmr_busychar_device;

static int kmr_busychar_open(struct inode *inode, struct file *file)
{
	return 0;
}

static int kmr_busychar_release(struct inode *inode, struct file *file)
{
	return 0;
}

static const struct file_operations kmr_busychar_fops = {
	.owner = THIS_MODULE,
	.open = kmr_busychar_open,
	.release = kmr_busychar_release,
	.llseek = noop_llseek,
};

static char *kmr_busychar_devnode(KMR_DEVNODE_CONST struct device *dev,
				  umode_t *mode)
{
	if (mode)
		*mode = 0666;
	return NULL;
}

static int __init kmr_busychar_init(void)
{
	int ret;

	kmr_busychar_major = register_chrdev(0, KMR_BUSYCHAR_NAME,
					     &kmr_busychar_fops);
	if (kmr_busychar_major < 0)
		return kmr_busychar_major;

	kmr_busychar_class = kmr_class_create(KMR_BUSYCHAR_NAME);
	if (IS_ERR(kmr_busychar_class)) {
		ret = PTR_ERR(kmr_busychar_class);
		goto err_chrdev;
	}
	kmr_busychar_class->devnode = kmr_busychar_devnode;

	kmr_busychar_device = device_create(kmr_busychar_class, NULL,
					    MKDEV(kmr_busychar_major, 0), NULL,
					    KMR_BUSYCHAR_NAME);
	if (IS_ERR(kmr_busychar_device)) {
		ret = PTR_ERR(kmr_busychar_device);
		goto err_class;
	}
	pr_info("loaded; /dev/%s is char %d:0\n", KMR_BUSYCHAR_NAME,
		kmr_busychar_major);
	return 0;

err_class:
	class_destroy(kmr_busychar_class);
err_chrdev:
	unregister_chrdev(kmr_busychar_major, KMR_BUSYCHAR_NAME);
	return ret;
}

static void __exit kmr_busychar_exit(void)
{
	device_destroy(kmr_busychar_class, MKDEV(kmr_busychar_major, 0));
	class_destroy(kmr_busychar_class);
	unregister_chrdev(kmr_busychar_major, KMR_BUSYCHAR_NAME);
	pr_info("unloaded\n");
}

module_init(kmr_busychar_init);
module_exit(kmr_busychar_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kmodrescue lab: a character device held open");
