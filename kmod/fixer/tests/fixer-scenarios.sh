#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The fixer's own proof: its result-line contract, every refusal, and every
# repair it makes, on a real kernel. Runs inside a lab guest (one boot per
# kernel); the kernel's forced unload is off-limits, so every unload below
# is the fixer's doing plus a plain delete_module():
#
#   tests/vm/lab --no-force-unload 6.1.0-56-amd64 kmod/fixer/tests/fixer-scenarios.sh
#   tests/vm/lab --no-force-unload 6.12.117+deb12-amd64 kmod/fixer/tests/fixer-scenarios.sh
#
# Optional arguments name the scenarios to run (default: all, refusals
# first, while the taint bits R and D are still clear).
# Uses the lab's helpers (tests/vm/scenarios/lib.sh): load, expect_delete,
# expect_gone, fresh_module_works, expect_no_problems, expect_taint...
set -u
. "$KMR_SOURCE_DIR/tests/vm/scenarios/lib.sh"

KMR_MODE=fixer
[ "${KMR_LAB_NOFORCE:-0}" = 1 ] || {
	echo "fixer-scenarios.sh must run with the forced unload off-limits: tests/vm/lab --no-force-unload"
	exit 2
}
FIXER=kmodrescue_fixer

# fix [PARAM=VALUE...]: insmod the fixer; sets FIX_<key> from its result line
# and FIX_insmod to insmod's status.
fix() {
	local id="fix-$RANDOM-$RANDOM" line kv out log
	[ -n "${KMR_FIXER_KO:-}" ] ||
		fail "the fixer is not built: $(tail -n 5 "${KMR_FIXER_BUILD_LOG:-/dev/null}" 2>/dev/null | tr '\n' ' ')"
	unset "${!FIX_@}"
	kmsg_mark "$id"
	out=$(insmod "$KMR_FIXER_KO" "$@" 2>&1)
	FIX_insmod=$?
	say "insmod $FIXER $* -> status $FIX_insmod${out:+: $out}"
	# One read of the log (each dmesg pipeline costs a noticeable time under TCG).
	log=$(since_mark "$id" | grep "$FIXER: ")
	[ -z "$log" ] || echo "$log" | sed 's/^/    dmesg: /'
	line=$(echo "$log" | grep -o "$FIXER: result .*" | tail -n 1)
	[ -n "$line" ] || fail "no result line from the fixer for $*"
	[ "$(echo "$log" | grep -c "$FIXER: result ")" = 1 ] || fail "more than one result line for $*"
	FIX_insmod_out=$out
	for kv in ${line#"$FIXER: result "}; do
		printf -v "FIX_${kv%%=*}" '%s' "${kv#*=}"
	done
	local k
	for k in target ok error before_state before_refcnt before_exit after_state after_refcnt after_exit resident; do
		v="FIX_$k"
		[ -n "${!v+x}" ] || fail "the result line has no $k=: $line"
	done
}

# expect_fix KEY=VALUE...: check result-line fields.
expect_fix() {
	local kv k v got
	for kv in "$@"; do
		k=${kv%%=*}
		v=${kv#*=}
		got="FIX_$k"
		[ "${!got-}" = "$v" ] || fail "result $k=${!got-<missing>}, expected $v"
	done
}

# refused PARAMS... -- ERROR: the fixer refuses with error=ERROR, insmod
# fails, the fixer is not left loaded, and the taint did not change.
refused() {
	local params=() error taint0
	while [ "$1" != -- ]; do
		params+=("$1")
		shift
	done
	error=$2
	taint0=$(taint)
	fix "${params[@]}"
	expect_fix ok=0 error="$error" resident=0
	[ "$FIX_insmod" != 0 ] || fail "insmod succeeded although the fixer refused"
	! mod_loaded $FIXER || fail "the fixer stayed loaded after refusing"
	[ $(( $(taint) & ~TAINT_LAB_LOAD )) = $(( taint0 & ~TAINT_LAB_LOAD )) ] || fail "a refusal changed the taint: $(taint_letters "$taint0") -> $(taint_letters "$(taint)")"
	say "refused with error=$error ($FIX_insmod_out)"
}

# The fixer is resident for TARGET: the kernel keeps it while TARGET exists.
expect_resident_for() {
	mod_loaded $FIXER || fail "resident=1 but $FIXER is not loaded"
	[ "$(mod_holders $FIXER)" = "$1" ] || fail "$FIXER's holders are '$(mod_holders $FIXER)', expected $1"
	grep -q "^$FIXER [0-9]* [0-9]* $1, " /proc/modules ||
		fail "/proc/modules does not list $1 as using $FIXER: $(grep "^$FIXER " /proc/modules)"
	expect_delete $FIXER EAGAIN
	say "$FIXER stays while $1 exists (used by $1; plain delete_module refused)"
}

# After the target's plain unload: the stub ran, and the fixer goes too.
expect_stub_ran_and_fixer_leaves() {
	since_mark "$2" | grep -q "$FIXER: $1: stub exit ran" || fail "the stub exit did not run for $1"
	expect_refcnt $FIXER 0
	[ -z "$(mod_holders $FIXER)" ] || fail "$FIXER still has holders: $(mod_holders $FIXER)"
	expect_delete $FIXER ok
	expect_gone $FIXER
}

after_repair() {
	expect_gone "$1"
	! mod_loaded $FIXER || fail "$FIXER is still loaded"
	fresh_module_works
	expect_no_problems "$2"
	expect_taint "$3" "$TAINT_FORCED_RMMOD"
}

# --- refusals --------------------------------------------------------------

sc_bad_input() {
	local unload="bad-input-unload-$RANDOM"
	refused -- no_target
	refused target= repairs=refcount -- no_target
	refused target=kmr_noexit -- bad_repairs
	# A loaded target does not make bad repairs acceptable. kmr_fresh unloads by itself, so the
	# scenario leaves nothing loaded (the lab runs the next scenarios in the same boot).
	load kmr_fresh
	refused target=kmr_fresh repairs= -- bad_repairs
	refused target=kmr_fresh repairs=refcount,bogus -- bad_repairs
	refused target=kmr_fresh repairs=refcount, -- bad_repairs
	refused target=../x repairs=refcount -- bad_name
	refused target=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa repairs=refcount -- bad_name
	refused target=kmodrescue_fixer repairs=refcount -- self
	refused target=kmodrescue-fixer repairs=refcount,state,exit -- self
	refused target=kmr_absent repairs=refcount -- not_found
	expect_fix target=kmr_absent before_state=- after_state=-
	refused target=printk repairs=refcount -- builtin
	# Nothing changed: still Live, unused, and a plain unload runs its own exit.
	expect_state kmr_fresh Live
	expect_refcnt kmr_fresh 0
	kmsg_mark "$unload"
	expect_delete kmr_fresh ok
	since_mark "$unload" | grep -q 'kmr_fresh: unloaded' || fail "kmr_fresh's own exit did not run"
	expect_gone kmr_fresh
	expect_no_problems "$KMR_MARK"
	expect_taint "$KMR_TAINT_BEFORE" 0
}

sc_held() {
	load kmr_provider
	load kmr_consumer
	refused target=kmr_provider repairs=refcount,state,exit -- held
	expect_fix before_state=live before_refcnt=1 after_refcnt=1 after_exit=present
	expect_refcnt kmr_provider 1
	expect_delete kmr_consumer ok
	expect_delete kmr_provider ok
	expect_gone kmr_provider
	expect_no_problems "$KMR_MARK"
	expect_taint "$KMR_TAINT_BEFORE" 0
}

# The exit that blocks: GOING without the caller's word is refused; with it,
# kernels that export stack_trace_save_tsk() (6.7+) still see the task in
# the exit and refuse. On 6.1 the fixer cannot look, so the caller's check
# is all there is: the scenario does not lie to the fixer there.
sc_exithang() {
	local pid i st=
	load kmr_exithang
	"$KMR_LAB_BIN/kmr-delete-module" kmr_exithang >"$KMR_LAB_OUT/fixer-exithang.rmmod" 2>&1 &
	pid=$!
	for i in $(seq 1 100); do
		st=$(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null)
		[ "$st" = D ] && [ "$(mod_state kmr_exithang)" = Unloading ] && break
		sleep 0.1
	done
	[ "$st" = D ] || fail "the rmmod process is in state '${st:-gone}', expected D"
	refused target=kmr_exithang repairs=refcount,state,exit -- going
	expect_fix before_state=going before_refcnt=-1 before_exit=present after_state=going
	case $rel in
	6.1.*) say "6.1 exports no stack_trace_save_tsk(): not asking with going_exit_crashed=1" ;;
	*)
		refused target=kmr_exithang repairs=refcount,state,exit going_exit_crashed=1 -- code_running
		since_mark "$KMR_MARK" | grep -q "$FIXER: task $pid (kmr-delete-mod" ||
			fail "the fixer did not name the rmmod task $pid"
		;;
	esac
	expect_state kmr_exithang Unloading
	[ "$(awk '{ print $3 }' "/proc/$pid/stat")" = D ] || fail "the rmmod process left D state"
	echo 1 >/sys/module/kmr_exithang/parameters/release || fail "cannot write parameters/release"
	wait "$pid"
	[ "$(cat "$KMR_LAB_OUT/fixer-exithang.rmmod")" = ok ] || fail "the blocked rmmod ended with '$(cat "$KMR_LAB_OUT/fixer-exithang.rmmod")'"
	expect_gone kmr_exithang
	expect_no_problems "$KMR_MARK"
	expect_taint "$KMR_TAINT_BEFORE" 0
}

