// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kmr-delete-module: calls delete_module(2) directly and reports the
 * kernel's answer, so that lab scenarios can assert the exact errno
 * (kmod's rmmod checks the refcount itself and never asks the kernel).
 *
 *   kmr-delete-module NAME [--force]
 *
 * --force adds O_TRUNC (the kernel's forced unload). Prints "ok" or the
 * errno name (EBUSY, EAGAIN, ...) on stdout; exit status 0 on success, 1 on
 * a kernel error, 2 on bad usage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	unsigned int flags = O_NONBLOCK;

	if (argc == 3 && strcmp(argv[2], "--force") == 0)
		flags |= O_TRUNC;
	else if (argc != 2) {
		fprintf(stderr, "usage: %s NAME [--force]\n", argv[0]);
		return 2;
	}
	if (syscall(SYS_delete_module, argv[1], flags) == 0) {
		puts("ok");
		return 0;
	}
	const char *name = strerrorname_np(errno);

	printf("%s\n", name ? name : "EUNKNOWN");
	fflush(stdout);
	return 1;
}
