#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Crash report extraction throughput, side by side with grep and dmesg in the same run.
# Builds a ~200 MB kernel log in /tmp by concatenating the raw logs of the crash corpus
# (../shared/oops-corpus/syzkaller, never copied into the project), then times:
#   grep -c 'Call Trace' FILE          (close to the memory-bound floor)
#   dmesg -F FILE > /dev/null          (util-linux parsing and printing the same log)
#   kmodrescue-cli oops --jobs 1 FILE     (our extraction of every report, on one thread)
#   kmodrescue-cli oops FILE              (the same with one thread per CPU, the default)
# Each is run REPEAT times after a warm-up read; the best time counts.
# usage: bench/oops_throughput.sh [BUILD_DIR] [SIZE_MB]   (BUILD_DIR defaults to build/release)
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build/release}
size_mb=${2:-200}
repeat=${REPEAT:-3}
cli=$build/cli/kmodrescue-cli
corpus=$here/../shared/oops-corpus/syzkaller
log=${TMPDIR:-/tmp}/kmr-oops-bench-${size_mb}M.log

[ -x "$cli" ] || { echo "no $cli: build it first (cmake --preset release && cmake --build --preset release)" >&2; exit 1; }
[ -d "$corpus" ] || { echo "the crash corpus is missing: $corpus" >&2; exit 1; }
command -v dmesg >/dev/null || { echo "dmesg (util-linux) is needed" >&2; exit 1; }

if [ ! -s "$log" ] || [ "$(stat -c %s "$log")" -lt $((size_mb * 1000000)) ]; then
    one=$(mktemp)
    # The raw log of each case: after the header's empty line, before an optional REPORT: section.
    for f in "$corpus"/[0-9]*; do
        awk 'started && /^REPORT:$/ {exit} started {print} !started && /^$/ {started=1}' "$f" | tr -d '\r'
    done > "$one"
    : > "$log"
    while [ "$(stat -c %s "$log")" -lt $((size_mb * 1000000)) ]; do cat "$one" >> "$log"; done
    rm -f "$one"
fi
bytes=$(stat -c %s "$log")
cat "$log" > /dev/null # warm the page cache

out=$(mktemp)
trap 'rm -f "$out"' EXIT
# best COMMAND...: the best of $repeat runs as "wall cpu" in seconds (cpu = user + system).
# Output goes to a real file: grep stops at the first match when its output is /dev/null.
best() {
    local bw="" bc="" w c
    for _ in $(seq "$repeat"); do
        local TIMEFORMAT='%R %U %S'
        read -r w u s < <({ time "$@" > "$out"; } 2>&1 >/dev/null | tail -n 1)
        c=$(echo "$u + $s" | bc -l)
        if [ -z "$bw" ] || [ "$(echo "$w < $bw" | bc -l)" = 1 ]; then bw=$w; fi
        if [ -z "$bc" ] || [ "$(echo "$c < $bc" | bc -l)" = 1 ]; then bc=$c; fi
    done
    echo "$bw $bc"
}

read -r w_grep c_grep < <(best grep -c 'Call Trace' "$log")
read -r w_dmesg c_dmesg < <(best dmesg -F "$log")
read -r w_one c_one < <(best "$cli" oops --jobs 1 "$log")
read -r w_kmr c_kmr < <(best "$cli" oops "$log")
threads=$(nproc)
reports=$("$cli" oops "$log" | grep -c '^#')

mb=$(echo "$bytes / 1000000" | bc -l)
printf 'log: %s (%.0f MB, %s reports found), best of %s runs, load average %s\n' "$log" "$mb" "$reports" "$repeat" \
    "$(cut -d' ' -f1 /proc/loadavg)"
printf '%-26s %8s %8s %10s\n' "" "wall s" "cpu s" "MB/s (cpu)"
for row in "grep -c 'Call Trace'|$w_grep|$c_grep" "dmesg -F|$w_dmesg|$c_dmesg" "kmodrescue-cli oops -j1|$w_one|$c_one" \
    "kmodrescue-cli oops -j$threads|$w_kmr|$c_kmr"; do
    IFS='|' read -r name w c <<<"$row"
    printf '%-26s %8.3f %8.3f %10.1f\n' "$name" "$w" "$c" "$(echo "$mb / $c" | bc -l)"
done
for row in "-j1|$w_one|$c_one" "-j$threads|$w_kmr|$c_kmr"; do
    IFS='|' read -r name w c <<<"$row"
    printf 'ratio kmodrescue %s/grep:  wall %.2f  cpu %.2f  (goal: at most 3)\n' "$name" \
        "$(echo "$w / $w_grep" | bc -l)" "$(echo "$c / $c_grep" | bc -l)"
    printf 'ratio kmodrescue %s/dmesg: wall %.2f  cpu %.2f  (goal: at most 1)\n' "$name" \
        "$(echo "$w / $w_dmesg" | bc -l)" "$(echo "$c / $c_dmesg" | bc -l)"
done
