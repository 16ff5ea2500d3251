#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The stuck-module scenarios of the kmodrescue lab: every way a module of
# kmod/testmods gets stuck, repaired by kmodrescue_fixer alone and, where it
# addresses the cause, by the kernel's forced unload. One boot per kernel:
#
#   tests/vm/lab REL tests/vm/scenarios/stuck.sh [SCENARIO...]
#
# Every fixer repair runs in a child process under kmr-noforce, where
# delete_module(O_TRUNC) fails with EPERM (checked each time): the fixer's
# path is proven without the kernel's forced unload, as on kernels built
# without MODULE_FORCE_UNLOAD. The *_forced scenarios repair with rmmod -f.
# Run under `lab --no-force-unload`, the whole guest is fenced: the *_forced
# scenarios are not run and every rmmod -f must fail with EPERM.
#
# Scenarios that must change no taint run first, then the fixer's repairs
# (so the first one shows that the fixer itself taints R), then the kernel's
# forced unloads, then the two oopses (taint D).
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

fenced=${KMR_LAB_NOFORCE:-0}
KMR_MODE=$([ "$fenced" = 1 ] && echo fenced || echo both)

# expect_forced_refused NAME ANSWER: the kernel's forced unload does not
# address this cause; it must answer ANSWER (EPERM when fenced).
expect_forced_refused() {
	if [ "$fenced" = 1 ]; then
		expect_delete "$1" EPERM --force
	else
		expect_delete "$1" "$2" --force
	fi
}

# step_fixer_repair TARGET REPAIRS [PARAM=VALUE...]: run in a child process
# under kmr-noforce; the fixer repairs, then a plain delete_module() unloads.
step_fixer_repair() {
	local target=$1
	expect_delete "$target" EPERM --force
	fixer_repairs "$@"
	expect_delete "$target" ok
	fixer_cleanup
}

# fixer_repair TARGET REPAIRS [PARAM=VALUE...]
fixer_repair() {
	KMR_SCENARIO=$KMR_SCENARIO KMR_LAB_NOFORCE=1 \
		"$KMR_LAB_BIN/kmr-noforce" /bin/bash "$here/stuck.sh" --step step_fixer_repair "$@" ||
		fail "the fixer's repair of $1 (forced unload off-limits) failed"
}

# After every repair: gone, loader works, no new problem, taint as expected.
after_repair() {
	local name=$1 required=$2 mark=$3
	expect_gone "$name"
	fresh_module_works
	expect_no_problems "$mark"
	expect_taint "$KMR_TAINT_BEFORE" "$required"
}

# The legitimately busy module: refused, nothing changed.
sc_busychar() {
	local pid
	load kmr_busychar
	[ -c /dev/kmr_busychar ] || fail "/dev/kmr_busychar was not created"
	grep -q ' kmr_busychar$' /proc/devices || fail "no kmr_busychar major in /proc/devices"
	sleep 3600 </dev/kmr_busychar &
	pid=$!
	sleep 0.5
	# One open file of a register_chrdev() device holds two references:
	# one through the cdev (its owner), one through the file operations.
	expect_refcnt kmr_busychar 2
	readlink "/proc/$pid/fd/0" | grep -q kmr_busychar || fail "the sleeper does not hold /dev/kmr_busychar"
	expect_delete kmr_busychar EAGAIN
	if [ "$fenced" = 1 ]; then
		expect_delete kmr_busychar EPERM --force
	else
		say "not trying the forced unload: it would free code an open file still points to"
	fi
	expect_state kmr_busychar Live
	expect_refcnt kmr_busychar 2
	kill -0 "$pid" || fail "the process holding the device died"
	: </dev/kmr_busychar || fail "the device no longer opens"
	expect_refcnt kmr_busychar 2
	expect_no_problems "$KMR_MARK"
	expect_taint "$KMR_TAINT_BEFORE" 0
	say "refused and nothing changed; now the holder lets go"
	kill "$pid"
	wait "$pid" 2>/dev/null
	expect_refcnt kmr_busychar 0
	expect_delete kmr_busychar ok
	after_repair kmr_busychar 0 "$KMR_MARK"
}

# A holder module: B uses A's symbol, so A must wait for B.
sc_holder() {
	load kmr_provider
	load kmr_consumer
	[ "$(mod_holders kmr_provider)" = kmr_consumer ] ||
		fail "kmr_provider's holders are '$(mod_holders kmr_provider)', expected kmr_consumer"
	expect_refcnt kmr_provider 1
	expect_delete kmr_provider EAGAIN
	expect_forced_refused kmr_provider EAGAIN
	fixer_refuses kmr_provider refcount,state,exit
	[ "$FIX_error" = held ] || fail "the fixer refused with error=$FIX_error, expected held"
	expect_state kmr_provider Live
	expect_refcnt kmr_provider 1
	expect_taint "$KMR_TAINT_BEFORE" 0
	say "the right order: the holder first"
	expect_delete kmr_consumer ok
	expect_refcnt kmr_provider 0
	expect_delete kmr_provider ok
	expect_gone kmr_consumer
	after_repair kmr_provider 0 "$KMR_MARK"
}

