#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Refcount tracing under load, in the lab: kmr_refloop takes and puts its own reference in a tight
# loop; kmr-tracetool (the helper's TraceSession) reads the eprobe stream with the default and
# bigger buffers; lost events are the instance's per-CPU "overrun" counters; then the same
# stream is read by `cat trace_pipe > /dev/null` for the CPU cost ratio.
# Usage: bench/refcount_trace.sh [BUILD_DIR]   (needs the kmr-tracetool target; KMR_LAB_SMP=2 for 2 CPUs)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
build=$(cd "${1:-$repo/build/release}" && pwd)
[ -x "$build/helper/kmr-tracetool" ] || { echo "build $build/helper/kmr-tracetool first" >&2; exit 2; }
for rel in $(ls /boot | sed -n 's/^vmlinuz-\(6\.1\.[0-9].*\|6\.12\..*\)$/\1/p'); do
  echo "=== $rel"
  KMR_BUILD_DIR=$build KMR_LAB_TIMEOUT=600 "$repo/tests/vm/lab" "$rel" "$here/lab/refcount_trace_guest.sh" \
    | grep -E '^(RESULT|CPUS|    LEAK)' || true
done
