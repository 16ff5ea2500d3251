// SPDX-License-Identifier: GPL-2.0
/*
 * kmr_leaker - kmodrescue lab module: leaks a reference on kmr_victim.
 *
 * get_fs_type() takes a reference on the module that owns the file system
 * type. The bug is the missing put_filesystem(): kmr_victim keeps a
 * refcount of 1 even after kmr_leaker is unloaded. No symbol links the two
 * modules, so kmr_victim lists no holder.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/errno.h>
#include <linux/fs.h>
#include <linux/init.h>
#include <linux/module.h>

static int __init kmr_leaker_init(void)
{
	struct file_system_type *fs = get_fs_type("kmr_victimfs");

	if (!fs) {
		pr_err("kmr_victimfs is not registered; load kmr_victim first\n");
		return -ENODEV;
	}
	/* The bug: put_filesystem(fs) is never called. */
	pr_info("took a reference on %s and keeps it\n",
		fs->owner ? module_name(fs->owner) : "(built-in)");
	return 0;
}

static void __exit kmr_leaker_exit(void)
{
	pr_info("unloaded; the reference it took on kmr_victim stays leaked\n");
}

module_init(kmr_leaker_init);
module_exit(kmr_leaker_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kmodrescue lab: leaks a reference on kmr_victim");
