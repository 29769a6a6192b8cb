#pragma once
// Helpers shared by the ELF tests: reading a file into memory, viewing a vector as a Span, and checking a plan
// against the promises of validate_elf_image independently of the validator's own code.
#include <core/elf/elf_image.hpp>
#include <tests/core/elf/image_plan_soundness.hpp>

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace grove::testing {

inline Span<u8 const> span_of(std::vector<u8> const& bytes) { return Span<u8 const>{bytes.data(), bytes.size()}; }

inline std::vector<u8> read_file(std::string const& path) {
    std::ifstream in(path, std::ios::binary);
    return std::vector<u8>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// The linked fixture (tests/fixtures/static_grove.cpp), built by CMake, which passes its path.
inline std::vector<u8> static_grove_fixture() {
    std::vector<u8> file = read_file(GROVE_STATIC_GROVE_FIXTURE);
    EXPECT_FALSE(file.empty()) << "missing fixture " << GROVE_STATIC_GROVE_FIXTURE;
    return file;
}

// Every promise of an accepted plan, checked from the plan and the file alone (image_plan_soundness.hpp).
inline void expect_plan_sound(ImagePlan const& plan, std::vector<u8> const& file, Bytes memory_limit) {
    EXPECT_STREQ(image_plan_problem(plan, Span<u8 const>{file.data(), file.size()}, memory_limit), "");
}

} // namespace grove::testing
