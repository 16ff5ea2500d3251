#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/system/tst_kernellog_follow where kernel.dmesg_restrict=0, which neither the build machine
# nor Debian's kernels have (they boot with 1), so the system label never takes that path: the test
# must set 1 for its run and put 0 back when it ends, after a pass and after SIGKILL mid-run (its
# keeper process waits for the test process to be gone).
#
#   tests/vm/lab REL tests/vm/scenarios/dmesg_restrict_kept.sh
set -u
T=${KMR_BUILD_DIR:?KMR_BUILD_DIR is not set: run through ctest or export it}/tests/system/tst_kernellog_follow
[ -x "$T" ] || { echo "no $T: build tst_kernellog_follow (needs the GUI)"; exit 1; }
R=/proc/sys/kernel/dmesg_restrict
echo "kernel.dmesg_restrict at boot: $(cat $R)"
echo 0 >$R || { echo "cannot set kernel.dmesg_restrict=0"; exit 1; }

"$T"
rc=$?
sleep 2
after=$(cat $R)
echo "after a whole run: exit $rc, kernel.dmesg_restrict=$after"

"$T" >/dev/null 2>&1 &
pid=$!
during=0
for _ in $(seq 1 100); do
	during=$(cat $R)
	[ "$during" = 1 ] && break
	sleep 0.1
done
sleep 3 # into the run (it takes half a minute under TCG)
kill -9 $pid
wait $pid 2>/dev/null
sleep 2
killed=$(cat $R)
echo "killed mid-run: kernel.dmesg_restrict=$during during the run, $killed after it"

fail=0
[ $rc -eq 0 ] || { echo "FAIL: tst_kernellog_follow failed where kernel.dmesg_restrict was 0"; fail=1; }
[ "$after" = 0 ] || { echo "FAIL: kernel.dmesg_restrict=$after after a whole run (was 0)"; fail=1; }
[ "$during" = 1 ] || { echo "FAIL: kernel.dmesg_restrict stayed $during during the run"; fail=1; }
[ "$killed" = 0 ] || { echo "FAIL: kernel.dmesg_restrict=$killed after a killed run (was 0)"; fail=1; }
[ $fail = 0 ] && echo "PASS: kernel.dmesg_restrict back to 0 after a whole and a killed run"
exit $fail