# --- repairs ---------------------------------------------------------------

sc_noexit() {
	local t0=$(taint) mark="noexit-unload-$RANDOM"
	mod_loaded kmr_noexit || load kmr_noexit
	expect_delete kmr_noexit EBUSY
	forced_unload_off_limits kmr_noexit
	fix target=kmr-noexit repairs=exit
	expect_fix target=kmr_noexit ok=1 error=none before_state=live before_refcnt=0 before_exit=none \
		after_state=live after_refcnt=0 after_exit=stub resident=1
	[ "$FIX_insmod" = 0 ] || fail "insmod of a resident fixer failed ($FIX_insmod)"
	expect_resident_for kmr_noexit
	kmsg_mark "$mark"
	expect_delete kmr_noexit ok
	expect_stub_ran_and_fixer_leaves kmr_noexit "$mark"
	after_repair kmr_noexit "$KMR_MARK" "$t0"
}

sc_selfref() {
	local t0=$(taint)
	load kmr_selfref
	expect_delete kmr_selfref EAGAIN
	refused target=kmr_selfref repairs=exit -- incomplete
	fix target=kmr_selfref repairs=refcount
	expect_fix ok=1 error=none before_state=live before_refcnt=1 before_exit=present \
		after_state=live after_refcnt=0 after_exit=present resident=0
	[ "$FIX_insmod" != 0 ] || fail "insmod of a non-resident fixer returned 0"
	echo "$FIX_insmod_out" | grep -q 'Operation canceled' || fail "insmod did not say 'Operation canceled': $FIX_insmod_out"
	! mod_loaded $FIXER || fail "the fixer stayed loaded"
	expect_refcnt kmr_selfref 0
	expect_delete kmr_selfref ok
	after_repair kmr_selfref "$KMR_MARK" "$t0"
}

