# Steps of a cmake -P test script that drives grovesim (GROVESIM: its path) several times.
# grovesim_step(<expected exit status> <variable> <arguments...>): runs grovesim, fails the test unless it exits
# with that status, and leaves its standard output and error, joined, in <variable>.
function(grovesim_step expect_status out_var)
  execute_process(COMMAND ${GROVESIM} ${ARGN} RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT status EQUAL expect_status)
    message(FATAL_ERROR "grovesim ${ARGN}: exit ${status}, expected ${expect_status}\n${out}${err}")
  endif()
  set(${out_var} "${out}${err}" PARENT_SCOPE)
endfunction()

# expect_match(<text> <regex> <what>): fails the test, naming <what>, unless <text> matches <regex>.
function(expect_match text regex what)
  if(NOT text MATCHES "${regex}")
    message(FATAL_ERROR "${what}: expected /${regex}/ in:\n${text}")
  endif()
endfunction()
