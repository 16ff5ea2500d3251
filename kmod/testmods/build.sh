#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Builds the kmodrescue lab modules out of tree for one kernel.
#
#   kmod/testmods/build.sh KERNEL-RELEASE OUTDIR
#
# Copies the sources to OUTDIR/testmods and runs kbuild there with W=1, so
# that no object lands in the source tree. For the 6.1 kernels it also builds
# kmr_oldcc with gcc-11 in OUTDIR/oldcc (see cc-gcc11). Prints the built .ko
# paths. Fails on any compiler warning.
set -euo pipefail

if [ $# -ne 2 ]; then
	echo "usage: $0 KERNEL-RELEASE OUTDIR" >&2
	exit 2
fi
rel=$1
mkdir -p "$2"
out=$(cd "$2" && pwd)
src=$(cd "$(dirname "$0")" && pwd)
kdir=/lib/modules/$rel/build
if [ ! -d "$kdir" ]; then
	echo "build.sh: no kernel headers at $kdir; install linux-headers-$rel" >&2
	exit 1
fi
jobs=${KMR_MAKE_JOBS:-2}

# kbuild_dir DIR [make args...]: run kbuild in DIR and fail on warnings.
kbuild_dir() {
	local dir=$1 log
	shift
	log=$dir/build.log
	if ! make -j"$jobs" -C "$kdir" M="$dir" W=1 "$@" modules >"$log" 2>&1; then
		cat "$log" >&2
		echo "build.sh: kbuild failed in $dir" >&2
		return 1
	fi
	if grep -E -q 'warning:' "$log"; then
		grep -E -B2 -A4 'warning:' "$log" >&2
		echo "build.sh: compiler warnings in $dir (see $log)" >&2
		return 1
	fi
}

# sync_sources DEST FILES...: copy only what changed, so make stays incremental.
sync_sources() {
	local dest=$1 f
	shift
	mkdir -p "$dest"
	for f in "$@"; do
		cmp -s "$src/$f" "$dest/$f" || cp "$src/$f" "$dest/$f"
	done
}

cd "$src"
# Nothing to do when the sources, this script and the kernel's headers are
# those of the last successful build (kbuild alone takes seconds to say so).
stamp=$( (cat Kbuild kmr_*.c kmr_*.h cc-gcc11 build.sh; echo "$rel";
	stat -c '%Y %s' "$kdir/Module.symvers" "$kdir/.config" 2>/dev/null) | sha256sum | cut -d' ' -f1)
if [ "$(cat "$out/.stamp" 2>/dev/null)" = "$stamp" ]; then
	ls "$out"/testmods/*.ko "$out"/oldcc/*.ko 2>/dev/null || true
	exit 0
fi
rm -f "$out/.stamp"
sync_sources "$out/testmods" Kbuild kmr_*.c kmr_*.h
rm -f "$out/testmods/kmr_oldcc.c"
kbuild_dir "$out/testmods"
ls "$out"/testmods/*.ko

case $rel in
6.1.*)
	sync_sources "$out/oldcc" kmr_oldcc.c cc-gcc11
	echo "obj-m += kmr_oldcc.o" >"$out/oldcc/Kbuild.new"
	cmp -s "$out/oldcc/Kbuild.new" "$out/oldcc/Kbuild" ||
		mv "$out/oldcc/Kbuild.new" "$out/oldcc/Kbuild"
	rm -f "$out/oldcc/Kbuild.new"
	kbuild_dir "$out/oldcc" CC="$out/oldcc/cc-gcc11"
	ls "$out"/oldcc/*.ko
	;;
esac
echo "$stamp" >"$out/.stamp"
