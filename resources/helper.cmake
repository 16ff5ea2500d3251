# SPDX-License-Identifier: GPL-2.0-or-later
# kmodrescue-helper's system integration, included by resources/CMakeLists.txt: the D-Bus bus
# policy and activation file, the polkit actions and the systemd unit. The helper's path in the
# activation file and the unit follows the install prefix.
if(KMR_HELPER_INSTALLED_PATH)
  set(_helper_exec ${KMR_HELPER_INSTALLED_PATH})
else()
  set(_helper_exec ${CMAKE_INSTALL_FULL_LIBEXECDIR}/kmodrescue-helper)
endif()
foreach(_f io.github.kmodrescue.Helper1.service kmodrescue-helper.service)
  file(READ ${CMAKE_CURRENT_LIST_DIR}/${_f} _text)
  string(REPLACE "/usr/libexec/kmodrescue-helper" "${_helper_exec}" _text "${_text}")
  file(GENERATE OUTPUT ${CMAKE_CURRENT_BINARY_DIR}/${_f} CONTENT "${_text}")
endforeach()
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/io.github.kmodrescue.Helper1.service
        DESTINATION ${CMAKE_INSTALL_DATADIR}/dbus-1/system-services)
install(FILES ${CMAKE_CURRENT_LIST_DIR}/io.github.kmodrescue.Helper1.conf
        DESTINATION ${CMAKE_INSTALL_DATADIR}/dbus-1/system.d)
install(FILES ${CMAKE_CURRENT_LIST_DIR}/io.github.kmodrescue.policy
        DESTINATION ${CMAKE_INSTALL_DATADIR}/polkit-1/actions)
# systemd's system unit directory is /lib/systemd/system on Debian 12 (usrmerge makes it /usr/lib too).
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/kmodrescue-helper.service DESTINATION lib/systemd/system)
