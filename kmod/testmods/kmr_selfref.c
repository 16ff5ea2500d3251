// SPDX-License-Identifier: GPL-2.0
/*
 * kmr_selfref - kmodrescue lab module: takes a reference on itself in init
 * and never gives it back, so its refcount stays at 1 with no holder.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/init.h>
#include <linux/module.h>

static int __init kmr_selfref_init(void)
{
	/* The bug: there is no matching module_put(THIS_MODULE). */
	if (!try_module_get(THIS_MODULE))
		return -ENODEV;
	pr_info("loaded; took a reference on itself and keeps it\n");
	return 0;
}

static void __exit kmr_selfref_exit(void)
{
	pr_info("unloaded\n");
}

module_init(kmr_selfref_init);
module_exit(kmr_selfref_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kmodrescue lab: try_module_get(THIS_MODULE) without a put");
