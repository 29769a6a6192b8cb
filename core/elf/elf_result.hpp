#pragma once
#include <core/base/result.hpp>
#include <core/elf/elf_check.hpp>

namespace grove {

// Either a value or the ElfCheck that rejected the file: a Result whose error names the check that failed, so a
// rejection always says what was wrong. TRY propagates it like any Result.
template<typename T>
using ElfResult = Result<T, ElfCheck>;

} // namespace grove