# An exit that blocks: detected, refused, nothing made worse, then released.
sc_exithang() {
	local pid i st=
	load kmr_exithang
	"$KMR_LAB_BIN/kmr-delete-module" kmr_exithang >"$KMR_LAB_OUT/exithang.rmmod" 2>&1 &
	pid=$!
	for i in $(seq 1 100); do
		read -r _ _ st _ <"/proc/$pid/stat" 2>/dev/null
		[ "$st" = D ] && [ "$(mod_state kmr_exithang)" = Unloading ] && break
		sleep 0.1
	done
	[ "$st" = D ] || fail "the rmmod process is in state '${st:-gone}', expected D"
	expect_state kmr_exithang Unloading
	say "rmmod (pid $pid) is in D state; kernel stack:"
	sed 's/^/    /' "/proc/$pid/stack"
	grep -q kmr_exithang_exit "/proc/$pid/stack" || fail "kmr_exithang_exit is not on the rmmod's kernel stack"
	expect_delete kmr_exithang EBUSY
	expect_forced_refused kmr_exithang EBUSY
	fixer_refuses kmr_exithang refcount,state,exit
	[ "$FIX_error" = going ] || fail "the fixer refused with error=$FIX_error, expected going"
	# A caller that wrongly vouches that the exit crashed: where the kernel
	# exports stack_trace_save_tsk() (6.7 on), the fixer must still see the
	# task inside the exit and refuse. On older kernels it cannot look, and
	# the vouching is the caller's job (the helper reads /proc/PID/stack).
	if kernel_at_least 6 7; then
		fixer_refuses kmr_exithang refcount,state,exit going_exit_crashed=1
		[ "$FIX_error" = code_running ] ||
			fail "the fixer refused with error=$FIX_error, expected code_running"
	else
		say "kernel before 6.7: the fixer cannot scan task stacks, so not testing a false going_exit_crashed=1"
	fi
	expect_state kmr_exithang Unloading
	read -r _ _ st _ <"/proc/$pid/stat"
	[ "$st" = D ] || fail "the rmmod process left D state"
	expect_no_problems "$KMR_MARK"
	expect_taint "$KMR_TAINT_BEFORE" 0
	say "refused and nothing made worse; now releasing the exit"
	echo 1 >/sys/module/kmr_exithang/parameters/release || fail "cannot write parameters/release"
	wait "$pid"
	[ "$(cat "$KMR_LAB_OUT/exithang.rmmod")" = ok ] ||
		fail "the blocked rmmod ended with '$(cat "$KMR_LAB_OUT/exithang.rmmod")'"
	after_repair kmr_exithang 0 "$KMR_MARK"
}

# init without exit: EBUSY until forced or given a stub exit.
stuck_noexit() {
	load kmr_noexit
	expect_refcnt kmr_noexit 0
	expect_delete kmr_noexit EBUSY
}
sc_noexit_fixer() {
	stuck_noexit
	fixer_repair kmr_noexit exit
	after_repair kmr_noexit "$TAINT_FORCED_RMMOD" "$KMR_MARK"
}
sc_noexit_forced() {
	stuck_noexit
	expect_delete kmr_noexit ok --force
	after_repair kmr_noexit "$TAINT_FORCED_RMMOD" "$KMR_MARK"
}

# try_module_get(THIS_MODULE) in init without a put.
stuck_selfref() {
	load kmr_selfref
	expect_refcnt kmr_selfref 1
	[ -z "$(mod_holders kmr_selfref)" ] || fail "kmr_selfref has holders: $(mod_holders kmr_selfref)"
	expect_delete kmr_selfref EAGAIN
}
sc_selfref_fixer() {
	stuck_selfref
	fixer_repair kmr_selfref refcount
	after_repair kmr_selfref "$TAINT_FORCED_RMMOD" "$KMR_MARK"
}
sc_selfref_forced() {
	stuck_selfref
	expect_delete kmr_selfref ok --force
	after_repair kmr_selfref "$TAINT_FORCED_RMMOD" "$KMR_MARK"
}

# A leaks a reference on B: B stays busy after A is gone.
stuck_leak() {
	load kmr_victim
	load kmr_leaker
	expect_refcnt kmr_victim 1
	[ -z "$(mod_holders kmr_victim)" ] || fail "kmr_victim has holders: $(mod_holders kmr_victim)"
	expect_delete kmr_victim EAGAIN
	expect_delete kmr_leaker ok
	expect_gone kmr_leaker
	expect_refcnt kmr_victim 1
	expect_delete kmr_victim EAGAIN
}
sc_leak_fixer() {
	stuck_leak
	fixer_repair kmr_victim refcount
	after_repair kmr_victim "$TAINT_FORCED_RMMOD" "$KMR_MARK"
}
sc_leak_forced() {
	stuck_leak
	expect_delete kmr_victim ok --force
	after_repair kmr_victim "$TAINT_FORCED_RMMOD" "$KMR_MARK"
}

