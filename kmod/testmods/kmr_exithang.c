// SPDX-License-Identifier: GPL-2.0
/*
 * kmr_exithang - kmodrescue lab module: an exit that blocks.
 *
 * The exit waits, uninterruptibly, for a completion: rmmod sits in D state
 * and the module stays "Unloading" until something writes to
 * /sys/module/kmr_exithang/parameters/release (the lab does, so that the
 * guest can shut down cleanly). The parameter files live until the exit
 * has returned, so they can still be written while the exit blocks.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/init.h>
#include <linux/module.h>
#include <linux/moduleparam.h>

static DECLARE_COMPLETION(kmr_exithang_done);

static int kmr_exithang_release(const char *val, const struct kernel_param *kp)
{
	pr_info("release requested\n");
	complete_all(&kmr_exithang_done);
	return 0;
}

static const struct kernel_param_ops kmr_exithang_release_ops = {
	.set = kmr_exithang_release,
};
module_param_cb(release, &kmr_exithang_release_ops, NULL, 0200);
MODULE_PARM_DESC(release, "Write anything to let a blocked exit return");

static int __init kmr_exithang_init(void)
{
	pr_info("loaded; its exit blocks until released\n");
	return 0;
}

static void __exit kmr_exithang_exit(void)
{
	pr_info("exit: blocking until parameters/release is written\n");
	wait_for_completion(&kmr_exithang_done);
	pr_info("exit: released\n");
}

module_init(kmr_exithang_init);
module_exit(kmr_exithang_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kmodrescue lab: an exit that blocks until released");
