#pragma once
// Helpers shared by the ELF tests: reading a file into memory, viewing a vector as a Span, and checking a plan
// against the promises of validate_elf_image independently of the validator's own code.
#include <core/elf/elf_image.hpp>
#include <core/grove/layout.hpp>

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

inline u64 page_floor(u64 v) { return v / PageSize * PageSize; }
inline u64 page_ceiling(u64 v) { return (v + PageSize - 1) / PageSize * PageSize; }

// Every promise of an accepted plan, checked from the plan and the file alone.
inline void expect_plan_sound(ImagePlan const& plan, std::vector<u8> const& file, Bytes memory_limit) {
    ASSERT_FALSE(plan.segments.is_empty());
    bool entry_found = false;
    u64 total = 0;
    for (usize i = 0; i < plan.segments.size(); ++i) {
        ImageSegment const& s = plan.segments[i];
        EXPECT_GT(s.memory_size.value, 0u);
        EXPECT_LE(s.file_bytes.size, s.memory_size.value);
        EXPECT_GE(s.file_bytes.data, file.data());
        EXPECT_LE(s.file_bytes.data + s.file_bytes.size, file.data() + file.size());
        u64 const first = page_floor(s.address.value);
        u64 const end = page_ceiling(s.address.value + s.memory_size.value);
        EXPECT_TRUE(layout::in_window(first, end - first));
        EXPECT_FALSE(has(s.permissions, Permissions::Write) && has(s.permissions, Permissions::Execute));
        for (usize j = i + 1; j < plan.segments.size(); ++j) {
            ImageSegment const& t = plan.segments[j];
            u64 const other_first = page_floor(t.address.value);
            u64 const other_end = page_ceiling(t.address.value + t.memory_size.value);
            EXPECT_TRUE(end <= other_first || other_end <= first) << "segments " << i << " and " << j;
        }
        if (has(s.permissions, Permissions::Execute) && plan.entry.value >= s.address.value &&
            plan.entry.value - s.address.value < s.file_bytes.size)
            entry_found = true;
        total += end - first;
    }
    EXPECT_TRUE(entry_found);
    EXPECT_LE(total, memory_limit.value);
    EXPECT_EQ(image_memory(plan).value, total);
}

} // namespace grove::testing
