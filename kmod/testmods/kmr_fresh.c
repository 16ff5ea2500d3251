// SPDX-License-Identifier: GPL-2.0
/*
 * kmr_fresh - kmodrescue lab module: well-behaved, loads and unloads
 * cleanly. The lab loads and unloads it after every repair to show that the
 * module loader still works.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/init.h>
#include <linux/module.h>

static int __init kmr_fresh_init(void)
{
	pr_info("loaded\n");
	return 0;
}

static void __exit kmr_fresh_exit(void)
{
	pr_info("unloaded\n");
}

module_init(kmr_fresh_init);
module_exit(kmr_fresh_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kmodrescue lab: a well-behaved module");