# A reference leaked on a code path, next to a balanced one.
stuck_refleak() {
	load kmr_refleak
	echo 3 >/sys/module/kmr_refleak/parameters/leak || fail "write to parameters/leak failed"
	expect_refcnt kmr_refleak 3
	echo 5 >/sys/module/kmr_refleak/parameters/balanced || fail "write to parameters/balanced failed"
	expect_refcnt kmr_refleak 3
	expect_delete kmr_refleak EAGAIN
}
sc_refleak_fixer() {
	stuck_refleak
	fixer_repair kmr_refleak refcount
	after_repair kmr_refleak "$TAINT_FORCED_RMMOD" "$KMR_MARK"
}
sc_refleak_forced() {
	stuck_refleak
	expect_delete kmr_refleak ok --force
	after_repair kmr_refleak "$TAINT_FORCED_RMMOD" "$KMR_MARK"
}

# expect_oops MARK FUNCTION: exactly one oops since MARK, in FUNCTION.
expect_oops() {
	local log n
	log=$(since_mark "$1")
	n=$(echo "$log" | grep -c -E 'BUG: kernel NULL pointer dereference|general protection fault')
	[ "$n" = 1 ] || fail "expected one oops since '$1', found $n: $(echo "$log" | grep -E "$KMR_OOPS_RE")"
	echo "$log" | grep -q "RIP: .*$2" || fail "the oops is not in $2: $(echo "$log" | grep 'RIP:')"
	say "one oops, in $2"
}

# An exit that oopses: the module is left Unloading.
sc_exitoops() {
	local rc mark
	load kmr_exitoops
	"$KMR_LAB_BIN/kmr-delete-module" kmr_exitoops
	rc=$?
	[ $rc -gt 128 ] || fail "rmmod of kmr_exitoops ended with status $rc; expected it killed by the oops"
	say "rmmod was killed by the oops (status $rc)"
	expect_oops "$KMR_MARK" kmr_exitoops_exit
	expect_state kmr_exitoops Unloading
	say "kmr_exitoops: Unloading, refcnt $(mod_refcnt kmr_exitoops)"
	mark="exitoops-repair-$RANDOM"
	kmsg_mark "$mark"
	expect_delete kmr_exitoops EBUSY
	expect_forced_refused kmr_exitoops EBUSY
	# The lab saw the rmmod die in the exit: it can vouch that no task is in it.
	fixer_repair kmr_exitoops refcount,state,exit going_exit_crashed=1
	after_repair kmr_exitoops "$((TAINT_FORCED_RMMOD | TAINT_DIE))" "$mark"
}

# A NULL dereference in init: the module is left Loading.
sc_initoops() {
	local rc mark
	"$KMR_LAB_BIN/kmr-load-module" "$(ko kmr_initoops)"
	rc=$?
	[ $rc -gt 128 ] || fail "loading kmr_initoops ended with status $rc; expected it killed by the oops"
	say "insmod was killed by the oops (status $rc)"
	expect_oops "$KMR_MARK" kmr_initoops_init
	expect_state kmr_initoops Loading
	say "kmr_initoops: Loading, refcnt $(mod_refcnt kmr_initoops)"
	mark="initoops-repair-$RANDOM"
	kmsg_mark "$mark"
	expect_delete kmr_initoops EBUSY
	expect_forced_refused kmr_initoops EBUSY
	# The lab saw the insmod die in the init: it can vouch that no task is in it.
	fixer_repair kmr_initoops refcount,state,exit coming_init_crashed=1
	after_repair kmr_initoops "$((TAINT_FORCED_RMMOD | TAINT_DIE))" "$mark"
}

# A child process under kmr-noforce runs one step and exits with its status.
if [ "${1:-}" = --step ]; then
	shift
	KMR_MODE=fixer
	"$@"
	exit $?
fi

all="busychar holder exithang noexit_fixer selfref_fixer leak_fixer refleak_fixer"
[ "$fenced" = 1 ] || all="$all noexit_forced selfref_forced leak_forced refleak_forced"
all="$all exitoops initoops"
echo "lab: kernel $(uname -r), $([ "$fenced" = 1 ] && echo 'forced unload fenced off for the whole guest' || echo 'fixer repairs fenced, forced unload available'), taint at start $(taint_letters "$(taint)")"
echo "lab: lockdown: $(cat /sys/kernel/security/lockdown 2>/dev/null || echo '?'), modules_disabled: $(cat /proc/sys/kernel/modules_disabled)"
for sc in ${*:-$all}; do
	declare -F "sc_$sc" >/dev/null || { echo "no scenario $sc (have: $all)"; exit 2; }
	run_scenario "$sc" "sc_$sc"
done
report
