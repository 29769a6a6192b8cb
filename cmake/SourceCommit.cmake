# Writes the source commit into OUTPUT (a C++ header defining GROVE_SOURCE_COMMIT) at every build, touching the file
# only when the text changes, so that only what includes it is rebuilt after a commit. Run as
#   cmake -DSOURCE_DIR=<repo> -DOUTPUT=<file> -P SourceCommit.cmake
# The commit is `git describe --always --dirty --abbrev=40` (the full hash, "-dirty" with uncommitted changes), or
# "unknown" outside a git checkout.
execute_process(COMMAND git -C "${SOURCE_DIR}" describe --always --dirty --abbrev=40
                OUTPUT_VARIABLE commit OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE status)
if(NOT status EQUAL 0 OR commit STREQUAL "")
  set(commit "unknown")
endif()
set(text "#pragma once\n#define GROVE_SOURCE_COMMIT \"${commit}\"\n")
if(EXISTS "${OUTPUT}")
  file(READ "${OUTPUT}" old)
  if(old STREQUAL text)
    return()
  endif()
endif()
file(WRITE "${OUTPUT}" "${text}")
