#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Refcount tracing under load, in the lab: kmr_refloop takes and puts its own reference in a tight
# loop; kmr-tracetool (the helper's TraceSession) reads the eprobe stream with the default and
# bigger buffers; lost events are the instance's per-CPU "overrun" counters; then the same
# stream is read by `cat trace_pipe > /dev/null` for the CPU cost ratio.
# Usage: bench/refcount_trace.sh [BUILD_DIR]   (needs the kmr-tracetool target; KMR_LAB_SMP=2 for 2 CPUs)
#
# Measured 2026-11-22, release build, TCG guest with 1 vCPU, run_ms=2000 (kmr_refloop at full rate):
#   buffer (KiB/CPU)   6.1.0-56: events lost / produced   6.12.117: events lost / produced
#   default (1408)     52530 / 117760 (45%)               61608 / 126976 (49%)
#   64                 80886 / 104960                     103530 / 133120
#   1024               82518 / 139776                     60894 / 106496
#   8192               0 / 110080                         0 / 82944
#   cat trace_pipe, default buffer: 31416 / 93184 lost (6.1), 37128 / 93184 (6.12): even cat loses at
#   this rate on one CPU, where the writer and the reader share it.
# Reader CPU per event delivered: kmr-tracetool 70 us (6.1), 92 us (6.12); cat 25 us, 40 us:
# ratio 2.8 (6.1) and 2.3 (6.12). The reader's extra cost is parsing and the leak table (3 us per
# event on the host, bench_refcount BM_TraceEventPerLine); the kernel's formatting of trace_pipe
# dominates both.
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
