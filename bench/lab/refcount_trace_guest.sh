#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Guest side of bench/refcount_trace.sh: kmr_refloop at full rate for RUN_MS, traced by
# kmr-tracetool (eprobes, parse, kallsyms, leak table) with several buffer sizes, then the same
# stream read by `cat trace_pipe > /dev/null`. Prints RESULT lines.
T=/sys/kernel/tracing
TOOL=$KMR_BUILD_DIR/helper/kmr-tracetool
RUN_MS=${KMR_BENCH_RUN_MS:-2000}
insmod "$KMR_TESTMODS/kmr_refloop.ko" || exit 1
P=/sys/module/kmr_refloop/parameters
echo "CPUS $(nproc) default_buffer_kb $(cat $T/buffer_size_kb)"
for kb in 0 64 1024 8192; do
	out=$("$TOOL" --quiet ${kb:+--buffer-kb $kb} kmr_refloop "echo $RUN_MS > $P/run_ms" 2>&1)
	iters=$(cat $P/iterations)
	total=$(echo "$out" | grep '^TOTAL')
	cpu=$(echo "$out" | grep '^CPU')
	echo "RESULT reader=kmr-tracetool buffer_kb=$([ "$kb" = 0 ] && echo default || echo "$kb") pairs=$iters expected_events=$((2 * iters)) $total $cpu"
	echo "$out" | grep '^LEAK' | head -3 | sed 's/^/    /'
done

# The same stream for cat: same eprobes, same filter, own instance.
I=$T/instances/kmrcat
echo 'e:kmrcat/get module/module_get ip=$ip:x64 refcnt=$refcnt:s32 name=$name:string' >>$T/dynamic_events
echo 'e:kmrcat/put module/module_put ip=$ip:x64 refcnt=$refcnt:s32 name=$name:string' >>$T/dynamic_events
mkdir $I
for e in get put; do
	echo 'name == "kmr_refloop"' >$I/events/kmrcat/$e/filter
	echo 1 >$I/events/kmrcat/$e/enable
done
cat $I/trace_pipe >/dev/null &
catpid=$!
sleep 0.2
read -r -a st0 </proc/$catpid/stat
start=$EPOCHREALTIME
echo "$RUN_MS" >$P/run_ms
sleep 0.2
read -r -a st1 </proc/$catpid/stat
iters=$(cat $P/iterations)
wall=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%d", (b - a) * 1000 }')
hz=$(getconf CLK_TCK)
cat_ms=$(( ((st1[13] + st1[14]) - (st0[13] + st0[14])) * 1000 / hz ))
ov=0
for f in $I/per_cpu/cpu*/stats; do ov=$((ov + $(sed -n 's/^overrun: //p' $f))); done
ents=$(sed -n 's/^entries: //p' $I/per_cpu/cpu*/stats | paste -sd+ | bc)
kill $catpid
wait $catpid 2>/dev/null
for e in get put; do echo 0 >$I/events/kmrcat/$e/enable; done
rmdir $I
echo '-:kmrcat/get' >>$T/dynamic_events
echo '-:kmrcat/put' >>$T/dynamic_events
echo "RESULT reader=cat buffer_kb=default pairs=$iters expected_events=$((2 * iters)) overrun=$ov left_in_buffer=$ents cat_cpu_ms=$cat_ms wall_ms=$wall"
exit 0
