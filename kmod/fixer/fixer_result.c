// SPDX-License-Identifier: GPL-2.0
/*
 * fixer_result.c - the fixer's one machine-readable result line, and the
 * human-readable hint before it when the fixer refuses.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/printk.h>
#include <linux/string.h>

#include "fixer.h"

static const struct {
	const char *error;
	const char *hint;
} kmr_hints[] = {
	{ "no_target", "no target= given" },
	{ "bad_name", "target= must be 1-55 characters of [A-Za-z0-9_-]" },
	{ "self", "the fixer does not repair itself" },
	{ "bad_repairs", "repairs= must be a comma-separated subset of refcount,state,exit" },
	{ "not_found", "no loaded module has that name" },
	{ "builtin", "that module is built into the kernel" },
	{ "unformed", "the module is being set up or freed by the kernel right now" },
	{ "unloading", "the kernel is already freeing the module" },
	{ "held", "other modules use it (see its holders): remove them first" },
	{ "coming", "its init may still be running; coming_init_crashed=1 only if no task is in its init" },
	{ "going", "its exit may still be running; going_exit_crashed=1 only if no task is in its exit" },
	{ "incomplete", "with a stub exit the module must end up removable: add state and refcount to repairs=" },
	{ "code_running", "a task is executing inside the module" },
	{ "nomem", "out of memory" },
};

static void kmr_log_hint(const char *error)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(kmr_hints); i++) {
		if (!strcmp(kmr_hints[i].error, error)) {
			pr_info("refused: %s\n", kmr_hints[i].hint);
			return;
		}
	}
}

static void kmr_view_fields(const struct kmr_view *v, const char **state,
			    char *refcnt, size_t len, const char **exit)
{
	if (!v->known) {
		*state = "-";
		strscpy(refcnt, "-", len);
		*exit = "-";
		return;
	}
	*state = kmr_state_name(v->state);
	snprintf(refcnt, len, "%d", v->refcnt);
	*exit = v->exit;
}

/* The one machine-readable line; README.md is its contract. */
void kmr_log_result(const struct kmr_result *res)
{
	const char *bstate, *bexit, *astate, *aexit;
	char bref[12], aref[12];

	kmr_view_fields(&res->before, &bstate, bref, sizeof(bref), &bexit);
	kmr_view_fields(&res->after, &astate, aref, sizeof(aref), &aexit);
	if (res->error)
		kmr_log_hint(res->error);
	pr_info("result target=%s ok=%d error=%s before_state=%s before_refcnt=%s before_exit=%s after_state=%s after_refcnt=%s after_exit=%s resident=%d\n",
		res->target, !res->error, res->error ?: "none",
		bstate, bref, bexit, astate, aref, aexit, res->resident);
}
