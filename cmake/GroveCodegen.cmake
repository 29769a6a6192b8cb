# The code generation and link settings of grove programs, in one place for the tree (cmake/Freestanding.cmake,
# groves/CMakeLists.txt) and for the grove SDK, which installs this file beside GroveSdkConfig.cmake.
#
#   GROVE_FREESTANDING_CXX_OPTIONS   C++ without the hosted runtime: no exceptions, RTTI or static-init guards
#   GROVE_FREESTANDING_OPTIONS       no host library or builtins, kernel-safe code (no red zone, no SSE, no PIC)
#   GROVE_FREESTANDING_LINK_OPTIONS  a static executable of our objects only
#   GROVE_PROGRAM_COMPILE_OPTIONS    a grove program's optimisation and sections (the same in every build type)
#   GROVE_PROGRAM_LINK_OPTIONS       a grove program's layout: linked at the grove window (0x400000,
#                                    core/grove/layout.hpp) in 4 KiB pages, code apart from data (W^X), no relro or
#                                    build id, unused sections dropped, every symbol defined, and _start required:
#                                    the runtime library's start code, so a link without it fails
set(GROVE_FREESTANDING_CXX_OPTIONS -fno-exceptions -fno-rtti -fno-threadsafe-statics -fno-use-cxa-atexit)
set(GROVE_FREESTANDING_OPTIONS -ffreestanding -fno-builtin -nostdlib -mno-red-zone -mgeneral-regs-only
    -fno-stack-protector -fno-pic -fno-pie -fno-asynchronous-unwind-tables)
set(GROVE_FREESTANDING_LINK_OPTIONS -nostdlib -static -no-pie)
# The runtime's memcpy/memset loops must not become calls to memcpy/memset.
set(GROVE_PROGRAM_COMPILE_OPTIONS -O2 -g -gno-record-gcc-switches -fno-tree-loop-distribute-patterns
    -ffunction-sections -fdata-sections)
set(GROVE_PROGRAM_LINK_OPTIONS
    -Wl,-Ttext-segment=0x400000 -Wl,-z,max-page-size=0x1000 -Wl,-z,common-page-size=0x1000
    -Wl,-z,separate-code -Wl,-z,noexecstack -Wl,-z,norelro -Wl,--build-id=none
    -Wl,--gc-sections -Wl,--no-undefined -Wl,--fatal-warnings -Wl,--require-defined=_start)