sc_leak() {
	local t0=$(taint)
	load kmr_victim
	load kmr_leaker
	expect_delete kmr_leaker ok
	expect_refcnt kmr_victim 1
	expect_delete kmr_victim EAGAIN
	fix target=kmr_victim repairs=refcount
	expect_fix ok=1 before_refcnt=1 after_refcnt=0 after_exit=present resident=0
	expect_delete kmr_victim ok
	after_repair kmr_victim "$KMR_MARK" "$t0"
}

sc_initoops() {
	local rc mark t0 unload="initoops-unload-$RANDOM"
	"$KMR_LAB_BIN/kmr-load-module" "$(ko kmr_initoops)"
	rc=$?
	[ $rc -gt 128 ] || fail "loading kmr_initoops ended with status $rc; expected it killed by the oops"
	expect_state kmr_initoops Loading
	mark="initoops-fix-$RANDOM"
	kmsg_mark "$mark"
	t0=$(taint)
	expect_delete kmr_initoops EBUSY
	refused target=kmr_initoops repairs=refcount,state,exit -- coming
	refused target=kmr_initoops repairs=refcount,exit coming_init_crashed=1 -- incomplete
	expect_fix before_state=coming before_refcnt=1 after_state=coming after_refcnt=1
	fix target=kmr_initoops repairs=refcount,state,exit coming_init_crashed=1
	expect_fix ok=1 before_state=coming before_refcnt=1 before_exit=present \
		after_state=live after_refcnt=0 after_exit=stub resident=1
	expect_resident_for kmr_initoops
	kmsg_mark "$unload"
	expect_delete kmr_initoops ok
	expect_stub_ran_and_fixer_leaves kmr_initoops "$unload"
	after_repair kmr_initoops "$mark" "$t0"
}

