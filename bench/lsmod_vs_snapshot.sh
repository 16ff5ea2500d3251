#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Side by side on a real kernel, same run, same modules: lsmod versus kmodrescue's snapshot.
# Boots each lab kernel, loads ~100 modules that need no hardware, then times
#   lsmod (whole process, 20 runs), kmodrescue-cli list (whole process, 20 runs), and the
#   in-process live snapshot (bench_snapshot BM_LiveSnapshot, libkmod, .ko facts cached or off).
# Usage: bench/lsmod_vs_snapshot.sh [BUILD_DIR]   (default build/release; needs bench_snapshot)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
build=$(cd "${1:-$repo/build/release}" && pwd)
[ -x "$build/bench/bench_snapshot" ] || { echo "build $build/bench/bench_snapshot first (release preset)" >&2; exit 2; }
for rel in $(ls /boot | sed -n 's/^vmlinuz-\(6\.1\.[0-9].*\|6\.12\..*\)$/\1/p'); do
  echo "=== $rel"
  KMR_BENCH_BUILD=$build KMR_LAB_TIMEOUT=600 "$repo/tests/vm/lab" "$rel" "$here/lab/lsmod_vs_snapshot_guest.sh" \
    | grep -E '^(RESULT|BM_|modules loaded)' || true
done
