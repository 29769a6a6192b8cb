# The grove SDK out of tree: installs the component sdk of this build to a fresh prefix, configures and builds
# examples/sdk-pong against it in a directory of its own, runs its scenario in the simulator with the images found
# by their own names (and on metal when METAL is set), and checks that a program linked without the runtime's start
# code fails to link.
#   cmake -DBUILD=<grove build> -DSOURCE=<grove source> -DWORK=<dir> -DGROVESIM=<grovesim> -DGENERATOR=<generator>
#         -DCXX=<c++ compiler> [-DMETAL=1] -P check_sdk.cmake
function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT status EQUAL 0)
    string(REPLACE ";" " " line "${ARGN}")
    message(FATAL_ERROR "${line}\nexited ${status}:\n${out}${err}")
  endif()
  set(output "${out}${err}" PARENT_SCOPE)
endfunction()

file(REMOVE_RECURSE ${WORK})
run(${CMAKE_COMMAND} --install ${BUILD} --component sdk --prefix ${WORK}/prefix)
foreach(file lib/libgrove_runtime.a lib/cmake/GroveSdk/GroveSdkConfig.cmake include/groves/runtime/runtime.hpp
             include/core/abi/syscall.hpp)
  if(NOT EXISTS ${WORK}/prefix/${file})
    message(FATAL_ERROR "the SDK has no ${file}")
  endif()
endforeach()
run(nm ${WORK}/prefix/lib/libgrove_runtime.a)
if(NOT output MATCHES "T _start")
  message(FATAL_ERROR "the runtime library does not define _start:\n${output}")
endif()

run(${CMAKE_COMMAND} -S ${SOURCE}/examples/sdk-pong -B ${WORK}/example -G ${GENERATOR}
    -DCMAKE_CXX_COMPILER=${CXX} -DCMAKE_PREFIX_PATH=${WORK}/prefix)
run(${CMAKE_COMMAND} --build ${WORK}/example)
run(${GROVESIM} inspect ${WORK}/example/pong.elf)
if(NOT output MATCHES "entry +0x[0-9a-f]+ +\\(_start\\+0x0\\).*verdict +valid")
  message(FATAL_ERROR "grovesim inspect does not find pong.elf valid with its entry at _start:\n${output}")
endif()

run(${GROVESIM} run --images ${WORK}/example ${SOURCE}/examples/sdk-pong/sdk_pong.toml)
if(NOT output MATCHES "console +text=\"ping: 10 rounds ok\\\\n\"|ping: 10 rounds ok" OR NOT output MATCHES "verdict: PASS")
  message(FATAL_ERROR "sdk_pong in the simulator:\n${output}")
endif()
message(STATUS "simulator: ${output}")
if(METAL)
  run(${GROVESIM} run --target metal --boot kernel --images ${WORK}/example ${SOURCE}/examples/sdk-pong/sdk_pong.toml)
  if(NOT output MATCHES "ping: 10 rounds ok.*verdict: PASS")
    message(FATAL_ERROR "sdk_pong on metal:\n${output}")
  endif()
  message(STATUS "metal: ${output}")
endif()

# A one-line program `name` (main returns 0) in a project of its own against the SDK, with `rules` after
# find_package(GroveSdk), configured in ${WORK}/<name>/build.
function(configure_program name rules)
  file(WRITE ${WORK}/${name}/CMakeLists.txt "cmake_minimum_required(VERSION 3.25)\nproject(${name} LANGUAGES CXX)\n"
       "find_package(GroveSdk REQUIRED)\n${rules}\n")
  file(WRITE ${WORK}/${name}/main.cpp "int main() { return 0; }\n")
  run(${CMAKE_COMMAND} -S ${WORK}/${name} -B ${WORK}/${name}/build -G ${GENERATOR} -DCMAKE_CXX_COMPILER=${CXX}
      -DCMAKE_PREFIX_PATH=${WORK}/prefix)
endfunction()

# Without the runtime library there is no _start: the link fails instead of warning and defaulting the entry.
configure_program(alone "add_executable(alone main.cpp)
target_link_options(alone PRIVATE \${GROVE_FREESTANDING_LINK_OPTIONS} \${GROVE_PROGRAM_LINK_OPTIONS})")
execute_process(COMMAND ${CMAKE_COMMAND} --build ${WORK}/alone/build RESULT_VARIABLE status OUTPUT_VARIABLE out
                ERROR_VARIABLE err)
if(status EQUAL 0 OR NOT "${out}${err}" MATCHES "_start")
  message(FATAL_ERROR "a program linked without the runtime's start code linked (exit ${status}):\n${out}${err}")
endif()

# A program whose entry is main, not the start code: it links, and grovesim inspect refuses it.
configure_program(main_entry "grove_add_program(main_entry main.cpp)
target_link_options(main_entry PRIVATE -Wl,-e,main)")
run(${CMAKE_COMMAND} --build ${WORK}/main_entry/build)
execute_process(COMMAND ${GROVESIM} inspect ${WORK}/main_entry/build/main_entry.elf RESULT_VARIABLE status
                OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT status EQUAL 2 OR NOT "${out}" MATCHES "verdict +rejected: entry_function: the entry point 0x[0-9a-f]+ is main, not _start")
  message(FATAL_ERROR "grovesim inspect did not refuse an image whose entry is main (exit ${status}):\n${out}${err}")
endif()
