# Every shipped scenario (`grovesim list`) is deterministic step by step: `grovesim run --check-determinism`
# replays it twice and compares every trap's running hash and registers and every event; its row must pass.
#   cmake -DGROVESIM=<grovesim> -P check_every_run_deterministic.cmake
execute_process(COMMAND ${GROVESIM} list RESULT_VARIABLE status OUTPUT_VARIABLE listed ERROR_VARIABLE errors)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "grovesim list exited ${status}: ${errors}")
endif()
string(REGEX MATCHALL "[^\n]+" scenarios "${listed}")
list(LENGTH scenarios count)
if(count LESS 10)
  message(FATAL_ERROR "grovesim list names only ${count} scenarios:\n${listed}")
endif()
foreach(scenario IN LISTS scenarios)
  execute_process(COMMAND ${GROVESIM} run --no-trace --check-determinism ${scenario}
                  RESULT_VARIABLE status OUTPUT_VARIABLE output ERROR_VARIABLE errors)
  if(NOT status EQUAL 0 OR NOT output MATCHES "PASS +determinism \\(run twice, step by step\\) +the same steps")
    message(FATAL_ERROR "${scenario} is not deterministic step by step (exit ${status}):\n${output}${errors}")
  endif()
endforeach()
message(STATUS "${count} scenarios: every one deterministic step by step")
