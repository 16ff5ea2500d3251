#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Lab scenario (issue 7): the leak table of a real reference leak, and tracefs put back as it
# was after a normal stop, after a crashed tracer, and a clear refusal under lockdown.
# Runs in the guest as root; uses kmr-tracetool (helper/tracesession.cpp without D-Bus) from
# $KMR_BUILD_DIR/helper.
#
#   tests/vm/lab REL tests/vm/scenarios/trace_leak.sh [leak_table|crashed_tracer|unload|lockdown...]
. "$KMR_SOURCE_DIR/tests/vm/scenarios/lib.sh"
KMR_MODE=trace
T=/sys/kernel/tracing
TOOL=${KMR_BUILD_DIR:-}/helper/kmr-tracetool
OUT=${KMR_LAB_OUT:-/tmp}

# What "tracefs as it was" means: the instances, the dynamic events, the enabled events and
# filters of the top-level buffer.
tracefs_state() {
	ls "$T/instances"
	cat "$T/dynamic_events"
	cat "$T/set_event"
	cat "$T/events/module/module_get/filter" "$T/events/module/module_put/filter"
	cat "$T/events/module/module_get/trigger" "$T/events/module/module_put/trigger" | grep -v '^#'
}

leak_table() {
	[ -x "$TOOL" ] || fail "kmr-tracetool not built at $TOOL (build target kmr-tracetool)"
	[ -d "$T/instances" ] || fail "tracefs is not mounted at $T"
	BEFORE=$(tracefs_state)
	load kmr_refleak
	"$TOOL" kmr_refleak 'echo 3 >/sys/module/kmr_refleak/parameters/leak; echo 2 >/sys/module/kmr_refleak/parameters/balanced' \
		>"$OUT/trace_leak-$short_rel.txt" 2>&1 || fail "kmr-tracetool failed: $(cat "$OUT/trace_leak-$short_rel.txt")"
	sed 's/^/    /' "$OUT/trace_leak-$short_rel.txt"
	local top balanced total
	top=$(grep -m1 '^LEAK ' "$OUT/trace_leak-$short_rel.txt")
	balanced=$(grep '^LEAK .* kmr_refleak_balanced+0x' "$OUT/trace_leak-$short_rel.txt")
	total=$(grep '^TOTAL ' "$OUT/trace_leak-$short_rel.txt")
	# try_module_get is kmr_refleak_grab()'s tail call: the kernel reports grab's caller.
	[[ $top =~ ^LEAK\ 3\ 3\ 3\ 0\ kmr_refleak_set_leak\+0x[0-9a-f]+/0x[0-9a-f]+\ \[kmr_refleak\]$ ]] ||
		fail "the top of the leak table is '$top', expected 3 references held by kmr_refleak_set_leak+0x../0x.. [kmr_refleak]"
	[[ $balanced =~ ^LEAK\ 0\ 2\ 2\ 0\  ]] || fail "the balanced path's get site is '$balanced', expected held 0 (2 gets)"
	grep -q '^LEAK 0 -2 0 2 kmr_refleak_set_balanced+0x' "$OUT/trace_leak-$short_rel.txt" ||
		fail "no row for the balanced path's put site (kmr_refleak_set_balanced, 2 puts)"
	[[ $total == *" gets=5 puts=2 "* ]] || fail "expected 5 gets and 2 puts: $total"
	[[ $total == *" lsmod_refcnt=3 "* ]] || fail "the last event's refcount is not lsmod's 3: $total"
	[[ $total == *" overrun=0 "* ]] || fail "events were lost: $total"
	expect_refcnt kmr_refleak 3
	say "leak table: $top; balanced: $balanced"
	AFTER=$(tracefs_state)
	[ "$BEFORE" = "$AFTER" ] || fail "tracefs changed: before '$BEFORE' after '$AFTER'"
	say "tracefs is as it was (instances, dynamic events, enabled events, filters, triggers)"
}

crashed_tracer() {
	BEFORE=$(tracefs_state)
	"$TOOL" --quiet kmr_refleak 'sleep 30' >/dev/null 2>&1 &
	local pid=$! i
	for ((i = 0; i < 100; i++)); do
		[ -d "$T/instances/kmodrescue" ] && grep -q kmodrescue/kmr_put "$T/dynamic_events" && break
		sleep 0.1
	done
	[ -d "$T/instances/kmodrescue" ] || fail "the tracer never created its instance"
	kill -9 "$pid"
	wait "$pid" 2>/dev/null
	[ -d "$T/instances/kmodrescue" ] || fail "a killed tracer left nothing behind: the test does not test"
	say "killed the tracer; it left $(ls "$T/instances") and $(grep -c kmodrescue "$T/dynamic_events") eprobes"
	# The next start removes the leftovers first (as the helper does at startup).
	"$TOOL" --quiet kmr_refleak 'echo 1 >/sys/module/kmr_refleak/parameters/balanced' >"$OUT/trace_restart.txt" 2>&1 ||
		fail "the next trace after a crash failed: $(cat "$OUT/trace_restart.txt")"
	grep -q '^TOTAL .* gets=1 puts=1 ' "$OUT/trace_restart.txt" || fail "after the crash: $(cat "$OUT/trace_restart.txt")"
	AFTER=$(tracefs_state)
	[ "$BEFORE" = "$AFTER" ] || fail "tracefs changed: before '$BEFORE' after '$AFTER'"
	say "a crashed tracer's instance and eprobes are removed by the next start; tracefs as it was"
}

lockdown_refuses() {
	[ -e /sys/kernel/security/lockdown ] || fail "no /sys/kernel/security/lockdown in this kernel"
	echo confidentiality >/sys/kernel/security/lockdown || fail "cannot raise lockdown to confidentiality"
	local msg
	msg=$("$TOOL" --quiet kmr_refleak 'true' 2>&1) && fail "tracing worked under lockdown=confidentiality: $msg"
	say "refused: $msg"
	[[ $msg == *confidentiality* && $msg == *sampling* ]] || fail "the message does not say why and what still works: $msg"
	# Sampling still works: the refcount is readable.
	expect_refcnt kmr_refleak "$(cat /sys/module/kmr_refleak/refcnt)"
	[ -n "$(mod_refcnt kmr_refleak)" ] || fail "the refcount is not readable under lockdown"
}

# unload: give kmr_refleak's leaked references up the kernel's way (rmmod -f), so that the next
# script in the same boot (tests/vm/scenarios/chain.sh) loads a fresh one.
unload_refleak() {
	[ "${KMR_LAB_NOFORCE:-0}" != 1 ] || fail "the unload step needs the kernel's forced unload"
	expect_delete kmr_refleak ok --force
	expect_gone kmr_refleak
}

lockdown() {
	mod_loaded kmr_refleak || load kmr_refleak
	lockdown_refuses
}

# Default: all three. lockdown must come last: it cannot be lowered again in this boot.
for sc in ${*:-leak_table crashed_tracer lockdown}; do
	case $sc in
	leak_table | crashed_tracer | lockdown) run_scenario "$sc" "$sc" ;;
	unload) run_scenario unload unload_refleak ;;
	*) echo "no scenario $sc (have: leak_table crashed_tracer unload lockdown)"; exit 2 ;;
	esac
done
report