sc_exitoops() {
	local rc mark t0 unload="exitoops-unload-$RANDOM"
	load kmr_exitoops
	"$KMR_LAB_BIN/kmr-delete-module" kmr_exitoops
	rc=$?
	[ $rc -gt 128 ] || fail "rmmod of kmr_exitoops ended with status $rc; expected it killed by the oops"
	expect_state kmr_exitoops Unloading
	mark="exitoops-fix-$RANDOM"
	kmsg_mark "$mark"
	t0=$(taint)
	expect_delete kmr_exitoops EBUSY
	refused target=kmr_exitoops repairs=refcount,state,exit -- going
	fix target=kmr_exitoops repairs=refcount,state,exit going_exit_crashed=1
	expect_fix ok=1 before_state=going before_refcnt=-1 before_exit=present \
		after_state=live after_refcnt=0 after_exit=stub resident=1
	expect_resident_for kmr_exitoops
	kmsg_mark "$unload"
	expect_delete kmr_exitoops ok
	expect_stub_ran_and_fixer_leaves kmr_exitoops "$unload"
	after_repair kmr_exitoops "$mark" "$t0"
}

# The same crash, but the caller keeps the module's own exit (it undoes
# nothing init did not do): no stub, so the fixer does not stay.
sc_initoops_ownexit() {
	local rc mark t0 unload="initoops-own-unload-$RANDOM"
	"$KMR_LAB_BIN/kmr-load-module" "$(ko kmr_initoops)"
	rc=$?
	[ $rc -gt 128 ] || fail "loading kmr_initoops ended with status $rc; expected it killed by the oops"
	expect_state kmr_initoops Loading
	mark="initoops-own-fix-$RANDOM"
	kmsg_mark "$mark"
	t0=$(taint)
	fix target=kmr_initoops repairs=refcount,state coming_init_crashed=1
	expect_fix ok=1 before_state=coming before_refcnt=1 after_state=live after_refcnt=0 \
		after_exit=present resident=0
	! mod_loaded $FIXER || fail "the fixer stayed loaded"
	kmsg_mark "$unload"
	expect_delete kmr_initoops ok
	since_mark "$unload" | grep -q "kmr_initoops: exit" || fail "kmr_initoops's own exit did not run"
	after_repair kmr_initoops "$mark" "$t0"
}

all="bad_input held exithang noexit selfref leak initoops initoops_ownexit exitoops"
echo "fixer: kernel $(uname -r), taint at start $(taint_letters "$(taint)")"
for sc in ${*:-$all}; do
	declare -F "sc_$sc" >/dev/null || { echo "no scenario $sc (have: $all)"; exit 2; }
	run_scenario "$sc" "sc_$sc"
done
report
