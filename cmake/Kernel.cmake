# The bare-metal kernel: flags on top of grove_freestanding, the link, the ISO, and how tests and `make qemu` run
# QEMU. Included by arch_x86_64/CMakeLists.txt.
#
# Memory model: the kernel is linked at 1 MiB and runs identity mapped below 4 GiB, so the default small code
# model (every symbol below 2 GiB) with -fno-pic fits; no higher half.

find_program(GROVE_QEMU qemu-system-x86_64)
find_program(GROVE_GRUB_MKRESCUE grub-mkrescue)

# The QEMU machine every run uses: no display, serial on stdio, the exit device, deterministic time. q35 because
# under -icount the i440fx's IDE CD-ROM makes SeaBIOS and GRUB take about 25 s to reach the kernel; q35's AHCI
# takes about 6 s. sleep=off: while the CPU halts, the virtual clock jumps to the next timer instead of following
# the host's, so an idle kernel stays deterministic (and costs nothing). qemu64 with UMIP (TCG emulates it), which
# the kernel enables so that a grove's sgdt, sidt, sldt, str and smsw are #GP (arch_x86_64/README.md).
# Cache entries (internal) so that tests/metal sees them too.
set(GROVE_QEMU_ARGS -machine q35 -cpu qemu64,+umip -m 128M -display none -serial stdio -no-reboot
    -device isa-debug-exit,iobase=0xf4,iosize=0x04 -icount shift=0,sleep=off CACHE INTERNAL "QEMU options of every run")
# What isa-debug-exit turns the kernel's verdicts into: (value << 1) | 1 (platform/debug_exit.hpp).
set(GROVE_QEMU_EXIT_SUCCESS 33 CACHE INTERNAL "QEMU's exit status for the kernel's success")

add_library(grove_kernel_flags INTERFACE)
target_compile_options(grove_kernel_flags INTERFACE -mcmodel=small -fno-pic -fno-pie)
target_link_options(grove_kernel_flags INTERFACE -Wl,--no-warn-rwx-segments -Wl,-z,max-page-size=0x1000
                    -Wl,--build-id=none)

# grove_add_kernel(<target> LINKER_SCRIPT <file> SOURCES <C++ files> ASM_SOURCES <.S files>)
# An ELF kernel linked with grove_core_freestanding. The assembly is built without the C++ warning set.
function(grove_add_kernel target)
  cmake_parse_arguments(KERNEL "" "LINKER_SCRIPT" "SOURCES;ASM_SOURCES" ${ARGN})
  add_library(${target}_asm OBJECT ${KERNEL_ASM_SOURCES})
  target_include_directories(${target}_asm PRIVATE ${PROJECT_SOURCE_DIR})
  target_compile_options(${target}_asm PRIVATE -fno-pic -fno-pie)

  add_executable(${target} ${KERNEL_SOURCES} $<TARGET_OBJECTS:${target}_asm>)
  target_include_directories(${target} PRIVATE ${PROJECT_SOURCE_DIR})
  target_link_libraries(${target} PRIVATE grove_core_freestanding grove_x86_isa_freestanding grove_freestanding grove_kernel_flags
                        grove_warnings gcc)
  target_link_options(${target} PRIVATE -T ${KERNEL_LINKER_SCRIPT}
                      -Wl,-Map=${CMAKE_BINARY_DIR}/kernel/${target}.map)
  set_target_properties(${target} PROPERTIES LINK_DEPENDS ${KERNEL_LINKER_SCRIPT} SUFFIX .elf
                        RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/kernel)
  set_property(TARGET ${target} grove_core_freestanding PROPERTY INTERPROCEDURAL_OPTIMIZATION_RELEASE TRUE)
  # The Release kernel is the one the metal benchmark counts instructions of (bench/README.md): no frame
  # pointers (nothing walks them), and inlining limits raised so that the trap path (resume, on_trap, the
  # syscall, dispatch) is a few functions instead of dozens of calls, each with its prologue and epilogue.
  # Passed to the link as well: with link-time optimization the inlining happens there.
  if(CMAKE_BUILD_TYPE STREQUAL "Release")
    set_property(TARGET ${target} grove_core_freestanding PROPERTY GROVE_OMIT_FRAME_POINTER TRUE)
    set(inlining --param=max-inline-insns-single=5000 --param=max-inline-insns-auto=2000
        --param=large-function-growth=10000 --param=large-function-insns=100000 --param=inline-unit-growth=1000
        --param=early-inlining-insns=200 --param=max-inline-functions-called-once-insns=100000
        --param=large-stack-frame-growth=2000)
    target_compile_options(${target} PRIVATE ${inlining})
    target_compile_options(grove_core_freestanding PRIVATE ${inlining})
    target_link_options(${target} PRIVATE ${inlining})
  endif()
endfunction()

# grove_add_iso(<target> KERNEL <kernel target> GRUB_CONFIG <file> OUTPUT <iso>)
# A bootable ISO (GRUB, Multiboot2) holding the kernel as /boot/grove.elf; part of the default build.
function(grove_add_iso target)
  cmake_parse_arguments(ISO "" "KERNEL;GRUB_CONFIG;OUTPUT" "" ${ARGN})
  set(root ${CMAKE_BINARY_DIR}/kernel/iso-root)
  add_custom_command(OUTPUT ${ISO_OUTPUT}
    COMMAND ${CMAKE_COMMAND} -E rm -rf ${root}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${root}/boot/grub
    COMMAND ${CMAKE_COMMAND} -E copy $<TARGET_FILE:${ISO_KERNEL}> ${root}/boot/grove.elf
    COMMAND ${CMAKE_COMMAND} -E copy ${ISO_GRUB_CONFIG} ${root}/boot/grub/grub.cfg
    COMMAND ${CMAKE_COMMAND} -DGRUB_MKRESCUE=${GROVE_GRUB_MKRESCUE} -DROOT=${root} -DOUTPUT=${ISO_OUTPUT}
            -P ${PROJECT_SOURCE_DIR}/cmake/KernelIso.cmake
    DEPENDS ${ISO_KERNEL} ${ISO_GRUB_CONFIG} ${PROJECT_SOURCE_DIR}/cmake/KernelIso.cmake
    COMMENT "Making ${ISO_OUTPUT} with grub-mkrescue"
    VERBATIM)
  add_custom_target(${target} ALL DEPENDS ${ISO_OUTPUT})
endfunction()

# grove_add_plan_iso(<target> SCENARIO <scenario.toml> OUTPUT <iso>)
# A bootable ISO holding the kernel, the scenario's boot plan and its grove images as module2 entries, made by
# grove-metal (sim/metal; cached by content hash under build/metal/); part of the default build.
function(grove_add_plan_iso target)
  cmake_parse_arguments(PLAN_ISO "" "SCENARIO;OUTPUT" "" ${ARGN})
  add_custom_command(OUTPUT ${PLAN_ISO_OUTPUT}
    COMMAND $<TARGET_FILE:grove-metal> iso ${PLAN_ISO_SCENARIO} -o ${PLAN_ISO_OUTPUT}
    DEPENDS grove-metal grove_kernel grove_images ${GROVE_IMAGES} ${PLAN_ISO_SCENARIO}
    COMMENT "Making ${PLAN_ISO_OUTPUT} for ${PLAN_ISO_SCENARIO}"
    VERBATIM)
  add_custom_target(${target} ALL DEPENDS ${PLAN_ISO_OUTPUT})
endfunction()
