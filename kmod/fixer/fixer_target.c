// SPDX-License-Identifier: GPL-2.0
/*
 * fixer_target.c - finding the target module and looking at it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kobject.h>
#include <linux/module.h>
#include <linux/rcupdate.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/stacktrace.h>
#include <linux/string.h>

#include "compat.h"
#include "fixer.h"

/*
 * Finding the target without find_module() (unexported since 5.12) and
 * without kallsyms_lookup_name() (unexported since 5.7).
 *
 * Every loaded module has a kobject named after it in module_kset
 * (/sys/module/NAME), embedded in its struct module (mod->mkobj) and
 * pointing back at it (mod->mkobj.mod). module_kset is not exported, but
 * the fixer's own kobject is in it: mod_sysfs_setup() has run before our
 * init is called. kset_find_obj() (exported) searches the kset under the
 * kset's own spinlock and returns the kobject with a reference held.
 *
 * That reference is what makes everything after it memory-safe:
 * free_module() starts with mod_sysfs_teardown(), whose mod_kobject_put()
 * drops the module's own reference and then waits in wait_for_completion()
 * until the kobject's release has run, i.e. until every other reference is
 * gone. While we hold ours, the target's struct module and its code cannot
 * be freed; a concurrent rmmod that reaches free_module() waits for us.
 *
 * A module reference (try_module_get()) would be the wrong pin: it fails
 * for exactly the GOING modules we may have to repair (module_is_live()),
 * and for the others it would be one more count in the refcnt the fixer is
 * about to reset.
 *
 * This is better than walking the RCU-protected modules list from
 * THIS_MODULE->list: that walk has to guess which entry is the list head
 * (THIS_MODULE->list.prev is the head only while no module has been added
 * after us), and it pins the target only inside an RCU read-side section,
 * in which we could not sleep.
 */
struct module *kmr_target_get(const char *name, struct kobject **pin,
			      const char **error)
{
	struct kset *modules = THIS_MODULE->mkobj.kobj.kset;
	struct module_kobject *mk;
	struct kobject *kobj;

	*pin = NULL;
	if (!modules) {
		/* Cannot happen: sysfs has set us up before our init. */
		*error = "no_sysfs";
		return NULL;
	}
	kobj = kset_find_obj(modules, name);
	if (!kobj) {
		*error = "not_found";
		return NULL;
	}
	mk = container_of(kobj, struct module_kobject, kobj);
	/*
	 * A built-in "module" only has a kobject for its parameters, with
	 * mk->mod == NULL. A loaded module's kobject is the one embedded in
	 * its own struct module.
	 */
	if (kobj->ktype != THIS_MODULE->mkobj.kobj.ktype || !mk->mod ||
	    &mk->mod->mkobj != mk) {
		kobject_put(kobj);
		*error = "builtin";
		return NULL;
	}
	*pin = kobj;
	return mk->mod;
}

void kmr_target_put(struct kobject *pin)
{
	if (pin)
		kobject_put(pin);
}

void kmr_view_take(struct module *mod, void (*stub)(void),
		   struct kmr_view *view)
{
	void (*exit)(void) = READ_ONCE(mod->exit);

	view->known = true;
	view->state = READ_ONCE(mod->state);
	view->refcnt = kmr_refcnt_read(mod);
	if (!exit)
		view->exit = "none";
	else if (exit == stub)
		view->exit = "stub";
	else
		view->exit = "present";
}

const char *kmr_state_name(enum module_state state)
{
	switch (state) {
	case MODULE_STATE_LIVE:
		return "live";
	case MODULE_STATE_COMING:
		return "coming";
	case MODULE_STATE_GOING:
		return "going";
	case MODULE_STATE_UNFORMED:
		return "unformed";
	}
	return "unknown";
}

#if KMR_HAVE_TASK_STACK_SCAN
#define KMR_SCAN_DEPTH 64

static bool kmr_addr_in(struct module *mod, unsigned long addr)
{
	/* A return address may point just past a call that ends a function. */
	return kmr_within_module(addr, mod) || kmr_within_module(addr - 1, mod);
}

/*
 * kmr_task_in_module() - is some task executing inside @mod?
 *
 * Returns 1 and fills @hit when a task has a frame inside @mod's core or
 * init memory, 0 when none has, -ENOMEM, or -EOPNOTSUPP where the kernel
 * does not export stack_trace_save_tsk().
 *
 * stack_trace_save_tsk() is what /proc/PID/stack uses: it pins the task's
 * stack with try_get_task_stack() while it unwinds, so a task that exits
 * meanwhile is skipped, never read after free. The task list is walked
 * under rcu_read_lock() as every for_each_process_thread() user does, and
 * nothing in the loop sleeps. A task running on another CPU can be unwound
 * while its stack changes; its trace is then partial, which can only make
 * us miss it, as one read of /proc/PID/stack would. The frames that matter
 * here (an exit or init blocked in the module, a kthread sleeping in it)
 * belong to sleeping tasks, whose stacks are stable.
 */
int kmr_task_in_module(struct module *mod, struct kmr_task_hit *hit)
{
	struct task_struct *p, *t;
	unsigned long *entries;
	unsigned int n, i;
	int found = 0;

	entries = kmalloc_array(KMR_SCAN_DEPTH, sizeof(*entries), GFP_KERNEL);
	if (!entries)
		return -ENOMEM;

	rcu_read_lock();
	for_each_process_thread(p, t) {
		n = stack_trace_save_tsk(t, entries, KMR_SCAN_DEPTH, 0);
		for (i = 0; i < n; i++) {
			if (kmr_addr_in(mod, entries[i])) {
				hit->pid = task_pid_nr(t);
				get_task_comm(hit->comm, t);
				found = 1;
				goto out;
			}
		}
	}
out:
	rcu_read_unlock();
	kfree(entries);
	return found;
}
#else
int kmr_task_in_module(struct module *mod, struct kmr_task_hit *hit)
{
	return -EOPNOTSUPP;
}
#endif
