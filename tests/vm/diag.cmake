# SPDX-License-Identifier: GPL-2.0-or-later
# The diagnosis on real kernels (issue 5): every stuck scenario of kmod/testmods set up in one
# guest per kernel, `kmodrescue-cli diagnose NAME... --json` checked for the right finding.
# Needs kmodrescue-cli in this build tree and jq on the host (the guest runs the host's binaries).
foreach(_series ${KMR_LAB_SERIES})
  set(_rel "${KMR_LAB_RELEASE_${_series}}")
  if(_rel)
    kmr_add_vm_test(vm_diag_${_series} ${_rel} ${CMAKE_CURRENT_SOURCE_DIR}/scenarios/diag_stuck.sh)
    # Each CLI run and jq call costs seconds under TCG on a shared 2-core machine: a longer leash.
    kmr_lab_timeout(vm_diag_${_series} 900)
  endif()
endforeach()
