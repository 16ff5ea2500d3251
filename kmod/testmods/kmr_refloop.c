// SPDX-License-Identifier: GPL-2.0
/*
 * kmr_refloop - kmodrescue lab module: module reference churn for benchmarks.
 *
 * Writing N to /sys/module/kmr_refloop/parameters/run_ms takes and puts a
 * reference on the module in a tight loop for N milliseconds in the
 * writer's context (at most 60 s), then logs and publishes the number of
 * get/put pairs in .../parameters/iterations. Loading the module with
 * run_ms=N runs the loop once at load time.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/init.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/sched.h>

#define KMR_REFLOOP_MAX_MS 60000
#define KMR_REFLOOP_BATCH 256

static unsigned long iterations;
module_param(iterations, ulong, 0444);
MODULE_PARM_DESC(iterations, "get/put pairs done by the last run");

static noinline void kmr_refloop_pair(void)
{
	if (try_module_get(THIS_MODULE))
		module_put(THIS_MODULE);
}

static int kmr_refloop_run(const char *val, const struct kernel_param *kp)
{
	unsigned long end, done = 0;
	unsigned int ms, i;
	int ret = kstrtouint(val, 0, &ms);

	if (ret)
		return ret;
	if (ms > KMR_REFLOOP_MAX_MS)
		return -ERANGE;

	end = jiffies + msecs_to_jiffies(ms);
	do {
		for (i = 0; i < KMR_REFLOOP_BATCH; i++)
			kmr_refloop_pair();
		done += KMR_REFLOOP_BATCH;
		cond_resched();
	} while (time_before(jiffies, end));

	WRITE_ONCE(iterations, done);
	pr_info("iterations=%lu ms=%u\n", done, ms);
	return 0;
}

static const struct kernel_param_ops kmr_refloop_run_ops = {
	.set = kmr_refloop_run,
};
module_param_cb(run_ms, &kmr_refloop_run_ops, NULL, 0200);
MODULE_PARM_DESC(run_ms, "Write N to take and put references for N ms");

static int __init kmr_refloop_init(void)
{
	pr_info("loaded\n");
	return 0;
}

static void __exit kmr_refloop_exit(void)
{
	pr_info("unloaded\n");
}

module_init(kmr_refloop_init);
module_exit(kmr_refloop_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kmodrescue lab: takes and puts module references in a loop");
