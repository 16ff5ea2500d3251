// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kmr-noforce: runs a command with the kernel's forced unload off-limits.
 *
 *   kmr-noforce COMMAND [ARGS...]
 *
 * Installs a seccomp filter, inherited by every descendant, under which
 * delete_module(2) with O_TRUNC (what `rmmod -f` does) fails with EPERM
 * without reaching the kernel. Everything else, including plain
 * delete_module and loading modules, is allowed. The lab runs fixer-only
 * scenarios under it so that they prove the fixer works on kernels built
 * without CONFIG_MODULE_FORCE_UNLOAD (Ubuntu, Fedora, RHEL).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sock_filter filter[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_delete_module, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		/* low 32 bits of the second argument (x86-64 is little-endian) */
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[1])),
		BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, O_TRUNC, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA)),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {
		.len = sizeof(filter) / sizeof(filter[0]),
		.filter = filter,
	};

	if (argc < 2) {
		fprintf(stderr, "usage: %s COMMAND [ARGS...]\n", argv[0]);
		return 2;
	}
	/*
	 * As root (CAP_SYS_ADMIN) the filter needs no PR_SET_NO_NEW_PRIVS, so
	 * set-user-ID programs below it (dbus-daemon-launch-helper) still work.
	 */
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0
	    && (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0
		|| prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0)) {
		fprintf(stderr, "%s: cannot install the seccomp filter: %s\n", argv[0], strerror(errno));
		return 1;
	}
	execvp(argv[1], argv + 1);
	fprintf(stderr, "%s: cannot run %s: %s\n", argv[0], argv[1], strerror(errno));
	return 127;
}
