# Runs a command and checks its exit status and its output (stdout and stderr together).
#   cmake -DCOMMAND=<program|argument|...> -DEXPECT_STATUS=<n> [-DEXPECT_OUTPUT=<regex>] [-DTIMEOUT=<seconds>]
#         [-DTRUNCATE_FROM=<file> -DTRUNCATE_TO=<file> -DTRUNCATE_SIZE=<bytes>] -P run_and_check.cmake
# With TRUNCATE_*: first writes the first TRUNCATE_SIZE bytes of TRUNCATE_FROM to TRUNCATE_TO.
if(DEFINED TRUNCATE_FROM)
  # file(WRITE) cannot write arbitrary bytes; head can.
  execute_process(COMMAND head -c ${TRUNCATE_SIZE} "${TRUNCATE_FROM}" OUTPUT_FILE "${TRUNCATE_TO}"
                  RESULT_VARIABLE written)
  if(NOT written EQUAL 0)
    message(FATAL_ERROR "could not write ${TRUNCATE_TO}")
  endif()
endif()

string(REPLACE "|" ";" command "${COMMAND}")
if(NOT DEFINED TIMEOUT)
  set(TIMEOUT 55)
endif()
execute_process(COMMAND ${command} RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT ${TIMEOUT})
set(output "${out}${err}")
message(STATUS "${output}")
if(NOT "${status}" STREQUAL "${EXPECT_STATUS}")
  message(FATAL_ERROR "exit status ${status}, expected ${EXPECT_STATUS}")
endif()
if(DEFINED EXPECT_OUTPUT AND NOT output MATCHES "${EXPECT_OUTPUT}")
  message(FATAL_ERROR "the output does not match: ${EXPECT_OUTPUT}")
endif()
