#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Click to module gone, against the bare minimum a shell could do, in the same guest and run.
#
#   tests/vm/lab --no-force-unload REL bench/click_to_gone.sh [ROUNDS]
#
# The stuck module is kmr_noexit (init without exit). Each round loads it twice:
#   bare:  insmod kmodrescue_fixer.ko target=kmr_noexit repairs=exit; rmmod kmr_noexit;
#          rmmod kmodrescue_fixer                               (a shell's minimum)
#   click: one Unload call from a running client (helperprobe click: the GUI's path through
#          HelperClient) to its reply: D-Bus, polkit's check, the helper's own snapshot,
#          diagnosis and plan, rmmod (EBUSY), the kernel's forced unload (EPERM: off-limits in
#          this run), the fixer, rmmod, rmmod of the fixer.
# The helper is warm (a first call started it by D-Bus activation), as it is for a GUI that is
# already running. Prints every round and the median ratio click/bare; the goal is under 2.
set -u
src=${KMR_SOURCE_DIR:?run through tests/vm/lab}
. "$src/tests/vm/scenarios/lib.sh"
. "$src/tests/vm/scenarios/helper_env.sh"
KMR_SCENARIO=bench
rounds=${1:-7}
helper_env_setup || exit 1
[ -x "$KMR_PROBE_BIN" ] || { echo "no $KMR_PROBE_BIN: build helperprobe"; exit 1; }
hexname=$(printf kmr_noexit | od -An -tx1 | tr -d ' \n')
steps=$((1 | 4 | 32)) # plain rmmod, the kernel's forced unload, the fixer's stub exit

ms() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b - a) * 1000 }'; }
bare=() click=()
for ((i = 1; i <= rounds; i++)); do
	load kmr_noexit
	t0=$EPOCHREALTIME
	insmod "$KMR_FIXER_KO" target=kmr_noexit repairs=exit 2>/dev/null
	rmmod kmr_noexit || fail "bare: rmmod kmr_noexit failed"
	mod_loaded kmodrescue_fixer && { rmmod kmodrescue_fixer || fail "bare: rmmod kmodrescue_fixer failed"; }
	t1=$EPOCHREALTIME
	bare+=("$(ms "$t0" "$t1")")

	load kmr_noexit
	out=$(as_user kmr-allowed "$KMR_PROBE_BIN" click "$hexname" "$steps")
	case $out in "ok gone=1 ns="*) ;; *) fail "click: $out" ;; esac
	expect_gone kmr_noexit >/dev/null
	! mod_loaded kmodrescue_fixer || fail "click: the fixer stayed loaded"
	click+=("$(awk -v n="${out##*ns=}" 'BEGIN { printf "%.1f", n / 1e6 }')")
	echo "round $i: bare ${bare[-1]} ms, click ${click[-1]} ms"
done
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
mb=$(median "${bare[@]}")
mc=$(median "${click[@]}")
ratio=$(awk -v c="$mc" -v b="$mb" 'BEGIN { printf "%.2f", c / b }')
echo "KMR-BENCH click-to-gone kernel=$(uname -r) rounds=$rounds bare_median_ms=$mb click_median_ms=$mc ratio=$ratio (goal < 2)"
