// SPDX-License-Identifier: GPL-2.0
/*
 * kmr_exitoops - kmodrescue lab module: a NULL dereference in exit.
 *
 * The first rmmod oopses inside the exit function and is killed; the module
 * stays in state "Unloading" (MODULE_STATE_GOING) with its refcount already
 * taken down by delete_module(). The module owns nothing, so once the exit
 * has crashed there is nothing left to tear down: replacing the exit with a
 * stub and freeing the module is safe.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/compiler.h>
#include <linux/init.h>
#include <linux/module.h>

struct kmr_exitoops_dev {
	int open;
};

/* volatile, so that the compiler cannot see the pointer is always NULL */
static struct kmr_exitoops_dev *volatile kmr_exitoops_dev;

static int __init kmr_exitoops_init(void)
{
	pr_info("loaded; its exit dereferences a NULL pointer\n");
	return 0;
}

static void __exit kmr_exitoops_exit(void)
{
	pr_info("exit: about to dereference a NULL pointer\n");
	WRITE_ONCE(kmr_exitoops_dev->open, 0);
	pr_info("exit: still alive?\n");
}

module_init(kmr_exitoops_init);
module_exit(kmr_exitoops_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kmodrescue lab: NULL pointer dereference in exit");
