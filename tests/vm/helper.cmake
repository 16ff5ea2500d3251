# SPDX-License-Identifier: GPL-2.0-or-later
# Force Unload end to end in the lab (issue 4): the CLI as an unprivileged user, through D-Bus
# activation, polkit and kmodrescue-helper, on each kernel, with and without the kernel's forced unload.
if(TARGET kmodrescue-helper)
  foreach(_series ${KMR_LAB_SERIES})
    set(_rel "${KMR_LAB_RELEASE_${_series}}")
    if(_rel)
      kmr_add_vm_test(vm_helper_fixer_${_series} ${_rel} NO_FORCE ${CMAKE_CURRENT_SOURCE_DIR}/scenarios/helper_unload.sh fixer)
      kmr_add_vm_test(vm_helper_forced_${_series} ${_rel} ${CMAKE_CURRENT_SOURCE_DIR}/scenarios/helper_unload.sh forced)
    endif()
  endforeach()
endif()
