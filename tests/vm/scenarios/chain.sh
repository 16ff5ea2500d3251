#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs several scenario scripts one after another in one guest, so that a kernel boots once for
# all of them (each boot and guest set-up costs seconds under TCG). Segments are separated by --:
#
#   tests/vm/lab REL tests/vm/scenarios/chain.sh [noforce] SCRIPT [ARGS...] [-- [noforce] SCRIPT [ARGS...]]...
#
# SCRIPT is a path, or a file name in tests/vm/scenarios. A segment marked noforce runs under
# kmr-noforce with KMR_LAB_NOFORCE=1: the seccomp filter is inherited by everything it starts
# (insmod, rmmod, a dbus-daemon and the helper it activates), exactly as when the lab fences the
# whole guest with --no-force-unload. Every segment runs, also after a failed one; the chain
# fails if any segment failed. Isolation between segments is the scripts' job: each leaves no
# module of its own loaded unless the next one is written to expect it (see tests/vm/README.md).
set -u
here=$(cd "$(dirname "$0")" && pwd)
declare -a SEG_RESULTS=()
failed=0

# run_segment [noforce] SCRIPT [ARGS...]
run_segment() {
	local wrap=() script rc start secs label
	if [ "${1:-}" = noforce ]; then
		wrap=(env KMR_LAB_NOFORCE=1 "$KMR_LAB_BIN/kmr-noforce")
		shift
	fi
	[ $# -ge 1 ] || { echo "chain: empty segment"; return 2; }
	script=$1
	shift
	[ -e "$script" ] || script=$here/$script
	[ -r "$script" ] || { echo "chain: no scenario script $script"; return 2; }
	label="${wrap:+noforce }$(basename "$script") $*"
	echo
	echo "##### segment: $label"
	start=$EPOCHREALTIME
	"${wrap[@]}" /bin/bash "$script" "$@"
	rc=$?
	secs=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
	SEG_RESULTS+=("$([ $rc -eq 0 ] && echo PASS || echo "FAIL (status $rc)") ${secs}s: $label")
	return $rc
}

segment=()
while [ $# -gt 0 ]; do
	if [ "$1" = -- ]; then
		run_segment "${segment[@]}" || failed=$((failed + 1))
		segment=()
	else
		segment+=("$1")
	fi
	shift
done
run_segment "${segment[@]}" || failed=$((failed + 1))

echo
echo "##### chain on $(uname -r): ${#SEG_RESULTS[@]} segments, $failed failed"
for r in "${SEG_RESULTS[@]}"; do
	echo "KMR-SEGMENT $r"
done
[ "$failed" -eq 0 ]
