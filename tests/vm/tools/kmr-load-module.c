// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kmr-load-module: loads a module image with init_module(2), not
 * finit_module(2).
 *
 *   kmr-load-module FILE.ko [PARAMS]
 *
 * The lab uses it for the module whose init oopses: on 6.6 and later,
 * finit_module() keeps a record on the loading task's stack until init
 * returns, and a task killed by an oops in init never removes it. Loading
 * through init_module() keeps that stale record out of the lab kernel.
 * Prints "ok" or the errno name; exit status 0 on success, 1 on error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: %s FILE.ko [PARAMS]\n", argv[0]);
		return 2;
	}
	int fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	struct stat st;

	if (fd < 0 || fstat(fd, &st) < 0) {
		fprintf(stderr, "%s: cannot read %s: %s\n", argv[0], argv[1], strerror(errno));
		return 1;
	}
	char *image = malloc(st.st_size);
	ssize_t done = 0;

	while (image && done < st.st_size) {
		ssize_t n = read(fd, image + done, st.st_size - done);

		if (n <= 0) {
			fprintf(stderr, "%s: short read on %s\n", argv[0], argv[1]);
			return 1;
		}
		done += n;
	}
	close(fd);
	if (!image) {
		fprintf(stderr, "%s: out of memory\n", argv[0]);
		return 1;
	}
	/* stdout is flushed first: the init may kill this process. */
	fflush(stdout);
	if (syscall(SYS_init_module, image, (unsigned long)st.st_size, argc == 3 ? argv[2] : "") == 0) {
		puts("ok");
		return 0;
	}
	const char *name = strerrorname_np(errno);

	printf("%s\n", name ? name : "EUNKNOWN");
	return 1;
}
