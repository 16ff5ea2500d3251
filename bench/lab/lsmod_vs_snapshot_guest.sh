#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs inside a lab guest (see bench/lsmod_vs_snapshot.sh).
set -u
rel=$(uname -r)
# Modules that load without hardware: file systems, crypto, libraries, network protocols.
for m in $(find /lib/modules/$rel/kernel/fs /lib/modules/$rel/kernel/crypto /lib/modules/$rel/kernel/lib \
             /lib/modules/$rel/kernel/net/ipv4 /lib/modules/$rel/kernel/net/ipv6 -name '*.ko*' 2>/dev/null \
             | sed 's|.*/||; s|\.ko.*||' | sort | head -150); do
  modprobe -q "$m" 2>/dev/null || true
done
n=$(wc -l < /proc/modules)
echo "modules loaded: $n"
runs=${KMR_BENCH_RUNS:-20}
t0=$(date +%s%N); for i in $(seq $runs); do lsmod > /dev/null; done; t1=$(date +%s%N)
cli=${KMR_BENCH_BUILD}/cli/kmodrescue-cli
for i in $(seq $runs); do "$cli" list > /dev/null 2>&1; done; t2=$(date +%s%N)
lsmod_us=$(( (t1 - t0) / runs / 1000 )); cli_us=$(( (t2 - t1) / runs / 1000 ))
echo "RESULT modules=$n lsmod_us_per_run=$lsmod_us cli_list_us_per_run=$cli_us"
"${KMR_BENCH_BUILD}/bench/bench_snapshot" --benchmark_filter=BM_LiveSnapshot --benchmark_min_time=0.5 2>&1 | grep '^BM_'
exit 0
