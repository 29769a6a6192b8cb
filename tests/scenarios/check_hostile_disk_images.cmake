# Hostile grove images on a World-Tree disk, loaded through `image = "world-tree:/..."` (the loader grove): writes
# hostile.img (garbage, a truncated image, one over ServiceLoad's 64 KiB, one asking for more memory than its grove
# may use, and a well-formed echo) beside a copy of world_tree_load_hostile.toml, then runs it on RUN_ON (sim or
# metal), which must hold every expectation: each bad image refused with its loader's exit 1, the rest unharmed;
# on metal also `grovesim diff`: the same events and disk as the simulator.
# -DGROVESIM=<grovesim> -DOBJCOPY=<objcopy> -DFULL=<echo.elf, with its symbols> -DSCENARIO=<the .toml>
# -DRUN_ON=<sim|metal> -DWORK=<a scratch directory>
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
include(${CMAKE_CURRENT_LIST_DIR}/../sim/grovesim_steps.cmake)

file(SIZE ${FULL} full_size)
if(full_size LESS_EQUAL 65536)
  message(FATAL_ERROR "${FULL} (${full_size} bytes) no longer exceeds ServiceLoad's 64 KiB: pad it")
endif()
set(STRIPPED ${WORK}/echo)
execute_process(COMMAND ${OBJCOPY} --strip-all ${FULL} ${STRIPPED} RESULT_VARIABLE stripped)
if(NOT stripped EQUAL 0)
  message(FATAL_ERROR "could not strip ${FULL}")
endif()
file(WRITE ${WORK}/garbage "this is not an ELF file, only text that was stored as a grove's image\n")
# file(WRITE) cannot write arbitrary bytes; head and python can.
execute_process(COMMAND head -c 1500 ${STRIPPED} OUTPUT_FILE ${WORK}/truncated RESULT_VARIABLE written)
if(NOT written EQUAL 0)
  message(FATAL_ERROR "could not write ${WORK}/truncated")
endif()
# The last PT_LOAD segment of the stripped echo, with 1 GiB more memory (p_memsz, zero-filled): a valid ELF.
execute_process(COMMAND python3 -c [=[
import struct, sys
data = bytearray(open(sys.argv[1], 'rb').read())
phoff, = struct.unpack_from('<Q', data, 0x20)
phentsize, phnum = struct.unpack_from('<HH', data, 0x36)
loads = [phoff + i * phentsize for i in range(phnum) if struct.unpack_from('<I', data, phoff + i * phentsize)[0] == 1]
last = max(loads, key=lambda at: struct.unpack_from('<Q', data, at + 0x10)[0])
memsz, = struct.unpack_from('<Q', data, last + 0x28)
struct.pack_into('<Q', data, last + 0x28, memsz + (1 << 30))
open(sys.argv[2], 'wb').write(data)
]=] ${STRIPPED} ${WORK}/hungry RESULT_VARIABLE written)
if(NOT written EQUAL 0)
  message(FATAL_ERROR "could not write ${WORK}/hungry")
endif()

set(image ${WORK}/hostile.img)
grovesim_step(0 out disk make ${image} --sectors 1024)
foreach(object garbage truncated hungry)
  grovesim_step(0 out disk put ${image} /groves/${object} ${WORK}/${object} --essence Grove)
endforeach()
grovesim_step(0 out disk put ${image} /groves/oversized ${FULL} --essence Grove)
grovesim_step(0 out disk put ${image} /groves/echo ${STRIPPED} --essence Grove)
configure_file(${SCENARIO} ${WORK}/world_tree_load_hostile.toml COPYONLY)

if(RUN_ON STREQUAL "metal")
  set(run run --target metal --boot kernel)
else()
  set(run run)
endif()
grovesim_step(0 out ${run} --trace ${WORK}/trace.jsonl ${WORK}/world_tree_load_hostile.toml)
expect_match("${out}" "verdict: PASS" "the verdict")
file(READ ${WORK}/trace.jsonl trace)
expect_match("${trace}" "loader: garbage from world-tree:/groves/garbage refused: InvalidArgument" "garbage refused")
expect_match("${trace}" "loader: truncated from world-tree:/groves/truncated refused: InvalidArgument"
             "the truncated image refused")
expect_match("${trace}" "loader: cannot read /groves/oversized from world-tree: LimitExceeded"
             "the oversized image refused")
expect_match("${trace}" "loader: hungry from world-tree:/groves/hungry refused: LimitExceeded"
             "the hungry image refused")
expect_match("${trace}" "loader: echo loaded from world-tree:/groves/echo" "echo loaded")
if(RUN_ON STREQUAL "metal")
  # And every grove's events, and the disk, as the simulator's.
  grovesim_step(0 out diff --boot kernel ${WORK}/world_tree_load_hostile.toml)
  expect_match("${out}" "sequences: SAME" "the events on both targets")
  expect_match("${out}" "disk hostile.img: SAME" "the disk on both targets")
endif()
