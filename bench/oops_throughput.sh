#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Crash report extraction throughput, side by side with grep and dmesg in the same run.
# Builds a ~200 MB kernel log in /tmp by concatenating the raw logs of the crash corpus
# (../shared/oops-corpus/syzkaller, never copied into the project), then times:
#   grep -c 'Call Trace' FILE          (close to the memory-bound floor)
#   dmesg -F FILE > /dev/null          (util-linux parsing and printing the same log)
#   kmodrescue-cli oops --jobs 1 FILE     (our extraction of every report, on one thread)
#   kmodrescue-cli oops FILE              (the same with one thread per CPU, the default)
# They take turns, REPEAT rounds (default 3) after a warm-up read; the best time and the median
# count, and so does the median of the ratios measured within one round.
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
times=$(mktemp)
trap 'rm -f "$out" "$times"' EXIT
# run NAME COMMAND...: runs COMMAND once and appends "NAME round wall cpu" to $times (seconds;
# cpu = user + system). Output goes to a real file: grep stops at the first match when its
# output is /dev/null.
run() {
    local name=$1 TIMEFORMAT='%R %U %S' w u s
    shift
    read -r w u s < <({ time "$@" > "$out"; } 2>&1 >/dev/null | tail -n 1)
    echo "$name $round $w $(echo "$u + $s" | bc -l)" >> "$times"
}
# The commands take turns, round after round, so that a slower or busier moment of a shared
# machine falls on all of them alike; dmesg, 50 times slower than the others, runs in the first
# three rounds only.
for round in $(seq "$repeat"); do
    run grep grep -c 'Call Trace' "$log"
    run one "$cli" oops --jobs 1 "$log"
    run kmr "$cli" oops "$log"
    [ "$round" -le 3 ] && run dmesg dmesg -F "$log"
done
# stat NAME FIELD: the best (lowest) and the median of a command's times (FIELD 3: wall, 4: cpu).
stat() {
    awk -v n="$1" -v f="$2" '$1 == n {print $f}' "$times" | sort -g | awk '{v[NR] = $1}
        END {printf "%s %s\n", v[1], (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}
# ratio NAME FIELD: the median over the rounds of NAME's time over grep's in the same round.
ratio() {
    awk -v n="$1" -v f="$2" '$1 == "grep" {g[$2] = $f} $1 == n {t[$2] = $f}
        END {for (r in t) print t[r] / g[r]}' "$times" | sort -g | awk '{v[NR] = $1}
        END {printf "%.2f\n", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}
read -r w_grep w_grep_med < <(stat grep 3); read -r c_grep c_grep_med < <(stat grep 4)
read -r w_dmesg w_dmesg_med < <(stat dmesg 3); read -r c_dmesg c_dmesg_med < <(stat dmesg 4)
read -r w_one w_one_med < <(stat one 3); read -r c_one c_one_med < <(stat one 4)
read -r w_kmr w_kmr_med < <(stat kmr 3); read -r c_kmr c_kmr_med < <(stat kmr 4)
threads=$(nproc)
reports=$("$cli" oops "$log" | grep -c '^#')

mb=$(echo "$bytes / 1000000" | bc -l)
printf 'log: %s (%.0f MB, %s reports found), %s rounds, load average %s\n' "$log" "$mb" "$reports" "$repeat" \
    "$(cut -d' ' -f1 /proc/loadavg)"
printf '%-26s %8s %8s %10s %10s %10s\n' "" "wall s" "cpu s" "MB/s (cpu)" "wall med" "cpu med"
for row in "grep -c 'Call Trace'|$w_grep|$c_grep|$w_grep_med|$c_grep_med" \
    "dmesg -F|$w_dmesg|$c_dmesg|$w_dmesg_med|$c_dmesg_med" "kmodrescue-cli oops -j1|$w_one|$c_one|$w_one_med|$c_one_med" \
    "kmodrescue-cli oops -j$threads|$w_kmr|$c_kmr|$w_kmr_med|$c_kmr_med"; do
    IFS='|' read -r name w c wm cm <<<"$row"
    printf '%-26s %8.3f %8.3f %10.1f %10.3f %10.3f\n' "$name" "$w" "$c" "$(echo "$mb / $c" | bc -l)" "$wm" "$cm"
done
echo "ratios: best against best, then the median of the rounds' own ratios"
for row in "-j1|one|$w_one|$c_one" "-j$threads|kmr|$w_kmr|$c_kmr"; do
    IFS='|' read -r name key w c <<<"$row"
    printf 'ratio kmodrescue %s/grep:  wall %.2f  cpu %.2f; median of rounds: wall %s  cpu %s  (goal: at most 3)\n' \
        "$name" "$(echo "$w / $w_grep" | bc -l)" "$(echo "$c / $c_grep" | bc -l)" "$(ratio "$key" 3)" "$(ratio "$key" 4)"
    printf 'ratio kmodrescue %s/dmesg: wall %.2f  cpu %.2f  (goal: at most 1)\n' "$name" \
        "$(echo "$w / $w_dmesg" | bc -l)" "$(echo "$c / $c_dmesg" | bc -l)"
done
