#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The diagnosis on a real kernel: every stuck scenario of kmod/testmods is set up in one guest and
# `kmodrescue-cli diagnose NAME --json` must name the right cause, with its evidence and remedy.
# Run through the lab (ctest label vm does, on both kernels):
#
#   KMR_BUILD_DIR=build/dev tests/vm/lab REL tests/vm/scenarios/diag_stuck.sh [SCENARIO...]
#
# Each diagnosis is kept in $KMR_LAB_OUT/diag/NAME.json (and the non-root view in NAME.user.json).
set -u
. "$(dirname "$0")/lib.sh"
KMR_MODE=diag

cli=${KMR_CLI:-${KMR_BUILD_DIR:-}/cli/kmodrescue-cli}
if [ ! -x "$cli" ]; then
	echo "diag: FAIL: no kmodrescue-cli at '$cli': build the project and set KMR_BUILD_DIR (ctest does)"
	exit 1
fi
command -v jq >/dev/null || { echo "diag: FAIL: jq is missing (Debian: jq)"; exit 1; }
# The lab loads its modules with insmod from the build tree: tell the snapshot where the .ko files are.
KODIRS=$KMR_TESTMODS
[ -n "${KMR_OLDCC_KO:-}" ] && KODIRS="$KODIRS:$(dirname "$KMR_OLDCC_KO")"
export KODIRS
export KMODRESCUE_MODULE_PATH=$KODIRS
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}
diagdir=$KMR_LAB_OUT/diag
mkdir -p "$diagdir"

# diagnose_all SUFFIX [RUNNER...]: one CLI run for every module set up (one system scan, one log
# read: each run costs seconds under TCG); each module's diagnosis goes to $diagdir/NAME$SUFFIX.json.
diagnose_all() {
	local suffix=$1 t0=$EPOCHREALTIME all m
	shift
	all=$diagdir/all$suffix.json
	"$@" "$cli" diagnose "${MODULES[@]}" --json >"$all" 2>"$all.err" ||
		fail "kmodrescue-cli diagnose ${MODULES[*]} failed (status $?): $(head -c 600 "$all.err")"
	say "kmodrescue-cli diagnose (${#MODULES[@]} modules$suffix) took $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }') s"
	for m in "${MODULES[@]}"; do
		jq --arg m "$m" '.diagnoses[] | select(.module == $m)' "$all" >"$diagdir/$m$suffix.json"
		[ -s "$diagdir/$m$suffix.json" ] || fail "no diagnosis of $m in $all"
	done
}

# use NAME [SUFFIX]: the diagnosis the checks below look at; prints its sentences.
use() {
	DIAG=$diagdir/$1${2:-}.json
	say "kmodrescue-cli diagnose $1${2:-}: $(jq -r '[.findings[].kind] | join(", ")' "$DIAG")"
	jq -r '.findings[] | "    [\(.severity)] \(.sentence)"' "$DIAG"
}

# expect_finding KIND [JQ-CONDITION]: a finding of KIND for which the condition holds.
expect_finding() {
	local kind=$1 cond=${2:-true}
	jq -e --arg k "$kind" "[.findings[] | select(.kind == \$k) | select($cond)] | length > 0" "$DIAG" >/dev/null ||
		fail "no '$kind' finding${2:+ where $2} in $DIAG: $(jq -c '[.findings[] | {kind, severity, sentence}]' "$DIAG")"
	say "has $kind${2:+ where $2}"
}

expect_no_finding() {
	jq -e --arg k "$1" '[.findings[] | select(.kind == $k)] | length == 0' "$DIAG" >/dev/null ||
		fail "unexpected '$1' finding in $DIAG: $(jq -c --arg k "$1" '[.findings[] | select(.kind == $k) | .sentence]' "$DIAG")"
	say "no $1 finding, as expected"
}

expect_stuck() {
	[ "$(jq -r .stuck "$DIAG")" = "$1" ] || fail "stuck is $(jq -r .stuck "$DIAG") in $DIAG, expected $1"
}

