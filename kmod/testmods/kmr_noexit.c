// SPDX-License-Identifier: GPL-2.0
/*
 * kmr_noexit - kmodrescue lab module: an init and no exit.
 *
 * A module that has an init function but no exit function can never be
 * unloaded: delete_module() answers -EBUSY unless the kernel was built with
 * CONFIG_MODULE_FORCE_UNLOAD and the caller forces it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/init.h>
#include <linux/module.h>

static int __init kmr_noexit_init(void)
{
	pr_info("loaded; it has no exit function\n");
	return 0;
}
module_init(kmr_noexit_init);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kmodrescue lab: init without exit");
