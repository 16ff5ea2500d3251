// SPDX-License-Identifier: GPL-2.0
/*
 * kmr_provider - kmodrescue lab module: exports a symbol that kmr_consumer
 * uses. While kmr_consumer is loaded, kmr_provider has it as a holder and
 * the kernel refuses to unload kmr_provider first, forced or not.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/init.h>
#include <linux/module.h>

#include "kmr_provider.h"

int kmr_provider_answer(void)
{
	return 42;
}
EXPORT_SYMBOL_GPL(kmr_provider_answer);

static int __init kmr_provider_init(void)
{
	pr_info("loaded\n");
	return 0;
}

static void __exit kmr_provider_exit(void)
{
	pr_info("unloaded\n");
}

module_init(kmr_provider_init);
module_exit(kmr_provider_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kmodrescue lab: exports a symbol to kmr_consumer");
