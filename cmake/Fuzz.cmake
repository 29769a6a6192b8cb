# The fuzz tree (GROVE_FUZZ, the fuzz preset): clang 14 with libFuzzer's coverage instrumentation, AddressSanitizer
# and UndefinedBehaviorSanitizer on every target; undefined behaviour aborts (no recovery), so the fuzzer keeps the
# input; its vptr check is off, as it needs RTTI, which core/ is built without. Harnesses link -fsanitize=fuzzer themselves (fuzz/CMakeLists.txt). clang's warnings are reported but do not
# stop this build: the g++ build is the one that holds the project's warning set with -Werror.
if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  message(FATAL_ERROR "GROVE_FUZZ needs clang (libFuzzer): configure with the fuzz preset (clang++-14)")
endif()
add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize=vptr -fno-sanitize-recover=all
                    -fno-omit-frame-pointer
                    -O1)
add_link_options(-fsanitize=address,undefined -fno-sanitize=vptr)
set_property(TARGET grove_warnings APPEND PROPERTY INTERFACE_COMPILE_OPTIONS -Wno-error)
