# The grove SDK: find_package(GroveSdk) in a project of your own builds grove programs (static x86_64 ELF images
# for the simulator and the bare-metal kernel) against an installed Grove (cmake --install <build> --component sdk,
# or make sdk). It provides
#   GroveSdk::runtime              the runtime library (libgrove_runtime.a, start code _start included), the ABI
#                                  and runtime headers (<groves/runtime/runtime.hpp>) and the compile and link
#                                  settings of a grove program (GroveCodegen.cmake)
#   grove_add_program(<name> <sources>...)
#                                  an executable <name>.elf in ${GROVE_SDK_IMAGE_DIR} (default: the current binary
#                                  directory) linked against GroveSdk::runtime; a scenario loads it as
#                                  image = "<name>" with grovesim --images ${GROVE_SDK_IMAGE_DIR}
# The compiler must be a g++ for x86_64 (the runtime library is built by one; C++20).
include(${CMAKE_CURRENT_LIST_DIR}/GroveCodegen.cmake)
get_filename_component(_grove_sdk_prefix "${CMAKE_CURRENT_LIST_DIR}/../../.." ABSOLUTE)

if(NOT TARGET GroveSdk::runtime)
  add_library(GroveSdk::runtime STATIC IMPORTED)
  set_target_properties(GroveSdk::runtime PROPERTIES
    IMPORTED_LOCATION "${_grove_sdk_prefix}/lib/libgrove_runtime.a"
    INTERFACE_INCLUDE_DIRECTORIES "${_grove_sdk_prefix}/include"
    INTERFACE_COMPILE_FEATURES cxx_std_20
    INTERFACE_COMPILE_OPTIONS
      "$<$<COMPILE_LANGUAGE:CXX>:${GROVE_FREESTANDING_CXX_OPTIONS}>;${GROVE_FREESTANDING_OPTIONS};${GROVE_PROGRAM_COMPILE_OPTIONS}"
    INTERFACE_LINK_OPTIONS "${GROVE_FREESTANDING_LINK_OPTIONS};${GROVE_PROGRAM_LINK_OPTIONS}")
endif()

if(NOT DEFINED GROVE_SDK_IMAGE_DIR)
  set(GROVE_SDK_IMAGE_DIR ${CMAKE_CURRENT_BINARY_DIR})
endif()

function(grove_add_program name)
  if(ARGC LESS 2)
    message(FATAL_ERROR "grove_add_program(${name}): give the program's sources")
  endif()
  add_executable(${name} ${ARGN})
  target_link_libraries(${name} PRIVATE GroveSdk::runtime)
  set_target_properties(${name} PROPERTIES SUFFIX .elf RUNTIME_OUTPUT_DIRECTORY ${GROVE_SDK_IMAGE_DIR})
endfunction()
