# SPDX-License-Identifier: GPL-2.0-or-later
# Shell helpers for lab scenarios (sourced inside the guest, bash).
#
# A scenario is a function run by run_scenario in a subshell: the first
# failed check prints why and ends that scenario; the others still run.
# Checks talk to the kernel directly (delete_module through
# kmr-delete-module, /proc/modules, /sys/module, the kernel log), so that
# what they assert is the kernel's own answer.

# Taint bits (Documentation/admin-guide/tainted-kernels.rst).
TAINT_FORCED_RMMOD=$((1 << 3))	# R
TAINT_DIE=$((1 << 7))		# D
TAINT_WARN=$((1 << 9))		# W
TAINT_OOT_MODULE=$((1 << 12))	# O
TAINT_UNSIGNED_MODULE=$((1 << 13))	# E
TAINT_SOFTLOCKUP=$((1 << 14))	# L
# Loading any lab module sets O and E; that is never a finding.
TAINT_LAB_LOAD=$((TAINT_OOT_MODULE | TAINT_UNSIGNED_MODULE))

# What counts as a new kernel problem in the log.
KMR_OOPS_RE='BUG:|Oops:|general protection fault|kernel BUG at|WARNING:|Unable to handle|refcount_t:|INFO: task .* blocked|watchdog: BUG|RIP: '

rel=${KMR_LAB_RELEASE:-$(uname -r)}
short_rel=${rel%%-*}
short_rel=$(echo "$short_rel" | cut -d. -f1,2)
declare -a KMR_RESULTS=()
KMR_FAILED=0

