#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Force Unload end to end: an unprivileged user whose polkit rule allows it clicks Force Unload in
# the GUI (offscreen), or runs `kmodrescue-cli unload NAME --force --yes`, on every stuck scenario; the helper starts by D-Bus
# activation, polkit decides, the helper walks the plan, and the module disappears. The
# legitimately busy module and the hanging exit are refused; a denied user changes nothing.
#
#   tests/vm/lab [--no-force-unload] REL tests/vm/scenarios/helper_unload.sh fixer|forced cli|gui [SCENARIO...]
set -u
here=$(dirname "$0")
. "$here/lib.sh"
. "$here/helper_env.sh"

KMR_MODE=${1:-forced}
KMR_CLIENT=${2:-cli}
shift 2
KMR_CLICK_BIN=$KMR_BUILD/tests/system/forceunloadclick
case $KMR_CLIENT in
cli) ;;
gui) [ -x "$KMR_CLICK_BIN" ] || { echo "no $KMR_CLICK_BIN: build forceunloadclick (needs the GUI)"; exit 1; } ;;
*) echo "usage: helper_unload.sh forced|fixer cli|gui [SCENARIO...]"; exit 2 ;;
esac

# cli_unload USER NAME [ARGS...]: Force Unload as USER through the chosen client; CLI_RC, CLI_OUT.
# cli: kmodrescue-cli unload NAME --yes ARGS. gui: the main window offscreen, Force Unload…,
# the plan dialog's button (tests/system/forceunloadclick); the GUI ticks the forced rungs the
# diagnosis suggests, so --force means nothing to it. Exit codes: 0 gone, 5 denied, 7 refused.
cli_unload() {
	local u=$1 name=$2 a
	shift 2
	if [ "$KMR_CLIENT" = gui ]; then
		local gargs=()
		for a in "$@"; do [ "$a" = --force ] || gargs+=("$a"); done
		CLI_OUT=$(as_user "$u" env HOME=/tmp XDG_RUNTIME_DIR=/tmp LSAN_OPTIONS="suppressions=$KMR_SOURCE_DIR/tests/lsan.supp" "$KMR_CLICK_BIN" "$name" "${gargs[@]}" 2>&1)
	else
		CLI_OUT=$(as_user "$u" "$KMR_CLI_BIN" unload "$name" --yes "$@" 2>&1)
	fi
	CLI_RC=$?
	echo "$CLI_OUT" | grep -v -e '^QStandardPaths' -e 'propagateSizeHints' | sed "s/^/    $KMR_CLIENT: /"
}

# unload_ok NAME [ARGS...]: as kmr-allowed, the module is gone afterwards.
unload_ok() {
	local name=$1
	shift
	cli_unload kmr-allowed "$name" "$@"
	[ "$CLI_RC" = 0 ] || fail "kmodrescue-cli unload $name $* exited $CLI_RC"
	expect_gone "$name"
	! mod_loaded kmodrescue_fixer || fail "the fixer stayed loaded after $name was gone"
}

after() {
	fresh_module_works
	expect_no_problems "$1"
	expect_taint "$KMR_TAINT_BEFORE" "$2"
}

sc_denied() {
	load kmr_noexit
	cli_unload kmr-denied kmr_noexit --force
	[ "$CLI_RC" = 5 ] || fail "a denied user got exit $CLI_RC, expected 5 (denied)"
	echo "$CLI_OUT" | grep -q 'Not authorized' || fail "the $KMR_CLIENT did not say 'Not authorized'"
	expect_state kmr_noexit Live
	expect_taint "$KMR_TAINT_BEFORE" 0
	say "denied, nothing changed"
	expect_delete kmr_noexit EBUSY
	# Leave it for the noexit scenario's own load: unload it the lab's way.
	if [ "$KMR_MODE" = forced ]; then expect_delete kmr_noexit ok --force; else fixer_repairs kmr_noexit exit; expect_delete kmr_noexit ok; fixer_cleanup; fi
}

sc_busychar() {
	local pid
	load kmr_busychar
	sleep 3600 </dev/kmr_busychar &
	pid=$!
	sleep 0.5
	expect_refcnt kmr_busychar 2
	cli_unload kmr-allowed kmr_busychar --force
	[ "$CLI_RC" = 7 ] || fail "the busy module got exit $CLI_RC, expected 7 (refused)"
	echo "$CLI_OUT" | grep -q 'really in use' || fail "the refusal does not say the module is really in use"
	expect_state kmr_busychar Live
	expect_refcnt kmr_busychar 2
	kill -0 "$pid" || fail "the holder died"
	expect_taint "$KMR_TAINT_BEFORE" 0
	say "refused, nothing changed"
	kill "$pid"
	wait "$pid" 2>/dev/null
	unload_ok kmr_busychar
	after "$KMR_MARK" 0
}

