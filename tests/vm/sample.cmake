# SPDX-License-Identifier: GPL-2.0-or-later
# The sample bundle's recording (tools/record-sample) on the 6.12 kernel it was recorded on: proves
# the procedure still works and the bundle it writes (into the run's KMR_LAB_OUT only, never the
# source tree) opens and holds every stuck module, the refcount history and the trace.
# Needs kmodrescue-cli and kmr-tracetool in this build tree.
set(_rel "${KMR_LAB_RELEASE_6.12}")
if(_rel)
  kmr_add_vm_test(vm_sample_6.12 ${_rel} ${CMAKE_CURRENT_SOURCE_DIR}/scenarios/record_sample.sh)
  # 6.1 has no sample boot: this one takes the 6.1 slot, so the two slots finish about together.
  kmr_vm_slot(vm_sample_6.12 1)
endif()