# kernel_at_least MAJOR MINOR: the running kernel is MAJOR.MINOR or later.
kernel_at_least() {
	local v maj min
	v=$(uname -r)
	maj=${v%%.*}
	min=${v#*.}
	min=${min%%[!0-9]*}
	((maj > $1 || (maj == $1 && min >= $2)))
}

say() { echo "[$KMR_SCENARIO] $*"; }
fail() {
	echo "[$KMR_SCENARIO] FAIL: $*"
	exit 1
}

# Builtins rather than external programs where it is easy: under TCG every
# exec costs tens of milliseconds.
taint() {
	local t
	read -r t </proc/sys/kernel/tainted
	echo "$t"
}
taint_letters() {
	local t=$1 s="" i letters="PFSRMBUDAWCIOELKXTN"
	for ((i = 0; i < ${#letters}; i++)); do
		((t & (1 << i))) && s+=${letters:i:1}
	done
	echo "${s:-none}"
}

# kmsg_mark ID: write a marker into the kernel log.
kmsg_mark() { echo "kmr-lab: mark $1" >/dev/kmsg; }
# since_mark ID: the kernel log after the marker.
since_mark() { dmesg | sed "0,/kmr-lab: mark $1\$/d"; }
# problems_since ID: problem lines (oops, BUG, WARNING...) after the marker.
problems_since() { since_mark "$1" | grep -E "$KMR_OOPS_RE"; }

mod_loaded() { [ -n "$(mod_state "$1")" ]; }
mod_state() {
	local n size refs users st rest
	while read -r n size refs users st rest; do
		[ "$n" = "$1" ] && { echo "$st"; return; }
	done </proc/modules
}
mod_refcnt() {
	local r
	read -r r 2>/dev/null <"/sys/module/$1/refcnt" && echo "$r"
}
mod_holders() { ls "/sys/module/$1/holders" 2>/dev/null | tr '\n' ' ' | sed 's/ $//'; }

ko() { echo "$KMR_TESTMODS/$1.ko"; }

# load NAME [PARAMS...]: insmod a lab module and check that it is Live.
load() {
	local name=$1
	shift
	insmod "$(ko "$name")" "$@" || fail "insmod $name failed"
	[ "$(mod_state "$name")" = Live ] || fail "$name is not Live after insmod: $(grep "^$name " /proc/modules)"
}

# expect_delete NAME ANSWER [--force]: delete_module() must answer ANSWER
# (ok, EBUSY, EAGAIN, EPERM...).
expect_delete() {
	local name=$1 want=$2 got
	shift 2
	got=$("$KMR_LAB_BIN/kmr-delete-module" "$name" "$@")
	[ "$got" = "$want" ] || fail "delete_module($name${1:+ $1}) answered $got, expected $want"
	say "delete_module($name${1:+ $1}) -> $got, as expected"
}

expect_state() {
	local got
	got=$(mod_state "$1")
	[ "$got" = "$2" ] || fail "$1 is '${got:-absent}', expected $2"
}

expect_refcnt() {
	local got
	got=$(mod_refcnt "$1")
	[ "$got" = "$2" ] || fail "$1 has refcnt '${got:-?}', expected $2"
}

expect_gone() {
	! mod_loaded "$1" || fail "$1 is still in /proc/modules: $(grep "^$1 " /proc/modules)"
	[ ! -e "/sys/module/$1" ] || fail "/sys/module/$1 still exists"
	say "$1 is gone from /proc/modules and /sys/module"
}

# fresh_module_works: the module loader still loads and unloads.
fresh_module_works() {
	insmod "$(ko kmr_fresh)" || fail "insmod kmr_fresh failed after the repair"
	expect_state kmr_fresh Live
	rmmod kmr_fresh || fail "rmmod kmr_fresh failed after the repair"
	expect_gone kmr_fresh
	say "a fresh module still loads and unloads"
}

# expect_no_problems ID: no oops, BUG or WARNING in the log since the mark.
expect_no_problems() {
	local p
	p=$(problems_since "$1")
	[ -z "$p" ] || fail "new kernel problems in the log since '$1': $p"
	say "no new oops, BUG or WARNING in the kernel log"
}

# expect_taint BEFORE REQUIRED: the bits in REQUIRED are set, and no bit
# beyond REQUIRED and the lab's O and E appeared since BEFORE.
expect_taint() {
	local before=$1 required=$2 now extra
	now=$(taint)
	((((now & required)) == required)) ||
		fail "taint is $(taint_letters "$now"); expected it to include $(taint_letters "$required")"
	extra=$((now & ~before & ~required & ~TAINT_LAB_LOAD))
	((extra == 0)) ||
		fail "unexpected new taint $(taint_letters "$extra") (before $(taint_letters "$before"), now $(taint_letters "$now"))"
	say "taint $(taint_letters "$now") (before $(taint_letters "$before")), as expected"
}

# forced_unload_off_limits NAME: in --no-force-unload runs, check that the
# kernel's forced unload is really out of reach.
forced_unload_off_limits() {
	[ "${KMR_LAB_NOFORCE:-0}" = 1 ] || return 0
	expect_delete "$1" EPERM --force
}

# run_fixer TARGET REPAIRS [PARAM=VALUE...]: insmod the fixer; FIX_<key>
# holds the fields of its result line.
run_fixer() {
	local id="fixer-$1-$RANDOM" line kv t=$1 r=$2
	shift 2
	[ -n "${KMR_FIXER_KO:-}" ] ||
		fail "the fixer is not built: $(tail -n 5 "${KMR_FIXER_BUILD_LOG:-/dev/null}" 2>/dev/null | tr '\n' ' ')"
	kmsg_mark "$id"
	say "insmod kmodrescue_fixer.ko target=$t repairs=$r $*"
	insmod "$KMR_FIXER_KO" "target=$t" "repairs=$r" "$@" 2>&1 | sed 's/^/    insmod: /'
	local log
	log=$(since_mark "$id")
	line=$(echo "$log" | grep -o 'kmodrescue_fixer: result .*' | tail -n 1)
	[ -n "$line" ] || fail "the fixer logged no result line for target=$t repairs=$r: $(echo "$log" | tail -n 5)"
	say "fixer: $line"
	unset "${!FIX_@}"
	for kv in ${line#kmodrescue_fixer: result }; do
		case $kv in
		*=*) printf -v "FIX_${kv%%=*}" '%s' "${kv#*=}" ;;
		esac
	done
}

# fixer_repairs TARGET REPAIRS [PARAM=VALUE...]: the fixer must succeed.
fixer_repairs() {
	run_fixer "$@"
	[ "${FIX_ok:-}" = 1 ] || fail "the fixer did not repair $1 (ok=${FIX_ok:-?} error=${FIX_error:-?})"
	[ "${FIX_target:-}" = "$1" ] || fail "the fixer's result names target '${FIX_target:-}', not $1"
	if [ "${FIX_resident:-0}" = 1 ]; then
		mod_loaded kmodrescue_fixer || fail "the fixer says resident=1 but is not loaded"
	else
		! mod_loaded kmodrescue_fixer || fail "the fixer says resident=0 but stayed loaded"
	fi
}

# fixer_refuses TARGET REPAIRS [PARAM=VALUE...]: the fixer must refuse
# and stay unloaded.
fixer_refuses() {
	run_fixer "$@"
	[ "${FIX_ok:-}" = 0 ] || fail "the fixer accepted target $1 (ok=${FIX_ok:-?}); it must refuse"
	[ -n "${FIX_error:-}" ] || fail "the fixer refused $1 without an error= reason"
	! mod_loaded kmodrescue_fixer || fail "the fixer stayed loaded after refusing"
	say "the fixer refused $1: ${FIX_error}"
}

# fixer_cleanup: unload a resident fixer once its target is gone.
fixer_cleanup() {
	if mod_loaded kmodrescue_fixer; then
		rmmod kmodrescue_fixer || fail "rmmod kmodrescue_fixer failed after its target was gone"
		expect_gone kmodrescue_fixer
	fi
}

# run_scenario NAME FUNCTION: run one scenario, record PASS or FAIL.
run_scenario() {
	local name=$1 fn=$2 rc start secs
	start=$EPOCHREALTIME
	echo
	echo "=== scenario $name on $rel ($KMR_MODE) ==="
	(
		KMR_SCENARIO=$name
		KMR_MARK="$name-begin-$RANDOM"
		KMR_TAINT_BEFORE=$(taint)
		kmsg_mark "$KMR_MARK"
		"$fn"
	)
	rc=$?
	secs=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
	if [ $rc -eq 0 ]; then
		KMR_RESULTS+=("$(printf '%-16s %-6s %-7s PASS %6ss' "$name" "$short_rel" "$KMR_MODE" "$secs")")
	else
		lab_cleanup
		KMR_FAILED=$((KMR_FAILED + 1))
		KMR_RESULTS+=("$(printf '%-16s %-6s %-7s FAIL %6ss' "$name" "$short_rel" "$KMR_MODE" "$secs")")
	fi
}

# lab_cleanup: after a failed scenario, leave the next one a clean kernel
# where that is possible: release a blocked exit, unload every lab module
# that the kernel lets go, then a resident fixer.
lab_cleanup() {
	local m pass
	[ -e /sys/module/kmr_exithang/parameters/release ] &&
		echo 1 >/sys/module/kmr_exithang/parameters/release 2>/dev/null
	sleep 0.5
	for pass in 1 2; do
		for m in $(awk '$1 ~ /^kmr_/ && $5 == "Live" { print $1 }' /proc/modules); do
			"$KMR_LAB_BIN/kmr-delete-module" "$m" >/dev/null
		done
	done
	mod_loaded kmodrescue_fixer && "$KMR_LAB_BIN/kmr-delete-module" kmodrescue_fixer >/dev/null
	echo "cleanup after the failure; left loaded: $(awk '$1 ~ /^kmr|^kmodrescue/ { printf "%s(%s) ", $1, $5 }' /proc/modules)"
}

# report: print the table; the exit status says whether all passed.
report() {
	local line
	echo
	echo "=== results: kernel $rel, mode $KMR_MODE ==="
	for line in "${KMR_RESULTS[@]}"; do
		echo "KMR-SCENARIO $line"
	done
	[ "$KMR_FAILED" -eq 0 ]
}
