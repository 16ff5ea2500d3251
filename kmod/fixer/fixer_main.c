// SPDX-License-Identifier: GPL-2.0
/*
 * kmodrescue_fixer - repairs a kernel module that will not unload, so that
 * the kernel's own delete_module() (rmmod) can then remove it.
 *
 *   insmod kmodrescue_fixer.ko target=NAME repairs=refcount,state,exit \
 *          [coming_init_crashed=1] [going_exit_crashed=1]
 *
 * It logs one line "kmodrescue_fixer: result key=value ..." and, unless it
 * had to install a stub exit, refuses to stay loaded (insmod then reports
 * "Operation canceled" although the repair succeeded). README.md documents
 * the result line, the error words and the rules below.
 *
 * What the fixer can and cannot lock: module_mutex, which the kernel holds
 * when it changes a module's state and unlinks it, is not exported, and
 * find_module() needs it. The fixer instead
 *   - pins the target with a reference on its sysfs kobject, which makes
 *     free_module() wait for us (fixer_target.c explains why), so no field
 *     it reads or writes can be freed under it;
 *   - refuses every state in which another kernel path may be writing the
 *     same fields: a module still being set up (UNFORMED), one whose
 *     teardown has started, one whose init or exit may still be running
 *     (COMING or GOING) unless the caller vouches that it crashed and, on
 *     kernels that let a module look at other tasks' stacks, no task is
 *     executing inside it;
 *   - leaves to the kernel every check it does under module_mutex: the
 *     final unload is a plain delete_module(), which checks holders, state,
 *     exit and refcount again under the lock.
 * What remains is a concurrent rmmod of the same target or a concurrent
 * load of a module that starts using it while the fixer runs; the
 * kmodrescue helper serializes its privileged operations, so it never
 * races itself. Our own init runs without module_mutex held (the loader
 * drops it before do_init_module()), so nothing here can deadlock on it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bits.h>
#include <linux/ctype.h>
#include <linux/kernel.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/rculist.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysfs.h>

#include "compat.h"
#include "fixer.h"

static char *target;
module_param(target, charp, 0444);
MODULE_PARM_DESC(target, "Module to repair ('-' and '_' are the same)");

static char *repairs;
module_param(repairs, charp, 0444);
MODULE_PARM_DESC(repairs, "Comma-separated subset of refcount,state,exit");

static bool coming_init_crashed;
module_param(coming_init_crashed, bool, 0444);
MODULE_PARM_DESC(coming_init_crashed,
		 "Caller checked that no task is still in the target's init");

static bool going_exit_crashed;
module_param(going_exit_crashed, bool, 0444);
MODULE_PARM_DESC(going_exit_crashed,
		 "Caller checked that no task is still in the target's exit");

#define KMR_REPAIR_REFCOUNT	BIT(0)
#define KMR_REPAIR_STATE	BIT(1)
#define KMR_REPAIR_EXIT		BIT(2)

/* Set while a target's exit points at kmr_stub_exit(). */
static char kmr_stub_for[MODULE_NAME_LEN];
static void (*kmr_original_exit)(void);

/*
 * The exit the target gets in place of a missing or crashing one. An
 * ordinary function of this module: compiled with -fcf-protection it starts
 * with ENDBR64, so it is a valid target for delete_module()'s indirect call
 * on IBT kernels (6.12). It lives in .text, never in .exit.text or
 * .init.text, so it stays mapped as long as the fixer is loaded, and the
 * module_use link made in kmr_link() keeps the fixer loaded until the
 * target has been freed.
 */
static void kmr_stub_exit(void)
{
	pr_info("%s: stub exit ran instead of the module's own exit\n",
		kmr_stub_for);
}

