// SPDX-License-Identifier: GPL-2.0
/*
 * kmr_consumer - kmodrescue lab module: uses kmr_provider's exported
 * symbol, which makes it a holder of kmr_provider.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/init.h>
#include <linux/module.h>

#include "kmr_provider.h"

static int __init kmr_consumer_init(void)
{
	pr_info("loaded; kmr_provider answers %d\n", kmr_provider_answer());
	return 0;
}

static void __exit kmr_consumer_exit(void)
{
	pr_info("unloaded\n");
}

module_init(kmr_consumer_init);
module_exit(kmr_consumer_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kmodrescue lab: holds kmr_provider through its symbol");