sc_holder() {
	load kmr_provider
	load kmr_consumer
	unload_ok kmr_provider --with-holders
	expect_gone kmr_consumer
	after "$KMR_MARK" 0
}

sc_noexit() {
	load kmr_noexit
	unload_ok kmr_noexit --force
	after "$KMR_MARK" "$TAINT_FORCED_RMMOD"
}

sc_selfref() {
	load kmr_selfref
	unload_ok kmr_selfref --force
	after "$KMR_MARK" "$TAINT_FORCED_RMMOD"
}

sc_leak() {
	load kmr_victim
	load kmr_leaker
	expect_delete kmr_leaker ok
	unload_ok kmr_victim --force
	after "$KMR_MARK" "$TAINT_FORCED_RMMOD"
}

sc_exithang() {
	local pid i st=
	load kmr_exithang
	"$KMR_LAB_BIN/kmr-delete-module" kmr_exithang >"$KMR_LAB_OUT/exithang.rmmod" 2>&1 &
	pid=$!
	for i in $(seq 1 100); do
		st=$(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null)
		[ "$st" = D ] && break
		sleep 0.1
	done
	[ "$st" = D ] || fail "the rmmod is in state '${st:-gone}', expected D"
	cli_unload kmr-allowed kmr_exithang --force
	[ "$CLI_RC" != 0 ] || fail "the hanging exit was not refused"
	expect_state kmr_exithang Unloading
	[ "$(awk '{ print $3 }' "/proc/$pid/stat")" = D ] || fail "the rmmod left D state"
	expect_no_problems "$KMR_MARK"
	expect_taint "$KMR_TAINT_BEFORE" 0
	say "refused (exit $CLI_RC), nothing made worse; releasing the exit"
	echo 1 >/sys/module/kmr_exithang/parameters/release
	wait "$pid"
	expect_gone kmr_exithang
	fresh_module_works
}

sc_exitoops() {
	local mark
	load kmr_exitoops
	"$KMR_LAB_BIN/kmr-delete-module" kmr_exitoops
	expect_state kmr_exitoops Unloading
	mark="exitoops-helper-$RANDOM"
	kmsg_mark "$mark"
	unload_ok kmr_exitoops --force
	after "$mark" "$((TAINT_FORCED_RMMOD | TAINT_DIE))"
}

sc_initoops() {
	local mark
	"$KMR_LAB_BIN/kmr-load-module" "$(ko kmr_initoops)"
	expect_state kmr_initoops Loading
	mark="initoops-helper-$RANDOM"
	kmsg_mark "$mark"
	if [ "$KMR_CLIENT" = gui ]; then
		# The user may not read the kernel log (Debian boots with kernel.dmesg_restrict=1): the
		# plan's diagnosis cites the crash from the log the Kernel Log tab read through the helper.
		[ "$(cat /proc/sys/kernel/dmesg_restrict)" = 1 ] || fail "kernel.dmesg_restrict is not 1: the scenario proves nothing"
		unload_ok kmr_initoops --helper-log
		echo "$CLI_OUT" | grep -q '^cites: oops-[0-9]* .*kmr_initoops_init' \
			|| fail "the plan's diagnosis does not cite the crash in kmr_initoops_init"
	else
		unload_ok kmr_initoops --force
	fi
	after "$mark" "$((TAINT_FORCED_RMMOD | TAINT_DIE))"
}

helper_env_setup || { echo "KMR-SCENARIO setup FAIL"; exit 1; }
all="denied busychar holder exithang noexit selfref leak exitoops initoops"
echo "lab: helper scenarios on $(uname -r), mode $KMR_MODE, client $KMR_CLIENT"
for sc in ${*:-$all}; do
	declare -F "sc_$sc" >/dev/null || { echo "no scenario $sc (have: $all)"; exit 2; }
	run_scenario "$sc" "sc_$sc"
done
helper_running && echo "lab: the helper is still running (idle timeout pending)"
# The next script in the same boot (tests/vm/scenarios/chain.sh) starts its own bus and helper.
helper_env_teardown || KMR_FAILED=$((KMR_FAILED + 1))
report
