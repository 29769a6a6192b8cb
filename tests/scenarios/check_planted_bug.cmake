# A planted kernel bug is found by a sweep and shrunk to a small scenario that fails the same way:
#   1. PLANTED (grovesim with the bug) sweeps SEEDS of SCENARIO: some seed breaks the memory accounting invariant,
#      and the summary offers the shrink line for the first failure;
#   2. PLANTED shrinks that seed's run to WORK/min.toml, keeping that invariant as the failure, with at most 3 faults;
#   3. PLANTED replays WORK/min.toml and fails with that invariant; GROVESIM (no bug) replays it and passes.
#   cmake -DPLANTED=<grovesim_planted> -DGROVESIM=<grovesim> -DWORK=<dir> -DSCENARIO=<file> -DSEEDS=A..B
#         -P check_planted_bug.cmake
file(MAKE_DIRECTORY ${WORK})
set(invariant "invariant: memory accounting")

execute_process(COMMAND ${PLANTED} sweep ${SCENARIO} --seeds ${SEEDS} --jobs 2
                RESULT_VARIABLE status OUTPUT_VARIABLE output ERROR_QUIET)
if(NOT status EQUAL 1 OR NOT output MATCHES "${invariant}")
  message(FATAL_ERROR "the sweep of seeds ${SEEDS} did not find the planted bug (exit ${status}):\n${output}")
endif()
if(NOT output MATCHES "shrink: grovesim shrink [^\n]* --seed ([0-9]+) -o ")
  message(FATAL_ERROR "the sweep offers no shrink line for its first failure:\n${output}")
endif()
set(seed ${CMAKE_MATCH_1})
message(STATUS "the sweep found the planted bug at seed ${seed}")

set(minimal ${WORK}/min.toml)
file(REMOVE ${minimal})
execute_process(COMMAND ${PLANTED} shrink ${SCENARIO} --seed ${seed} -o ${minimal}
                RESULT_VARIABLE status OUTPUT_VARIABLE output ERROR_VARIABLE errors)
if(NOT status EQUAL 0 OR NOT output MATCHES "failure kept: ${invariant}")
  message(FATAL_ERROR "shrinking seed ${seed} exited ${status}:\n${output}${errors}")
endif()
message(STATUS "${output}")
file(READ ${minimal} text)
string(REGEX MATCHALL "\n\\[\\[faults\\]\\]" faults "${text}")
list(LENGTH faults count)
if(count GREATER 3)
  message(FATAL_ERROR "the shrunk scenario has ${count} faults, more than 3:\n${text}")
endif()
if(text MATCHES "random_faults|\nat = \"[^\"\n]*\\.\\.")
  message(FATAL_ERROR "the shrunk scenario still draws from its seed:\n${text}")
endif()

execute_process(COMMAND ${PLANTED} run --no-trace ${minimal} RESULT_VARIABLE status OUTPUT_VARIABLE output ERROR_QUIET)
if(NOT status EQUAL 1 OR NOT output MATCHES "FAIL +${invariant}")
  message(FATAL_ERROR "the shrunk scenario does not fail the same way with the bug (exit ${status}):\n${output}")
endif()
execute_process(COMMAND ${GROVESIM} run --no-trace ${minimal} RESULT_VARIABLE status OUTPUT_VARIABLE output ERROR_QUIET)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "the shrunk scenario fails without the planted bug (exit ${status}):\n${output}")
endif()
