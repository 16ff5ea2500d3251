#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Lab scenario (issue 7): refcount tracing through the real helper, as unprivileged users:
# D-Bus activation, polkit (action trace), the leak table of kmr_refleak, the trace stopped and
# tracefs put back when the client is killed, and a denied user changing nothing.
. "$KMR_SOURCE_DIR/tests/vm/scenarios/lib.sh"
. "$KMR_SOURCE_DIR/tests/vm/scenarios/helper_env.sh"
KMR_MODE=helper
T=/sys/kernel/tracing
TOOL=$KMR_BUILD/helper/kmr-tracetool
P=/sys/module/kmr_refleak/parameters

tracefs_state() {
	ls "$T/instances"
	cat "$T/dynamic_events" "$T/set_event"
}

setup_module() {
	mod_loaded kmr_refleak || load kmr_refleak
	# Let the test users drive the module (its parameters are root-only).
	chmod 0222 "$P/leak" "$P/balanced" || fail "cannot chmod the module's parameters"
}

allowed_user_traces() {
	[ -x "$TOOL" ] || fail "kmr-tracetool not built at $TOOL"
	setup_module
	BEFORE=$(tracefs_state)
	local out=/tmp/trace_helper.txt
	as_user kmr-allowed "$TOOL" --via-helper kmr_refleak "echo 3 >$P/leak; echo 2 >$P/balanced" >$out 2>&1 ||
		fail "tracing through the helper failed: $(cat $out)"
	sed 's/^/    /' $out
	grep -m1 '^LEAK ' $out | grep -Eq '^LEAK 3 3 3 0 kmr_refleak_set_leak\+0x[0-9a-f]+/0x[0-9a-f]+ \[kmr_refleak\]$' ||
		fail "the top of the leak table is not kmr_refleak_set_leak holding 3: $(grep -m1 '^LEAK' $out)"
	grep -Eq '^LEAK 0 2 2 0 kmr_refleak_balanced\+0x' $out || fail "the balanced path does not show 0 held"
	grep -q '^TOTAL events=7 gets=5 puts=2 lsmod_refcnt=3 ' $out || fail "unexpected totals: $(grep TOTAL $out)"
	[ "$BEFORE" = "$(tracefs_state)" ] || fail "tracefs changed: before '$BEFORE' after '$(tracefs_state)'"
	say "through D-Bus and polkit: $(grep -m1 '^LEAK' $out); tracefs as it was"
}

killed_client_stops_the_trace() {
	setup_module
	BEFORE=$(tracefs_state)
	# The traced command outlives the 60 s this scenario waits below: only the helper noticing
	# the killed client can end the trace in time, not the client finishing normally.
	as_user kmr-allowed "$TOOL" --quiet --via-helper kmr_refleak 'sleep 600' >/tmp/trace_kill.txt 2>&1 &
	local pid=$! i client
	for ((i = 0; i < 300; i++)); do
		grep -q STARTED /tmp/trace_kill.txt && break
		sleep 0.1
	done
	grep -q STARTED /tmp/trace_kill.txt || fail "the trace never started: $(cat /tmp/trace_kill.txt)"
	[ -d "$T/instances/kmodrescue" ] || fail "the helper's trace instance is missing while tracing"
	# The client itself, not the runuser above it (killing runuser leaves the client running).
	client=$(pgrep -u kmr-allowed -x kmr-tracetool)
	[[ $client =~ ^[0-9]+$ ]] || fail "expected one kmr-tracetool process of kmr-allowed, found '${client//$'\n'/ }'"
	kill -9 "$client"
	wait "$pid" 2>/dev/null
	say "killed the client (pid $client)"
	# The bus tells the helper the client is gone; the helper then removes its instance. A poll:
	# it costs what the helper needs (60 s at most, for an ASan-built helper under TCG).
	local t0=$EPOCHREALTIME
	for ((i = 0; i < 600; i++)); do
		[ -d "$T/instances/kmodrescue" ] || break
		sleep 0.1
	done
	[ ! -d "$T/instances/kmodrescue" ] || fail "the trace instance outlived its killed client by 60 s; helper log: $(tail -n 5 /var/log/kmodrescue-helper.log 2>/dev/null)"
	[ "$BEFORE" = "$(tracefs_state)" ] || fail "tracefs changed: before '$BEFORE' after '$(tracefs_state)'"
	say "the killed client's trace was stopped by the helper after $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }') s; tracefs as it was"
	# The client's traced command, orphaned by the kill.
	pkill -u kmr-allowed -x sleep
}

denied_user_changes_nothing() {
	setup_module
	BEFORE=$(tracefs_state)
	local msg
	msg=$(as_user kmr-denied "$TOOL" --via-helper kmr_refleak 'true' 2>&1) && fail "kmr-denied could trace: $msg"
	[[ $msg == *NotAuthorized* ]] || fail "expected NotAuthorized: $msg"
	[ "$BEFORE" = "$(tracefs_state)" ] || fail "tracefs changed for a denied user"
	say "denied: $msg"
}

helper_env_setup || { echo "KMR-SCENARIO setup FAIL"; exit 1; }
run_scenario helper_trace allowed_user_traces
run_scenario killed_client killed_client_stops_the_trace
run_scenario denied denied_user_changes_nothing
# The next script in the same boot (tests/vm/scenarios/chain.sh) finds no helper, bus or polkitd.
helper_env_teardown || KMR_FAILED=$((KMR_FAILED + 1))
report
