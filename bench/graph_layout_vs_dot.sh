#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Side by side, in the same run: our layout of a 2,000-module graph (libgvc in process, positions
# and splines read back) against `dot -Tsvg` on the same DOT. Prints both and the ratio; fails
# when ours costs more than 1.2 times dot's in CPU time (wall clock printed too).
#
#   bench/graph_layout_vs_dot.sh [BUILD-DIR]     (a release build: cmake --preset release)
set -euo pipefail
build=${1:-build/release}
bin=$build/bench/bench_graph_layout
[ -x "$bin" ] || { echo "no $bin: build the benchmarks (ninja -C $build bench_graph_layout)" >&2; exit 2; }
command -v dot >/dev/null || { echo "no dot program: apt-get install graphviz" >&2; exit 2; }
command -v jq >/dev/null || { echo "no jq: apt-get install jq" >&2; exit 2; }
json=$(mktemp)
trap 'rm -f "$json"' EXIT
# Interleaved in every iteration (ours, then dot, five times; medians): a changing load hits both alike.
"$bin" --benchmark_filter='BM_LayoutVsDot' --benchmark_format=json >"$json"
get() { jq -r ".benchmarks[] | select(.name | test(\"^BM_LayoutVsDot\")) | .$1" "$json"; }
echo "graph: 2000 modules, $(jq -r '.context | "\(.num_cpus) CPUs, load \(.load_avg // [] | map(tostring) | join(" "))"' "$json")"
printf 'ours (libgvc "dot" layout in process, read back): %8.0f ms wall, %8.0f ms CPU (medians)\n' "$(get ours_ms)" "$(get ours_cpu_ms)"
printf 'dot -Tsvg (a process, the same DOT):             %8.0f ms wall, %8.0f ms CPU\n' "$(get dot_ms)" "$(get dot_cpu_ms)"
ratio=$(get ratio_wall)
cpu_ratio=$(get ratio_cpu)
printf 'ratio ours/dot: wall clock %.2f, CPU %.2f (goal <= 1.2)\n' "$ratio" "$cpu_ratio"
# Decided on CPU: on a shared machine the wall clock swings with the other work (measured here:
# 1.07 to 1.24 at load 7 to 12, while the CPU ratio stayed 0.91 to 1.05). Both are printed.
awk -v r="$cpu_ratio" 'BEGIN { exit !(r <= 1.2) }'
