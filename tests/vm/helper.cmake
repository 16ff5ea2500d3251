# SPDX-License-Identifier: GPL-2.0-or-later
# Force Unload end to end in the lab (issue 4), as an unprivileged user, through D-Bus activation,
# polkit and kmodrescue-helper, on each kernel: the GUI (offscreen) with the kernel's forced unload
# available, the CLI with it off-limits (the fixer's path alone).
if(TARGET kmodrescue-helper)
  foreach(_series ${KMR_LAB_SERIES})
    set(_rel "${KMR_LAB_RELEASE_${_series}}")
    if(_rel)
      kmr_add_vm_test(vm_helper_fixer_${_series} ${_rel} NO_FORCE ${CMAKE_CURRENT_SOURCE_DIR}/scenarios/helper_unload.sh fixer cli)
      kmr_add_vm_test(vm_helper_forced_${_series} ${_rel} ${CMAKE_CURRENT_SOURCE_DIR}/scenarios/helper_unload.sh forced gui)
      # Nine scenarios, each scanning the whole system twice (client and helper) under TCG: give the
      # guest more than the lab's default time.
      set_tests_properties(vm_helper_fixer_${_series} vm_helper_forced_${_series} PROPERTIES TIMEOUT 1020
        ENVIRONMENT "KMR_LAB_DIR=${KMR_LAB_DIR};KMR_LAB_TIMEOUT=900;KMR_BUILD_DIR=${PROJECT_BINARY_DIR}")
    endif()
  endforeach()
endif()
