// SPDX-License-Identifier: GPL-2.0
/*
 * kmr_initoops - kmodrescue lab module: a NULL dereference in init.
 *
 * The oops kills the insmod process inside do_init_module(), so the module
 * stays in the module list in state "Loading" (MODULE_STATE_COMING) with the
 * reference the loader holds during init never dropped.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/compiler.h>
#include <linux/init.h>
#include <linux/module.h>

struct kmr_initoops_dev {
	int ready;
};

/* volatile, so that the compiler cannot see the pointer is always NULL */
static struct kmr_initoops_dev *volatile kmr_initoops_dev;

static int __init kmr_initoops_init(void)
{
	pr_info("init: about to dereference a NULL pointer\n");
	WRITE_ONCE(kmr_initoops_dev->ready, 1);
	pr_info("init: still alive?\n");
	return 0;
}

static void __exit kmr_initoops_exit(void)
{
	pr_info("exit\n");
}

module_init(kmr_initoops_init);
module_exit(kmr_initoops_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kmodrescue lab: NULL pointer dereference in init");
