#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Builds kmodrescue_fixer.ko out of tree for one kernel, warning-free.
#
#   kmod/fixer/tests/build.sh KERNEL-RELEASE OUTDIR
#
# Copies the sources to OUTDIR/fixer and runs kbuild there with W=1, so that
# no object lands in the source tree. Prints the path of the .ko. Fails on
# any compiler or modpost warning.
set -euo pipefail

if [ $# -ne 2 ]; then
	echo "usage: $0 KERNEL-RELEASE OUTDIR" >&2
	exit 2
fi
rel=$1
out=$2/fixer
src=$(cd "$(dirname "$0")/.." && pwd)
kdir=/lib/modules/$rel/build
if [ ! -d "$kdir" ]; then
	echo "build.sh: no kernel headers at $kdir; install linux-headers-$rel" >&2
	exit 1
fi

mkdir -p "$out"
for f in Kbuild Makefile compat.h fixer.h fixer_main.c fixer_result.c fixer_target.c; do
	cmp -s "$src/$f" "$out/$f" || cp "$src/$f" "$out/$f"
done
log=$out/build.log
if ! make -j"${KMR_MAKE_JOBS:-2}" -C "$kdir" M="$out" W=1 modules >"$log" 2>&1; then
	cat "$log" >&2
	echo "build.sh: kbuild failed in $out" >&2
	exit 1
fi
if grep -E -q -i 'warning' "$log"; then
	grep -E -i -B2 -A4 'warning' "$log" >&2
	echo "build.sh: warnings in $out (see $log)" >&2
	exit 1
fi
echo "$out/kmodrescue_fixer.ko"