/* Module names are kbuild's: '-' in a file name becomes '_' in the name. */
static int kmr_parse_target(const char *raw, char *name, const char **error)
{
	char buf[MODULE_NAME_LEN];
	size_t len, i;

	if (!raw || !*raw) {
		*error = "no_target";
		return -EINVAL;
	}
	len = strlen(raw);
	if (len >= sizeof(buf)) {
		*error = "bad_name";
		return -EINVAL;
	}
	for (i = 0; i < len; i++) {
		if (raw[i] == '-' || raw[i] == '_')
			buf[i] = '_';
		else if (isalnum(raw[i]))
			buf[i] = raw[i];
		else {
			*error = "bad_name";
			return -EINVAL;
		}
	}
	buf[len] = '\0';
	strscpy(name, buf, MODULE_NAME_LEN);
	if (!strcmp(buf, THIS_MODULE->name)) {
		*error = "self";
		return -EINVAL;
	}
	return 0;
}

static int kmr_parse_repairs(const char *raw, unsigned int *mask,
			     const char **error)
{
	static const struct {
		const char *word;
		unsigned int bit;
	} words[] = {
		{ "refcount", KMR_REPAIR_REFCOUNT },
		{ "state", KMR_REPAIR_STATE },
		{ "exit", KMR_REPAIR_EXIT },
	};
	const char *p = raw;
	size_t len, i;

	*mask = 0;
	if (!p || !*p)
		goto bad;
	for (;;) {
		len = strcspn(p, ",");
		for (i = 0; i < ARRAY_SIZE(words); i++) {
			if (len == strlen(words[i].word) &&
			    !strncmp(p, words[i].word, len))
				break;
		}
		if (i == ARRAY_SIZE(words))
			goto bad;
		*mask |= words[i].bit;
		if (!p[len])
			return 0;
		p += len + 1;
	}
bad:
	*error = "bad_repairs";
	return -EINVAL;
}

/*
 * kmr_check() - may the repairs be applied to @mod? Returns 0 or -errno
 * with *error set to the word the result line carries.
 */
static int kmr_check(struct module *mod, const struct kmr_view *before,
		     unsigned int mask, bool will_stub, const char **error)
{
	struct kmr_task_hit hit;
	int ret;

	/*
	 * UNFORMED: load_module() is still setting the module up, or
	 * free_module() is tearing it down; both write its fields.
	 */
	if (before->state == MODULE_STATE_UNFORMED) {
		*error = "unformed";
		return -EBUSY;
	}
	/*
	 * mod_kobject_put() sets kobj_completion when free_module() has
	 * started; that rmmod is done with the exit and will free the module
	 * as soon as we let go of it.
	 */
	if (READ_ONCE(mod->mkobj.kobj_completion)) {
		*error = "unloading";
		return -EBUSY;
	}
	/*
	 * source_list lists the modules that use this one (they resolved its
	 * symbols; each holds a reference it gives back with module_put()
	 * when it is freed). Resetting the count under them would make that
	 * module_put() take the count below MODULE_REF_BASE, and the next
	 * rmmod would hit BUG_ON() in try_release_module_ref(). delete_module()
	 * refuses such a module anyway. list_empty() is one word-sized read;
	 * the list itself changes only under module_mutex.
	 */
	if (!list_empty(&mod->source_list)) {
		*error = "held";
		return -EBUSY;
	}
	/*
	 * COMING: do_init_module() is running the init, or the init oopsed
	 * and killed the loading task. GOING: delete_module() has taken the
	 * base reference (the count reads -1) and runs or ran the exit, or a
	 * failed init is being cleaned up. The module's own fields tell
	 * neither pair apart: a running and a crashed exit both leave
	 * state GOING and refcnt 0. Only the tasks can: a crashed one is
	 * dead, a running one is in init_module/finit_module/delete_module.
	 * So the caller, who can read /proc/PID/stack and /proc/PID/syscall,
	 * must vouch for it explicitly, and we check ourselves where we can.
	 */
	if (before->state == MODULE_STATE_COMING && !coming_init_crashed) {
		*error = "coming";
		return -EBUSY;
	}
	if (before->state == MODULE_STATE_GOING && !going_exit_crashed) {
		*error = "going";
		return -EBUSY;
	}
	/*
	 * A stub keeps the fixer loaded until the target is freed, and while
	 * it is loaded no second fixer can load (same name). So a repair
	 * with a stub must leave the target removable, Live and unused, or
	 * both would be stuck for good.
	 */
	if (will_stub &&
	    ((before->state != MODULE_STATE_LIVE &&
	      !(mask & KMR_REPAIR_STATE)) ||
	     (before->refcnt != 0 && !(mask & KMR_REPAIR_REFCOUNT)))) {
		*error = "incomplete";
		return -EINVAL;
	}
	/*
	 * A module whose init or exit is still on some task's stack must not
	 * be made removable; nor may one run by a kthread or blocked task
	 * get a stub exit, since nothing would then stop that task before
	 * the module's memory is freed. A Live module with its own exit is
	 * not scanned: its exit is what stops its threads.
	 */
	if (before->state != MODULE_STATE_LIVE || will_stub) {
		ret = kmr_task_in_module(mod, &hit);
		if (ret == -ENOMEM) {
			*error = "nomem";
			return ret;
		}
		if (ret > 0) {
			pr_info("task %d (%s) is executing inside %s\n",
				hit.pid, hit.comm, mod->name);
			*error = "code_running";
			return -EBUSY;
		}
	}
	return 0;
}

