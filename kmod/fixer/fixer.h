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
	/* lsmod's number: refcnt - MODULE_REF_BASE, -1 once unloading */
	int refcnt;
	const char *exit;	/* "none", "present" or "stub" */
};

/* What one run of the fixer reports (fixer_result.c logs it). */
struct kmr_result {
	char target[MODULE_NAME_LEN];
	const char *error;	/* NULL: ok */
	struct kmr_view before;
	struct kmr_view after;
	bool resident;
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
void kmr_log_result(const struct kmr_result *res);

#endif /* KMODRESCUE_FIXER_H */
