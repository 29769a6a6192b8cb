# One program of the Runic Forge's corpus, compiled and run by grovesim forge --run:
#   cmake -DGROVESIM=<grovesim> -DSOURCE=<name>.gw -DDIRECTORY=<its folder> -DOUTPUT=<image>.elf -P run_program.cmake
# <name>.out beside the source holds what the run must print (the console text, then how the program ended when it
# did not exit 0: a line starting "program: "), and the exit status follows: 0, or 1 when there is such a line.
# <name>.err instead holds the errors the compiler must report (exit status 2, nothing run).
get_filename_component(name ${SOURCE} NAME_WE)
if(EXISTS ${DIRECTORY}/${name}.err)
  file(READ ${DIRECTORY}/${name}.err expected)
  set(expected_status 2)
  set(stream ERROR_VARIABLE)
  set(other OUTPUT_VARIABLE)
else()
  file(READ ${DIRECTORY}/${name}.out expected)
  set(expected_status 0)
  if(expected MATCHES "(^|\n)program: ")
    set(expected_status 1)
  endif()
  set(stream OUTPUT_VARIABLE)
  set(other ERROR_VARIABLE)
endif()
execute_process(COMMAND ${GROVESIM} forge ${SOURCE} -o ${OUTPUT} --run WORKING_DIRECTORY ${DIRECTORY}
                RESULT_VARIABLE status ${stream} actual ${other} rest TIMEOUT 120)
if(NOT status STREQUAL expected_status OR NOT actual STREQUAL expected)
  message(FATAL_ERROR "${name}: exit status ${status} (expected ${expected_status})\n"
                      "--- printed:\n${actual}--- expected:\n${expected}--- other stream:\n${rest}")
endif()
