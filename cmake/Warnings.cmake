# One interface target carrying the project's warning set, for host and freestanding code alike.
add_library(grove_warnings INTERFACE)
target_compile_options(grove_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion
  -Wnon-virtual-dtor -Wold-style-cast -Wcast-align -Wnull-dereference
  -Wimplicit-fallthrough -Werror)
# -Wnull-dereference acts only where the optimiser deletes null checks, so the debug build never runs it; in the
# Release build (-O3) GCC 12 reports paths that inlining invents and the code excludes (IntrusiveList::pop_front
# after an is_empty() check, SlotTable::get after insert), which would stop every Release build. Off there; and
# -Wrestrict too, which GCC 12 raises at -O3 inside libstdc++'s own std::string code (char_traits.h), not ours;
# and -Wstringop-truncation, which it raises at -O3 for a bounded strncpy into a zeroed buffer that keeps its
# final NUL (sim/backend/disassembler.cpp), the very use the bound is for.
target_compile_options(grove_warnings INTERFACE
  "$<$<CONFIG:Release,RelWithDebInfo,MinSizeRel>:-Wno-null-dereference;-Wno-restrict;-Wno-stringop-truncation>")

# Language restrictions that core/ obeys in every build, hosted or not.
add_library(grove_core_language INTERFACE)
target_compile_options(grove_core_language INTERFACE -fno-exceptions -fno-rtti)

if(GROVE_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()