# --- set-up: every stuck kind at once (one process each, state kept in files) ---------------
MODULES=()
setup_holder() { load kmr_provider; load kmr_consumer; MODULES+=(kmr_provider kmr_consumer); }
setup_noexit() { load kmr_noexit; MODULES+=(kmr_noexit); }
setup_selfref() { load kmr_selfref; MODULES+=(kmr_selfref); }
setup_leak() {
	load kmr_victim
	load kmr_leaker
	"$KMR_LAB_BIN/kmr-delete-module" kmr_leaker >/dev/null
	! mod_loaded kmr_leaker || fail "kmr_leaker did not unload"
	MODULES+=(kmr_victim)
}
setup_refleak() {
	load kmr_refleak
	echo 3 >/sys/module/kmr_refleak/parameters/leak || fail "write to parameters/leak failed"
	echo 5 >/sys/module/kmr_refleak/parameters/balanced || fail "write to parameters/balanced failed"
	MODULES+=(kmr_refleak)
}
setup_busychar() {
	load kmr_busychar
	sleep 3600 </dev/kmr_busychar &
	echo $! >"$diagdir/busychar.pid"
	MODULES+=(kmr_busychar)
}
setup_compiler() {
	load kmr_fresh
	MODULES+=(kmr_fresh)
	if [ -n "${KMR_OLDCC_KO:-}" ]; then
		insmod "$KMR_OLDCC_KO" || fail "insmod kmr_oldcc failed"
		MODULES+=(kmr_oldcc)
	fi
}
setup_exithang() {
	local pid i st=
	load kmr_exithang
	"$KMR_LAB_BIN/kmr-delete-module" kmr_exithang >/dev/null 2>&1 &
	pid=$!
	echo "$pid" >"$diagdir/exithang.pid"
	for i in $(seq 1 100); do
		st=$(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null)
		[ "$st" = D ] && [ "$(mod_state kmr_exithang)" = Unloading ] && break
		sleep 0.1
	done
	[ "$st" = D ] || fail "the unloading process is in state '${st:-gone}', expected D"
	MODULES+=(kmr_exithang)
}
setup_exitoops() {
	load kmr_exitoops
	"$KMR_LAB_BIN/kmr-delete-module" kmr_exitoops >/dev/null 2>&1
	expect_state kmr_exitoops Unloading
	MODULES+=(kmr_exitoops)
}
setup_initoops() {
	"$KMR_LAB_BIN/kmr-load-module" "$(ko kmr_initoops)" >/dev/null 2>&1
	expect_state kmr_initoops Loading
	MODULES+=(kmr_initoops)
}

# --- checks -------------------------------------------------------------------------------------
sc_holder() {
	use kmr_provider
	expect_stuck true
	expect_finding held-by-modules '.unloadOrder == ["kmr_consumer"] and .severity == "blocker"'
	expect_finding held-by-modules '.steps == ["unload-holders", "rmmod"]'
	use kmr_consumer
	expect_stuck false
	expect_finding unloadable
}

sc_noexit() {
	use kmr_noexit
	expect_stuck true
	expect_finding no-exit-function '.severity == "blocker" and (.steps | index("fixer-stub-exit") != null)'
	expect_finding forced-unload '.steps == ["forced-unload"]' # both kernels have CONFIG_MODULE_FORCE_UNLOAD=y
}

sc_selfref() {
	use kmr_selfref
	expect_finding leaked-reference '.severity == "blocker" and (.steps | index("fixer-reset-refcount") != null)'
	expect_no_finding real-use
}

sc_leak() {
	use kmr_victim
	expect_finding leaked-reference '.evidence | map(select(.label == "refcount" and .value == "1")) | length == 1'
	expect_no_finding held-by-modules
}

sc_refleak() {
	use kmr_refleak
	expect_finding leaked-reference '.sentence | test("3 references")'
}