/*
 * kmr_link() - make @mod a user of the fixer, as ref_module() does when a
 * module resolves another one's symbol (add_module_usage()).
 *
 * The kernel then keeps the fixer, whose code the target's exit now is,
 * loaded exactly as long as the target: delete_module() refuses to remove
 * a module whose source_list is not empty (EWOULDBLOCK, before it even
 * looks at O_TRUNC, so not even rmmod -f can), and free_module() of the
 * target walks its target_list in module_unload_free(), calls module_put()
 * on the fixer, unlinks both list entries and kfree()s @use. lsmod shows
 * the target as the fixer's holder.
 *
 * Locking: ref_module() runs under module_mutex. The lists we add to are
 * our own source_list, which nothing else writes while we are in our init,
 * and the target's target_list, which the kernel writes only while loading
 * the target (symbol resolution, done long before COMING) and in
 * free_module(), which our kobject reference holds off until we are done.
 * Readers may walk both lists concurrently (/proc/modules, sysfs holder
 * links); list_add_rcu() publishes a fully formed entry to them.
 */
static void kmr_link(struct module *mod, struct module_use *use)
{
	use->source = mod;
	use->target = THIS_MODULE;
	/* The reference module_unload_free() will give back. */
	__module_get(THIS_MODULE);
	/*
	 * /sys/module/kmodrescue_fixer/holders/TARGET, as add_usage_links()
	 * creates for a module's dependencies and del_usage_links() removes
	 * in the target's teardown. Cosmetic: lsmod reads holders from here.
	 */
	if (sysfs_create_link(THIS_MODULE->holders_dir, &mod->mkobj.kobj,
			      mod->name))
		pr_warn("%s: no holders link in sysfs\n", mod->name);
	list_add_rcu(&use->source_list, &THIS_MODULE->source_list);
	list_add_rcu(&use->target_list, &mod->target_list);
}

/*
 * kmr_apply() - change the target. Returns true if anything changed.
 *
 * The order matters to a delete_module() racing with us: it reads state,
 * then exit, then the refcount. We make the target removable last
 * (state LIVE), after its exit and refcount are already what rmmod needs,
 * and we link the fixer before its stub can be called.
 */
static bool kmr_apply(struct module *mod, unsigned int mask,
		      struct module_use *use, const struct kmr_view *before)
{
	bool changed = false;

