#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The stuck-module scenarios of the kmodrescue lab, one boot per kernel and
# mode. Run through the lab:
#
#   tests/vm/lab --no-force-unload REL tests/vm/scenarios/stuck.sh fixer
#   tests/vm/lab REL tests/vm/scenarios/stuck.sh forced
#
# fixer:  every repair goes through kmodrescue_fixer; the kernel's forced
#         unload is off-limits (kmr-noforce makes delete_module(O_TRUNC) fail
#         with EPERM), as on kernels built without MODULE_FORCE_UNLOAD.
# forced: the kernel's forced unload (rmmod -f) where it addresses the cause;
#         where it does not, the scenario shows that it is refused and then
#         repairs with the fixer.
#
# Optional further arguments name the scenarios to run (default: all).
# Scenarios that change no taint run first, while R and D are still clear.
set -u
. "$(dirname "$0")/lib.sh"

KMR_MODE=${1:-}
shift
case $KMR_MODE in
fixer)
	[ "${KMR_LAB_NOFORCE:-0}" = 1 ] || {
		echo "stuck.sh fixer must run with the forced unload off-limits: tests/vm/lab --no-force-unload"
		exit 2
	}
	;;
forced) ;;
*)
	echo "usage: stuck.sh fixer|forced [SCENARIO...]"
	exit 2
	;;
esac

# try_forced NAME ANSWER: the kernel's forced unload must answer ANSWER in
# forced mode; in fixer mode it must be out of reach.
try_forced() {
	if [ "$KMR_MODE" = forced ]; then
		expect_delete "$1" "$2" --force
	else
		forced_unload_off_limits "$1"
	fi
}

# The repair for a leaked reference: forced unload, or the fixer's refcount
# reset followed by a plain unload.
repair_refcount() {
	if [ "$KMR_MODE" = forced ]; then
		expect_delete "$1" ok --force
	else
		forced_unload_off_limits "$1"
		fixer_repairs "$1" refcount
		expect_delete "$1" ok
		fixer_cleanup
	fi
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
	local pid refcnt
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
	if [ "$KMR_MODE" = fixer ]; then
		forced_unload_off_limits kmr_busychar
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
	[ $(( $(taint) & TAINT_FORCED_RMMOD )) -eq 0 ] || [ $(( KMR_TAINT_BEFORE & TAINT_FORCED_RMMOD )) -ne 0 ] ||
		fail "the kernel is now tainted R"
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
	try_forced kmr_provider EAGAIN
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
		st=$(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null)
		[ "$st" = D ] && [ "$(mod_state kmr_exithang)" = Unloading ] && break
		sleep 0.1
	done
	[ "$st" = D ] || fail "the rmmod process is in state '${st:-gone}', expected D"
	expect_state kmr_exithang Unloading
	say "rmmod (pid $pid) is in D state; kernel stack:"
	sed 's/^/    /' "/proc/$pid/stack"
	grep -q kmr_exithang_exit "/proc/$pid/stack" || fail "kmr_exithang_exit is not on the rmmod's kernel stack"
	expect_delete kmr_exithang EBUSY
	try_forced kmr_exithang EBUSY
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
	[ "$(awk '{ print $3 }' "/proc/$pid/stat")" = D ] || fail "the rmmod process left D state"
	expect_no_problems "$KMR_MARK"
	expect_taint "$KMR_TAINT_BEFORE" 0
	say "refused and nothing made worse; now releasing the exit"
	echo 1 >/sys/module/kmr_exithang/parameters/release || fail "cannot write parameters/release"
	wait "$pid"
	[ "$(cat "$KMR_LAB_OUT/exithang.rmmod")" = ok ] ||
		fail "the blocked rmmod ended with '$(cat "$KMR_LAB_OUT/exithang.rmmod")'"
	after_repair kmr_exithang 0 "$KMR_MARK"
}

# init without exit: busy until forced or given a stub exit.
sc_noexit() {
	load kmr_noexit
	expect_refcnt kmr_noexit 0
	expect_delete kmr_noexit EBUSY
	if [ "$KMR_MODE" = forced ]; then
		expect_delete kmr_noexit ok --force
	else
		forced_unload_off_limits kmr_noexit
		fixer_repairs kmr_noexit exit
		expect_delete kmr_noexit ok
		fixer_cleanup
	fi
	after_repair kmr_noexit "$TAINT_FORCED_RMMOD" "$KMR_MARK"
}

# try_module_get(THIS_MODULE) in init without a put.
sc_selfref() {
	load kmr_selfref
	expect_refcnt kmr_selfref 1
	[ -z "$(mod_holders kmr_selfref)" ] || fail "kmr_selfref has holders: $(mod_holders kmr_selfref)"
	expect_delete kmr_selfref EAGAIN
	repair_refcount kmr_selfref
	after_repair kmr_selfref "$TAINT_FORCED_RMMOD" "$KMR_MARK"
}

# A leaks a reference on B: B stays busy after A is gone.
sc_leak() {
	load kmr_victim
	load kmr_leaker
	expect_refcnt kmr_victim 1
	[ -z "$(mod_holders kmr_victim)" ] || fail "kmr_victim has holders: $(mod_holders kmr_victim)"
	expect_delete kmr_victim EAGAIN
	expect_delete kmr_leaker ok
	expect_refcnt kmr_victim 1
	expect_delete kmr_victim EAGAIN
	repair_refcount kmr_victim
	expect_gone kmr_leaker
	after_repair kmr_victim "$TAINT_FORCED_RMMOD" "$KMR_MARK"
}

# A reference leaked on a code path, next to a balanced one.
sc_refleak() {
	load kmr_refleak
	echo 3 >/sys/module/kmr_refleak/parameters/leak || fail "write to parameters/leak failed"
	expect_refcnt kmr_refleak 3
	echo 5 >/sys/module/kmr_refleak/parameters/balanced || fail "write to parameters/balanced failed"
	expect_refcnt kmr_refleak 3
	expect_delete kmr_refleak EAGAIN
	repair_refcount kmr_refleak
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
	try_forced kmr_exitoops EBUSY
	# The lab saw the rmmod die in the exit: it can vouch that no task is in it.
	fixer_repairs kmr_exitoops refcount,state,exit going_exit_crashed=1
	expect_delete kmr_exitoops ok
	fixer_cleanup
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
	try_forced kmr_initoops EBUSY
	# The lab saw the insmod die in the init: it can vouch that no task is in it.
	fixer_repairs kmr_initoops refcount,state,exit coming_init_crashed=1
	expect_delete kmr_initoops ok
	fixer_cleanup
	after_repair kmr_initoops "$((TAINT_FORCED_RMMOD | TAINT_DIE))" "$mark"
}

all="busychar holder exithang noexit selfref leak refleak exitoops initoops"
echo "lab: kernel $(uname -r), mode $KMR_MODE, taint at start $(taint_letters "$(taint)")"
echo "lab: lockdown: $(cat /sys/kernel/security/lockdown 2>/dev/null || echo '?'), modules_disabled: $(cat /proc/sys/kernel/modules_disabled)"
for sc in ${*:-$all}; do
	declare -F "sc_$sc" >/dev/null || { echo "no scenario $sc (have: $all)"; exit 2; }
	run_scenario "$sc" "sc_$sc"
done
report
