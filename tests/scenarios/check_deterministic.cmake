# Runs every scenario twice, each time in a grovesim process of its own, and compares the two JSON Lines traces
# byte for byte (their last line holds the final counters and the digest).
#   cmake -DGROVESIM=<grovesim> -DWORK=<dir> -DSCENARIOS=<file;file...> -P check_deterministic.cmake
set(digests "")
foreach(scenario IN LISTS SCENARIOS)
  foreach(round 1 2)
    execute_process(COMMAND ${GROVESIM} run --no-trace --trace ${WORK}/trace_${round}.jsonl ${scenario}
                    RESULT_VARIABLE status OUTPUT_QUIET ERROR_QUIET)
    if(NOT status EQUAL 0 AND NOT status EQUAL 1)
      message(FATAL_ERROR "${scenario}: grovesim run exited ${status}")
    endif()
  endforeach()
  file(SHA256 ${WORK}/trace_1.jsonl first)
  file(SHA256 ${WORK}/trace_2.jsonl second)
  if(NOT first STREQUAL second)
    message(FATAL_ERROR "${scenario}: the traces of two runs differ")
  endif()
  file(STRINGS ${WORK}/trace_1.jsonl final REGEX "^{\"final\"")
  string(REGEX MATCH "\"digest\":\"[0-9a-f]+\"" digest "${final}")
  string(APPEND digests "${scenario} ${digest}\n")
endforeach()
message(STATUS "identical traces:\n${digests}")
