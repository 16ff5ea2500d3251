#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Records the sample bundle (resources/samples/sample.kmrbundle.tar.gz) in a lab guest: the stuck
# scenarios of kmod/testmods at once, then `kmodrescue-cli bundle -o` as a developer would run it,
# with 30 s of refcount history sampled while kmr_refleak leaks three references under a
# get/put trace (kmr-tracetool). Run by tools/record-sample:
#
#   KMR_BUILD_DIR=build/dev tests/vm/lab 6.12.117+deb12-amd64 tests/vm/scenarios/record_sample.sh
#
# Writes $KMR_LAB_OUT/sample.kmrbundle.tar.gz and checks it opens and names every stuck module.
set -u
. "$(dirname "$0")/lib.sh"
KMR_SCENARIO=sample
KMR_MODE=sample

cli=${KMR_CLI:-${KMR_BUILD_DIR:-}/cli/kmodrescue-cli}
tracetool=${KMR_BUILD_DIR:-}/helper/kmr-tracetool
[ -x "$cli" ] || fail "no kmodrescue-cli at '$cli': build the project and set KMR_BUILD_DIR"
[ -x "$tracetool" ] || fail "no kmr-tracetool at '$tracetool': build the target kmr-tracetool"
# The lab loads its modules with insmod from the build tree: tell the snapshot where the .ko files are.
export KMODRESCUE_MODULE_PATH=$KMR_TESTMODS
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}
out=$KMR_LAB_OUT
bundle=$out/sample.kmrbundle.tar.gz
rm -f "$bundle"

cleanup() {
	[ -e /sys/module/kmr_exithang/parameters/release ] && echo 1 >/sys/module/kmr_exithang/parameters/release
	[ -n "${BUSY_PID:-}" ] && kill "$BUSY_PID" 2>/dev/null
	wait 2>/dev/null
}
trap cleanup EXIT

# --- every stuck kind at once -------------------------------------------------------------------
load kmr_noexit                      # no exit function
load kmr_selfref                     # takes a reference on itself in init
load kmr_victim                      # kmr_leaker leaks a reference on it, then leaves
load kmr_leaker
[ "$("$KMR_LAB_BIN/kmr-delete-module" kmr_leaker)" = ok ] || fail "kmr_leaker did not unload"
load kmr_provider                    # held by kmr_consumer
load kmr_consumer
load kmr_refleak                     # leaks under the trace below
load kmr_busychar                    # its device held open by a process
sleep 3600 </dev/kmr_busychar &
BUSY_PID=$!
load kmr_exithang                    # exit blocked: rmmod waits in D state
"$KMR_LAB_BIN/kmr-delete-module" kmr_exithang >/dev/null 2>&1 &
load kmr_exitoops                    # exit crashes: rmmod killed by the oops
"$KMR_LAB_BIN/kmr-delete-module" kmr_exitoops >/dev/null 2>&1
"$KMR_LAB_BIN/kmr-load-module" "$(ko kmr_initoops)" >/dev/null 2>&1 # init crashes
for i in $(seq 1 100); do
	[ "$(mod_state kmr_exithang)" = Unloading ] && break
	sleep 0.1
done
expect_state kmr_exithang Unloading
expect_state kmr_exitoops Unloading
expect_state kmr_initoops Loading
say "set up; taint $(taint_letters "$(taint)")"

# --- the bundle: 30 s of refcount history, a trace of the leak in it ------------------------------
STUCK="kmr_noexit kmr_selfref kmr_victim kmr_provider kmr_consumer kmr_refleak kmr_busychar kmr_exithang kmr_exitoops kmr_initoops"
# shellcheck disable=SC2086 # the names are words
"$cli" bundle $STUCK -o "$bundle" --watch 30 --rate 10 --trace-file "$out/refleak.trace" >"$out/bundle.out" 2>&1 &
cli_pid=$!
sleep 4
"$tracetool" kmr_refleak 'for i in 1 2 3; do echo 1 >/sys/module/kmr_refleak/parameters/leak; sleep 2; done
echo 5 >/sys/module/kmr_refleak/parameters/balanced; sleep 1' >"$out/refleak.trace" 2>&1 ||
	fail "kmr-tracetool failed: $(tail -n 5 "$out/refleak.trace")"
grep '^LEAK\|^TOTAL' "$out/refleak.trace" | sed 's/^/    /'
wait "$cli_pid" || fail "kmodrescue-cli bundle failed: $(cat "$out/bundle.out")"
sed 's/^/    /' "$out/bundle.out"
expect_refcnt kmr_refleak 3

# --- what it holds --------------------------------------------------------------------------------
[ -s "$bundle" ] || fail "no bundle written"
members=$(tar tzf "$bundle") || fail "the bundle is not a tar.gz"
for m in manifest.json snapshot.json kernel-log.jsonl oops.json refcount/history.json refcount/trace.json \
	diagnosis/kmr_exitoops.json diagnosis/kmr_initoops.json diagnosis/kmr_busychar.json diagnosis/kmr_refleak.json; do
	grep -qx "$m" <<<"$members" || fail "the bundle has no $m: $members"
done
"$cli" --bundle "$bundle" diagnose kmr_busychar >"$out/busychar.txt" 2>&1 || fail "diagnose from the bundle failed"
grep -q "sleep" "$out/busychar.txt" || fail "the recorded diagnosis of kmr_busychar does not name the sleep holding it"
say "bundle: $(stat -c %s "$bundle") bytes, $(wc -l <<<"$members") members on $(uname -r)"
cleanup
report
