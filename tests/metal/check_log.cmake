# cmake -DLOG=<file> -DPATTERN=<regex> -P check_log.cmake
# Fails unless the serial log written by a boot test has a line matching PATTERN.
file(STRINGS ${LOG} lines REGEX "${PATTERN}")
if(NOT lines)
  file(READ ${LOG} content)
  message(FATAL_ERROR "no line of ${LOG} matches: ${PATTERN}\n${content}")
endif()
message("${lines}")
