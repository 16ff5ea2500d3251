/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fixer.h - what the parts of kmodrescue_fixer share.
 */
#ifndef KMODRESCUE_FIXER_H
#define KMODRESCUE_FIXER_H

#include <linux/kobject.h>
#include <linux/module.h>
#include <linux/sched.h>

/* What the result line reports about the target at one moment. */
struct kmr_view {
	bool known;
	enum module_state state;
	int refcnt;		/* as lsmod prints it: refcnt - MODULE_REF_BASE */
	const char *exit;	/* "none", "present" or "stub" */
};

/* A task found executing inside the target (its pid and name). */
struct kmr_task_hit {
	pid_t pid;
	char comm[TASK_COMM_LEN];
};

struct module *kmr_target_get(const char *name, struct kobject **pin,
			      const char **error);
void kmr_target_put(struct kobject *pin);
void kmr_view_take(struct module *mod, void (*stub)(void),
		   struct kmr_view *view);
const char *kmr_state_name(enum module_state state);
int kmr_task_in_module(struct module *mod, struct kmr_task_hit *hit);

#endif /* KMODRESCUE_FIXER_H */
