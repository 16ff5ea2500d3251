#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Fixture capture, run inside a lab guest by tests/vm/capture-fixtures:
# gets every lab module stuck at once, records the kernel log around each
# oops and the hung exit (dmesg with timestamps and raw /dev/kmsg records),
# then copies the files the snapshot reader reads into $KMR_LAB_OUT/root.
# Leaves the stuck modules loaded; only the blocked exit is released, so
# that the guest powers off cleanly.
set -u
. "$(dirname "$0")/lib.sh"
KMR_SCENARIO=capture
KMR_MODE=capture
out=$KMR_LAB_OUT
mkdir -p "$out/kmsg" "$out/root"

raw_kmsg() { dd if=/dev/kmsg iflag=nonblock bs=16384 2>/dev/null; }

# event NAME COMMAND...: run COMMAND between two marks and keep the log
# between them as kmsg/NAME.txt (dmesg) and kmsg/NAME.kmsg (raw records).
event() {
	local name=$1 b e
	shift
	b="capture-$name-begin"
	e="capture-$name-end"
	kmsg_mark "$b"
	"$@"
	kmsg_mark "$e"
	dmesg | sed -n "/kmr-lab: mark $b\$/,/kmr-lab: mark $e\$/p" >"$out/kmsg/$name.txt"
	raw_kmsg | sed -n "/kmr-lab: mark $b\$/,/kmr-lab: mark $e\$/p" >"$out/kmsg/$name.kmsg"
	say "$name: $(wc -l <"$out/kmsg/$name.txt") log lines"
}

load_initoops() { "$KMR_LAB_BIN/kmr-load-module" "$(ko kmr_initoops)"; sleep 1; }
unload_exitoops() { "$KMR_LAB_BIN/kmr-delete-module" kmr_exitoops; sleep 1; }
hang_exithang() {
	"$KMR_LAB_BIN/kmr-delete-module" kmr_exithang >/dev/null &
	EXITHANG_PID=$!
	# hung_task_timeout_secs is 5 here: wait for the detector's report.
	local i
	for i in $(seq 1 60); do
		dmesg | grep -q 'INFO: task .* blocked for more than' && break
		sleep 1
	done
	dmesg | grep -q 'INFO: task .* blocked for more than' ||
		fail "no hung-task report for the blocked rmmod within 60 s"
}

# The hung-task detector reports a task in D state after this many seconds.
echo 5 >/proc/sys/kernel/hung_task_timeout_secs

load kmr_noexit
load kmr_selfref
load kmr_victim
load kmr_leaker
load kmr_provider
load kmr_consumer
load kmr_refleak
echo 3 >/sys/module/kmr_refleak/parameters/leak
echo 5 >/sys/module/kmr_refleak/parameters/balanced
load kmr_refloop
echo 200 >/sys/module/kmr_refloop/parameters/run_ms
load kmr_busychar
sleep 3600 </dev/kmr_busychar &
BUSY_PID=$!
if [ -n "${KMR_OLDCC_KO:-}" ]; then
	insmod "$KMR_OLDCC_KO" || fail "insmod kmr_oldcc failed"
fi
load kmr_exitoops
load kmr_exithang
# The hung exit first: the hung-task detector stays silent once an oops
# has tainted the kernel D.
event exithang hang_exithang
event exitoops unload_exitoops
event initoops load_initoops
expect_state kmr_exitoops Unloading
expect_state kmr_initoops Loading
expect_state kmr_exithang Unloading

# The snapshot reader's files, mirroring their paths.
r=$out/root
# Builtins only where a file is copied (an exec costs tens of milliseconds
# under TCG): read it line by line; cmdline files (NUL-separated) use cat.
copy() {
	local f line
	for f in "$@"; do
		[ -r "$f" ] || continue
		case $f in
		*/cmdline) cat "$f" >"$r$f" ;;
		*) { while IFS= read -r line || [ -n "$line" ]; do
			printf '%s\n' "$line"
		done <"$f" >"$r$f"; } 2>/dev/null || rm -f "$r$f" ;;
		esac
	done
}
mods=()
while read -r m _; do mods+=("$m"); done </proc/modules
dirs=("$r/proc/sys/kernel" "$r/sys/kernel/security" "$r/sys/module/module/parameters")
for m in "${mods[@]}"; do dirs+=("$r/sys/module/$m/holders"); done
for p in "$EXITHANG_PID" "$BUSY_PID"; do dirs+=("$r/proc/$p/fd"); done
mkdir -p "${dirs[@]}"
copy /proc/modules /proc/version /proc/cmdline /proc/devices \
	/proc/sys/kernel/osrelease /proc/sys/kernel/tainted /proc/sys/kernel/modules_disabled \
	/sys/kernel/security/lockdown /sys/module/module/parameters/sig_enforce
for m in "${mods[@]}"; do
	d=/sys/module/$m
	copy $d/refcnt $d/initstate $d/taint $d/coresize $d/initsize $d/srcversion $d/version
	for h in "$d"/holders/*; do
		[ -e "$h" ] && : >"$r$d/holders/${h##*/}"
	done
done
# The processes that keep modules stuck: the blocked rmmod and the holder
# of /dev/kmr_busychar (fd symlinks reproduced as symlinks).
for p in "$EXITHANG_PID" "$BUSY_PID"; do
	copy /proc/$p/stat /proc/$p/comm /proc/$p/cmdline /proc/$p/wchan /proc/$p/stack /proc/$p/syscall
	for fd in /proc/$p/fd/*; do
		ln -sfn "$(readlink "$fd")" "$r$fd"
	done
done
echo "$EXITHANG_PID" >"$out/exithang.pid"
echo "$BUSY_PID" >"$out/busychar.pid"
dmesg >"$out/kmsg/all.txt"
raw_kmsg >"$out/kmsg/all.kmsg"
say "captured $(find "$r" -type f | wc -l) files; taint $(taint_letters "$(taint)")"

# KMR_CAPTURE_SOS=1 (tests/fixtures/sosreport/make-fixture): a real `sos report`
# of this stuck system, kernel plugin only (the logs plugin would copy the
# host's /var/log through the shared root), as support would ask for it.
if [ "${KMR_CAPTURE_SOS:-}" = 1 ]; then
	command -v sos >/dev/null || fail "sos is not installed on the host (Debian: sosreport)"
	mkdir -p "$out/sos"
	sos report --batch --quiet -o kernel --tmp-dir "$out/sos" >"$out/sos/sos.out" 2>&1 ||
		fail "sos report failed: $(tail -n 5 "$out/sos/sos.out")"
	say "sos report: $(ls "$out/sos")"
fi

echo 1 >/sys/module/kmr_exithang/parameters/release
wait "$EXITHANG_PID"
exit 0
