# grovesim divergence: two runs of SCENARIO written with --trace are the same run; the second trace with one event
# edited parts exactly there, and the first event that differs is printed from both sides.
#   cmake -DGROVESIM=<grovesim> -DWORK=<dir> -DSCENARIO=<file> -P check_divergence.cmake
foreach(side a b)
  execute_process(COMMAND ${GROVESIM} run --no-trace --trace ${WORK}/divergence_${side}.jsonl ${SCENARIO}
                  RESULT_VARIABLE status OUTPUT_QUIET)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "grovesim run ${SCENARIO} exited ${status}")
  endif()
endforeach()
execute_process(COMMAND ${GROVESIM} divergence ${WORK}/divergence_a.jsonl ${WORK}/divergence_b.jsonl
                RESULT_VARIABLE status OUTPUT_VARIABLE output)
if(NOT status EQUAL 0 OR NOT output MATCHES "the same run: [0-9]+ events, every step hash equal")
  message(FATAL_ERROR "two runs of one scenario differ (exit ${status}):\n${output}")
endif()
file(STRINGS ${WORK}/divergence_b.jsonl lines)
list(GET lines 9 line)
string(REPLACE "\"gen\":1" "\"gen\":7" edited "${line}")
list(REMOVE_AT lines 9)
list(INSERT lines 9 "${edited}")
list(JOIN lines "\n" text)
file(WRITE ${WORK}/divergence_b.jsonl "${text}\n")
execute_process(COMMAND ${GROVESIM} divergence ${WORK}/divergence_a.jsonl ${WORK}/divergence_b.jsonl
                RESULT_VARIABLE status OUTPUT_VARIABLE output)
if(NOT status EQUAL 1 OR NOT output MATCHES "the runs part at event 10; they agree up to event 9.*B: event 10 [^\n]*\"gen\":7")
  message(FATAL_ERROR "the edited trace is not found to part at event 10 (exit ${status}):\n${output}")
endif()
