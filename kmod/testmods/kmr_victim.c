// SPDX-License-Identifier: GPL-2.0
/*
 * kmr_victim - kmodrescue lab module: the module whose reference kmr_leaker
 * takes and never returns.
 *
 * It registers a file system type, "kmr_victimfs", owned by this module.
 * get_fs_type() takes a reference on the owner; a caller that forgets
 * put_filesystem() leaks it. The leak shows as a refcount of 1 with no
 * holder module: nothing in /sys/module/kmr_victim/holders/ names the
 * culprit. The file system cannot be mounted.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/errno.h>
#include <linux/fs.h>
#include <linux/fs_context.h>
#include <linux/init.h>
#include <linux/module.h>

static int kmr_victim_init_fs_context(struct fs_context *fc)
{
	return -EOPNOTSUPP;
}

static struct file_system_type kmr_victim_fs_type = {
	.owner = THIS_MODULE,
	.name = "kmr_victimfs",
	.init_fs_context = kmr_victim_init_fs_context,
	.kill_sb = kill_anon_super,
};

static int __init kmr_victim_init(void)
{
	int ret = register_filesystem(&kmr_victim_fs_type);

	if (ret)
		return ret;
	pr_info("loaded; registered file system type kmr_victimfs\n");
	return 0;
}

static void __exit kmr_victim_exit(void)
{
	unregister_filesystem(&kmr_victim_fs_type);
	pr_info("unloaded\n");
}

module_init(kmr_victim_init);
module_exit(kmr_victim_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kmodrescue lab: victim of a reference leaked by kmr_leaker");
MODULE_ALIAS_FS("kmr_victimfs");
