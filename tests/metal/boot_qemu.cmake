# cmake -DQEMU=<qemu> -DQEMU_ARGS=<a|b|...> -DIMAGE_OPTION=-kernel|-cdrom -DIMAGE=<file> -DLOG=<file>
#       -DEXPECT_EXIT=<status> -DTIMEOUT=<seconds> [-DEXPECT=<regex|regex...>] [-DSAME_AS=<log>] -P boot_qemu.cmake
# Boots the image in QEMU (killed after TIMEOUT seconds), writes the serial output to LOG, and fails unless QEMU
# exited with EXPECT_EXIT, every EXPECT pattern occurs in the output, and (with SAME_AS) the output equals that log.
string(REPLACE "|" ";" qemu_args "${QEMU_ARGS}")
execute_process(COMMAND ${QEMU} ${qemu_args} ${IMAGE_OPTION} ${IMAGE}
                TIMEOUT ${TIMEOUT} RESULT_VARIABLE status OUTPUT_VARIABLE output ERROR_VARIABLE errors)
string(REPLACE "\r" "" output "${output}")
file(WRITE ${LOG} "${output}")
message("${output}")
if(NOT "${status}" STREQUAL "${EXPECT_EXIT}")
  message(FATAL_ERROR "QEMU ended with '${status}', expected exit status ${EXPECT_EXIT} (isa-debug-exit success).\n"
                      "stderr: ${errors}")
endif()
if(DEFINED EXPECT)
  string(REPLACE "|" ";" patterns "${EXPECT}")
  foreach(pattern IN LISTS patterns)
    if(NOT output MATCHES "${pattern}")
      message(FATAL_ERROR "serial output lacks a line matching: ${pattern}")
    endif()
  endforeach()
endif()
if(DEFINED SAME_AS)
  file(READ ${SAME_AS} previous)
  if(NOT output STREQUAL previous)
    message(FATAL_ERROR "serial output differs from ${SAME_AS}: the boot is not deterministic")
  endif()
endif()
