# SPDX-License-Identifier: GPL-2.0-or-later
# Shared by tools/run and tools/test: root handling and Debian package installation.
# Sourced, not executed.

KMR_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# Packages to build kmodrescue.
KMR_BUILD_PACKAGES=(cmake ninja-build g++ pkg-config file dpkg-dev
  qt6-base-dev qt6-base-dev-tools libqt6opengl6-dev qt6-charts-dev qt6-svg-dev qt6-tools-dev qt6-tools-dev-tools
  libkmod-dev libarchive-dev libpcre2-dev libgraphviz-dev libpolkit-gobject-1-dev libglib2.0-dev libbenchmark-dev)
# What the installed package needs at run time, beyond shared libraries.
KMR_RUNTIME_PACKAGES=(kmod dbus polkitd graphviz)
# Extra for the tests: the private bus and polkitd, the qemu lab, its kernels and headers,
# the compiler-mismatch module (gcc-11), the fuzzers (clang), and fonts for screenshots.
KMR_TEST_PACKAGES=(dbus-daemon polkitd qemu-system-x86 busybox-static xz-utils zstd cpio gcc-11 gcc-12 make
  clang libclang-rt-14-dev llvm util-linux procps passwd strace jq fonts-dejavu-core xvfb xauth)

# The lab's kernels. Override with KMR_LAB_KERNELS="REL1 REL2"; the defaults are the versions
# the lab was proven on. If the archive no longer carries one, the newest of its series is used.
KMR_LAB_KERNELS_DEFAULT="6.1.0-56-amd64 6.12.117+deb12-amd64"

kmr_say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
kmr_die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Runs a command as root: directly when we are root, through sudo otherwise.
kmr_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else
    command -v sudo >/dev/null || kmr_die "need root for '$*': run as root or install sudo"
    sudo "$@"
  fi
}

kmr_apt_updated=0
kmr_install() { # PACKAGE... : installs those not yet installed
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  kmr_say "installing: ${missing[*]}"
  if [ $kmr_apt_updated -eq 0 ]; then
    kmr_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq || kmr_die "apt-get update failed"
    kmr_apt_updated=1
  fi
  kmr_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" \
    || kmr_die "apt-get install failed for: ${missing[*]}"
}

# Picks the newest kernel release of a series that the archive has, e.g. kmr_newest_release 6.12
kmr_newest_release() {
  apt-cache search --names-only "^linux-image-$1[.0-9+a-z-]*-amd64\$" 2>/dev/null | awk '{print $1}' \
    | grep -v -e cloud -e '-rt-' -e unsigned -e dbg | sed 's/^linux-image-//' | sort -V | tail -n1
}

# Installs the lab's kernels and headers; prints the releases it installed, one per line.
kmr_install_lab_kernels() {
  local rel series chosen=()
  for rel in ${KMR_LAB_KERNELS:-$KMR_LAB_KERNELS_DEFAULT}; do
    if ! dpkg-query -W "linux-image-$rel" >/dev/null 2>&1 && ! apt-cache show "linux-image-$rel" >/dev/null 2>&1; then
      [ $kmr_apt_updated -eq 0 ] && { kmr_root apt-get update -qq; kmr_apt_updated=1; }
      if ! apt-cache show "linux-image-$rel" >/dev/null 2>&1; then
        series=$(echo "$rel" | cut -d. -f1-2 | sed 's/-.*//')
        local newest; newest=$(kmr_newest_release "$series")
        [ -n "$newest" ] || kmr_die "no linux-image for $rel nor any $series kernel in the archive"
        kmr_say "kernel $rel is not in the archive; using $newest instead"
        rel=$newest
      fi
    fi
    kmr_install "linux-image-$rel" "linux-headers-$rel"
    chosen+=("$rel")
  done
  printf '%s\n' "${chosen[@]}"
}
