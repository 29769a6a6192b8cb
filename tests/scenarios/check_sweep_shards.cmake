# A sweep split into shards and joined gives what the whole sweep gives: runs seeds FIRST..LAST of SCENARIO in one
# sweep and in COUNT shards (--shard I/COUNT --json), joins the shards with sweep-merge, and requires the joined
# runs (seed, outcome, digest, failures) to be those of the whole sweep, each seed once.
#   cmake -DGROVESIM=<grovesim> -DWORK=<dir> -DSCENARIO=<file> -DSEEDS=A..B -DCOUNT=N -P check_sweep_shards.cmake
function(runs_of json out)
  file(READ ${json} text)
  string(JSON runs GET "${text}" runs)
  set(${out} "${runs}" PARENT_SCOPE)
endfunction()

execute_process(COMMAND ${GROVESIM} sweep ${SCENARIO} --seeds ${SEEDS} --jobs 2 --json ${WORK}/sweep_whole.json
                RESULT_VARIABLE status OUTPUT_VARIABLE output ERROR_QUIET)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "the whole sweep exited ${status}:\n${output}")
endif()
set(shards "")
math(EXPR last "${COUNT} - 1")
foreach(index RANGE ${last})
  execute_process(COMMAND ${GROVESIM} sweep ${SCENARIO} --seeds ${SEEDS} --shard ${index}/${COUNT}
                          --json ${WORK}/sweep_shard_${index}.json
                  RESULT_VARIABLE status OUTPUT_VARIABLE output ERROR_QUIET)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "shard ${index}/${COUNT} exited ${status}:\n${output}")
  endif()
  list(APPEND shards ${WORK}/sweep_shard_${index}.json)
endforeach()
# The shards in reverse order: the join sorts by seed.
list(REVERSE shards)
execute_process(COMMAND ${GROVESIM} sweep-merge ${shards} --json ${WORK}/sweep_merged.json
                RESULT_VARIABLE status OUTPUT_VARIABLE output ERROR_VARIABLE errors)
if(NOT status EQUAL 0 OR NOT output MATCHES "${COUNT} shards joined.*every seed passed")
  message(FATAL_ERROR "sweep-merge exited ${status}:\n${output}${errors}")
endif()
runs_of(${WORK}/sweep_whole.json whole)
runs_of(${WORK}/sweep_merged.json merged)
if(NOT whole STREQUAL merged)
  message(FATAL_ERROR "the joined shards differ from the whole sweep:\n${merged}\nwhole:\n${whole}")
endif()
# A shard missing is refused.
list(REMOVE_AT shards 0)
execute_process(COMMAND ${GROVESIM} sweep-merge ${shards} RESULT_VARIABLE status OUTPUT_QUIET ERROR_VARIABLE errors)
if(NOT status EQUAL 2 OR NOT errors MATCHES "shards missing: ${last}/${COUNT}")
  message(FATAL_ERROR "sweep-merge without shard ${last} exited ${status}: ${errors}")
endif()
message(STATUS "${COUNT} shards joined are the whole sweep:\n${output}")
