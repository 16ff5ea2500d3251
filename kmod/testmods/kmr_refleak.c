// SPDX-License-Identifier: GPL-2.0
/*
 * kmr_refleak - kmodrescue lab module: a reference leak on a code path.
 *
 * Writing N to /sys/module/kmr_refleak/parameters/leak calls
 * kmr_refleak_grab() N times; it takes a reference on the module and
 * forgets to put it back. Writing N to .../parameters/balanced calls
 * kmr_refleak_balanced() N times, which takes and puts a reference. A
 * refcount trace shows gets from kmr_refleak_grab without matching puts.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>

#define KMR_REFLEAK_MAX_PER_WRITE 10000

static noinline bool kmr_refleak_grab(void)
{
	/* The bug: nothing ever calls module_put() for this reference. */
	return try_module_get(THIS_MODULE);
}

static noinline void kmr_refleak_balanced(void)
{
	if (try_module_get(THIS_MODULE))
		module_put(THIS_MODULE);
}

static int kmr_refleak_count(const char *val, unsigned int *count)
{
	int ret = kstrtouint(val, 0, count);

	if (ret)
		return ret;
	if (*count > KMR_REFLEAK_MAX_PER_WRITE)
		return -ERANGE;
	return 0;
}

static int kmr_refleak_set_leak(const char *val, const struct kernel_param *kp)
{
	unsigned int i, count;
	int ret = kmr_refleak_count(val, &count);

	if (ret)
		return ret;
	for (i = 0; i < count; i++)
		if (!kmr_refleak_grab())
			return -ENODEV;
	pr_info("leaked %u references\n", count);
	return 0;
}

static int kmr_refleak_set_balanced(const char *val,
				    const struct kernel_param *kp)
{
	unsigned int i, count;
	int ret = kmr_refleak_count(val, &count);

	if (ret)
		return ret;
	for (i = 0; i < count; i++)
		kmr_refleak_balanced();
	pr_info("took and put %u references\n", count);
	return 0;
}

static const struct kernel_param_ops kmr_refleak_leak_ops = {
	.set = kmr_refleak_set_leak,
};
module_param_cb(leak, &kmr_refleak_leak_ops, NULL, 0200);
MODULE_PARM_DESC(leak, "Write N to leak N module references");

static const struct kernel_param_ops kmr_refleak_balanced_ops = {
	.set = kmr_refleak_set_balanced,
};
module_param_cb(balanced, &kmr_refleak_balanced_ops, NULL, 0200);
MODULE_PARM_DESC(balanced, "Write N to take and put N module references");

static int __init kmr_refleak_init(void)
{
	pr_info("loaded\n");
	return 0;
}

static void __exit kmr_refleak_exit(void)
{
	pr_info("unloaded\n");
}

module_init(kmr_refleak_init);
module_exit(kmr_refleak_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kmodrescue lab: leaks a module reference on each write");