sc_busychar() {
	use kmr_busychar
	expect_stuck true
	expect_finding real-use ".severity == \"blocker\" and (.evidence | map(select(.pid == $(cat "$diagdir/busychar.pid"))) | length > 0)"
	expect_no_finding leaked-reference
	jq -e '.users | map(select(.kind == "device-node" and (.what | test("/dev/kmr_busychar")))) | length > 0' "$DIAG" >/dev/null ||
		fail "the users list does not name /dev/kmr_busychar: $(jq -c .users "$DIAG")"
}

sc_compiler() {
	use kmr_fresh
	expect_no_finding compiler-mismatch
	expect_no_finding vermagic-mismatch
	if [ -n "${KMR_OLDCC_KO:-}" ]; then
		use kmr_oldcc
		expect_finding compiler-mismatch '.severity == "warning" and (.sentence | test("GCC 11\\.3\\.0.*GCC 12\\.2\\.0"))'
	else
		say "no gcc-11 build of kmr_oldcc for this kernel (the lab builds it against the 6.1 headers only)"
		case $rel in 6.1.*) fail "kmr_oldcc was not built for $rel" ;; esac
	fi
}

sc_exithang() {
	local pid
	pid=$(cat "$diagdir/exithang.pid")
	# As root (the helper's view): the kernel stack is read and shows the exit.
	use kmr_exithang
	expect_finding exit-still-running ".steps == [\"wait\"] and (.evidence | map(select(.pid == $pid)) | length == 1)"
	expect_finding exit-still-running '.evidence | map(select(.label == "kernel stack" and (.detail | join(" ") | test("kmr_exithang_exit")))) | length == 1'
	# As a normal user: the stack is marked as needing the helper.
	local t0=$EPOCHREALTIME
	setpriv --reuid=65534 --regid=65534 --clear-groups "$cli" diagnose kmr_exithang --json \
		>"$diagdir/kmr_exithang.user.json" 2>"$diagdir/kmr_exithang.user.err" ||
		fail "kmodrescue-cli diagnose kmr_exithang as nobody failed: $(head -c 600 "$diagdir/kmr_exithang.user.err")"
	say "as nobody: $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }') s"
	use kmr_exithang .user
	expect_finding exit-still-running '.evidence | map(select(.label == "kernel stack" and .needsHelper == true)) | length == 1'
}

sc_exitoops() {
	use kmr_exitoops
	expect_finding exit-crashed '.evidence | map(select(.kind == "oops" and (.value | test("kmr_exitoops_exit")))) | length == 1'
}

sc_initoops() {
	use kmr_initoops
	expect_finding init-crashed '.evidence | map(select(.kind == "oops" and (.value | test("kmr_initoops_init")))) | length == 1'
	expect_finding init-crashed '.steps == ["fixer-set-live", "fixer-stub-exit", "fixer-reset-refcount", "rmmod"]'
}

diag_cleanup() {
	[ -e /sys/module/kmr_exithang/parameters/release ] && echo 1 >/sys/module/kmr_exithang/parameters/release
	[ -f "$diagdir/busychar.pid" ] && kill "$(cat "$diagdir/busychar.pid")" 2>/dev/null
	wait 2>/dev/null
}

all="holder noexit selfref leak refleak busychar compiler exithang exitoops initoops"
echo "lab: kernel $(uname -r), diagnosis scenarios, cli $cli"
selected=${*:-$all}
for sc in $selected; do
	declare -F "sc_$sc" >/dev/null || { echo "no scenario $sc (have: $all)"; exit 2; }
done
# Set-up in this shell (not a subshell), so MODULES collects every name; a failed set-up fails.
# fail() exits: release the hung exit and the sleeper whatever happens, so the guest can power off.
trap diag_cleanup EXIT
KMR_SCENARIO=setup
for sc in $selected; do
	"setup_$sc"
done
say "set up: ${MODULES[*]}"
diagnose_all ""
for sc in $selected; do
	run_scenario "diag_$sc" "sc_$sc"
done
diag_cleanup
# One line per module for the closing note: module, kinds found.
for f in "$diagdir"/kmr_*.json; do
	echo "KMR-DIAG $rel $(basename "$f" .json): $(jq -r '[.findings[] | "\(.kind)(\(.severity))"] | join(" ")' "$f")"
done
report
