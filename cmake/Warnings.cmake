# One interface target carrying the project's warning set, for host and freestanding code alike.
add_library(grove_warnings INTERFACE)
target_compile_options(grove_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion
  -Wnon-virtual-dtor -Wold-style-cast -Wcast-align -Wnull-dereference
  -Wimplicit-fallthrough -Werror)

# Language restrictions that core/ obeys in every build, hosted or not.
add_library(grove_core_language INTERFACE)
target_compile_options(grove_core_language INTERFACE -fno-exceptions -fno-rtti)

if(GROVE_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()