	if (use) {
		kmr_link(mod, use);
		strscpy(kmr_stub_for, mod->name, sizeof(kmr_stub_for));
		kmr_original_exit = mod->exit;
		/*
		 * delete_module() calls mod->exit after dropping module_mutex,
		 * and refuses a module with an init but no exit ("busy")
		 * unless forced. A word-sized store: a racing reader sees the
		 * old exit or the stub, both valid, and the stub stays mapped
		 * (kmr_link()).
		 */
		WRITE_ONCE(mod->exit, kmr_stub_exit);
		changed = true;
	}
	if ((mask & KMR_REPAIR_REFCOUNT) && before->refcnt != 0) {
		/*
		 * "Unused" is MODULE_REF_BASE, never 0: try_stop_module()
		 * subtracts the base and BUG()s below zero. The references
		 * we drop are leaked ones (or, for a crashed init, the one
		 * do_init_module() would have dropped; for a crashed exit,
		 * the base delete_module() already took). kmr_check() refused
		 * modules other modules hold; references taken by non-module
		 * code that will still be put are the caller's to rule out.
		 */
		kmr_refcnt_reset(mod);
		changed = true;
	}
	if ((mask & KMR_REPAIR_STATE) && before->state != MODULE_STATE_LIVE) {
		/*
		 * COMING -> LIVE is what do_init_module() does after a
		 * successful init; GOING -> LIVE undoes try_stop_module().
		 * kmr_check() established that no init or exit is running.
		 * The barrier orders the stores above before this one.
		 */
		smp_wmb();
		WRITE_ONCE(mod->state, MODULE_STATE_LIVE);
		changed = true;
	}
	return changed;
}

static int __init kmr_fixer_init(void)
{
	struct kmr_result res = { .target = "-" };
	struct module_use *use = NULL;
	struct kobject *pin = NULL;
	struct module *mod = NULL;
	unsigned int mask = 0;
	bool will_stub;
	int err;

	err = kmr_parse_target(target, res.target, &res.error);
	if (err)
		goto out;
	err = kmr_parse_repairs(repairs, &mask, &res.error);
	if (err)
		goto out;
	mod = kmr_target_get(res.target, &pin, &res.error);
	if (!mod) {
		err = strcmp(res.error, "builtin") ? -ENOENT : -EOPNOTSUPP;
		goto out;
	}
	kmr_view_take(mod, kmr_stub_exit, &res.before);

	/* A module with neither init nor exit unloads without any exit. */
	will_stub = (mask & KMR_REPAIR_EXIT) && (mod->init || mod->exit);
	err = kmr_check(mod, &res.before, mask, will_stub, &res.error);
	if (err)
		goto out_view;
	if (will_stub) {
		use = kmalloc(sizeof(*use), GFP_KERNEL);
		if (!use) {
			res.error = "nomem";
			err = -ENOMEM;
			goto out_view;
		}
	}

	/* Nothing below can fail. */
	if (kmr_apply(mod, mask, use, &res.before)) {
		/*
		 * The same taint the kernel's own forced unload sets
		 * (try_force_unload()): the module's bookkeeping was
		 * overridden, and lockdep's view may no longer hold.
		 */
		add_taint(TAINT_FORCED_RMMOD, LOCKDEP_NOW_UNRELIABLE);
	}
	res.resident = use != NULL;

out_view:
	kmr_view_take(mod, kmr_stub_exit, &res.after);
	kmr_target_put(pin);
out:
	kmr_log_result(&res);
	if (res.error)
		return err;
	/*
	 * Done. Stay only if the target's exit is our stub; otherwise fail
	 * the load on purpose so that no fixer is left behind.
	 */
	return res.resident ? 0 : -ECANCELED;
}

static void __exit kmr_fixer_exit(void)
{
	struct kobject *pin;
	struct module *mod;
	const char *error;

	if (!kmr_stub_for[0])
		return;
	/*
	 * The target uses the fixer (kmr_link()), so delete_module() lets
	 * the fixer go only after free_module() of the target has dropped
	 * that link: the target is gone by now. Should a module of that name
	 * still have our stub as its exit anyway, give it its own exit back
	 * instead of leaving it pointing into freed code.
	 */
	mod = kmr_target_get(kmr_stub_for, &pin, &error);
	if (mod && READ_ONCE(mod->exit) == kmr_stub_exit) {
		WRITE_ONCE(mod->exit, kmr_original_exit);
		pr_warn("%s: still loaded; its own exit is back in place\n",
			kmr_stub_for);
	}
	kmr_target_put(pin);
}

module_init(kmr_fixer_init);
module_exit(kmr_fixer_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kmodrescue: repair a module that will not unload (refcount, state, exit)");
MODULE_VERSION("0.1.0");
