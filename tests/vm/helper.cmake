# SPDX-License-Identifier: GPL-2.0-or-later
# Force Unload end to end in the lab (issue 4), as an unprivileged user, through D-Bus activation,
# polkit and kmodrescue-helper, on each kernel, in one boot: first the CLI with the kernel's forced
# unload off-limits (the fixer's path alone: the bus, polkitd and the helper it activates all run
# under kmr-noforce), then the GUI (offscreen) with the forced unload available, on a bus, polkitd
# and helper started afresh.
if(TARGET kmodrescue-helper)
  foreach(_series ${KMR_LAB_SERIES})
    set(_rel "${KMR_LAB_RELEASE_${_series}}")
    if(_rel)
      kmr_add_vm_test(vm_helper_${_series} ${_rel} ${_chain}
        noforce helper_unload.sh fixer cli -- helper_unload.sh forced gui)
      # Eighteen scenarios, each scanning the whole system twice (client and helper) under TCG:
      # give the guest more than the lab's default time.
      kmr_lab_timeout(vm_helper_${_series} 900)
    endif()
  endforeach()
endif()

# tests/system/tst_kernellog_follow where kernel.dmesg_restrict=0 (this machine and Debian's kernels
# boot with 1): 1 during the test, 0 again after a whole run and after SIGKILL. The path does not
# depend on the kernel: the newest series only, in its slot.
list(GET KMR_LAB_SERIES -1 _series)
if(TARGET tst_kernellog_follow AND KMR_LAB_RELEASE_${_series})
  kmr_add_vm_test(vm_dmesg_restrict_${_series} ${KMR_LAB_RELEASE_${_series}}
    ${CMAKE_CURRENT_SOURCE_DIR}/scenarios/dmesg_restrict_kept.sh)
endif()
