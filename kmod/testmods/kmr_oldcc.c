// SPDX-License-Identifier: GPL-2.0
/*
 * kmr_oldcc - kmodrescue lab module: well-behaved, but the lab builds it
 * with gcc-11 against the 6.1 headers while Debian built that kernel with
 * gcc-12: the case the compiler-mismatch diagnosis must find.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/init.h>
#include <linux/module.h>

static int __init kmr_oldcc_init(void)
{
	pr_info("loaded\n");
	return 0;
}

static void __exit kmr_oldcc_exit(void)
{
	pr_info("unloaded\n");
}

module_init(kmr_oldcc_init);
module_exit(kmr_oldcc_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kmodrescue lab: built with another compiler than the kernel");
