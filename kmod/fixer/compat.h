/* SPDX-License-Identifier: GPL-2.0 */
/*
 * compat.h - every kernel-version guard of kmodrescue_fixer, in one place.
 *
 * Proven (built with W=1 and run in the lab): Debian 12's 6.1.0-56-amd64
 * and 6.12.117+deb12-amd64. The branches for older kernels below are
 * written from the kernel history named in each comment, but never built
 * or run here.
 */
#ifndef KMODRESCUE_FIXER_COMPAT_H
#define KMODRESCUE_FIXER_COMPAT_H

#include <linux/version.h>
#include <linux/module.h>
#include <linux/percpu.h>

#ifndef CONFIG_MODULE_UNLOAD
#error "kmodrescue_fixer needs CONFIG_MODULE_UNLOAD: without it no module can be unloaded at all"
#endif

/*
 * struct module_kobject.kobj_completion, which makes free_module() wait
 * for every reference to the module's kobject (the reference that pins
 * the target while the fixer works), came with v3.12 (commit 942e443127e9,
 * "module: Fix mod->mkobj.kobj potentially freed too early").
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(3, 12, 0)
#error "kmodrescue_fixer needs Linux 3.12 or later"
#endif

#if LINUX_VERSION_CODE >= KERNEL_VERSION(3, 19, 0)
/*
 * Since v3.19 (commit 2f35c41f58a9, "module: Replace module_ref with
 * atomic_t refcnt") the count is one atomic_t that starts at
 * MODULE_REF_BASE. kernel/module/main.c keeps that constant private; it is
 * 1 in every release from 3.19 to 6.12: the base reference belongs to the
 * module itself, try_stop_module() takes it away with atomic_sub_return()
 * and BUG()s if that goes below zero, and module_refcount() (the number
 * lsmod prints) is refcnt - MODULE_REF_BASE.
 */
#define KMR_MODULE_REF_BASE 1

static inline int kmr_refcnt_read(struct module *mod)
{
	return atomic_read(&mod->refcnt) - KMR_MODULE_REF_BASE;
}

static inline void kmr_refcnt_reset(struct module *mod)
{
	atomic_set(&mod->refcnt, KMR_MODULE_REF_BASE);
}
#else
/*
 * Before v3.19 every CPU kept a pair of counters (mod->refptr->incs and
 * ->decs); the module is unused when their sums are equal, and
 * try_stop_module() checked that under stop_machine(). Written, not built.
 */
static inline int kmr_refcnt_read(struct module *mod)
{
	unsigned long incs = 0, decs = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		decs += per_cpu_ptr(mod->refptr, cpu)->decs;
	smp_rmb();
	for_each_possible_cpu(cpu)
		incs += per_cpu_ptr(mod->refptr, cpu)->incs;
	return incs - decs;
}

static inline void kmr_refcnt_reset(struct module *mod)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		per_cpu_ptr(mod->refptr, cpu)->incs = 0;
		per_cpu_ptr(mod->refptr, cpu)->decs = 0;
	}
}
#endif

/* within_module() came with v3.19; before, only its two halves existed. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(3, 19, 0)
#define kmr_within_module(addr, mod) within_module(addr, mod)
#else
#define kmr_within_module(addr, mod) \
	(within_module_core(addr, mod) || within_module_init(addr, mod))
#endif

/*
 * stack_trace_save_tsk() is exported from v6.7 on (commit "stacktrace:
 * Export stack_trace_save_tsk", for bcachefs). Where it is, the fixer looks
 * at every task's kernel stack for a frame inside the target before it
 * touches a module whose init or exit may still be running. Where it is
 * not (6.1), the caller's own check is all there is: see README.md.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 7, 0) && defined(CONFIG_STACKTRACE)
#define KMR_HAVE_TASK_STACK_SCAN 1
#else
#define KMR_HAVE_TASK_STACK_SCAN 0
#endif

#endif /* KMODRESCUE_FIXER_COMPAT_H */
