#pragma once
// The promises of a plan validate_elf_image accepted, checked from the plan and the file alone, without
// GoogleTest: shared by the ELF tests and the ELF fuzzer.
#include <core/elf/elf_image.hpp>
#include <core/grove/layout.hpp>

namespace grove::testing {

inline u64 page_floor(u64 v) { return v / PageSize * PageSize; }
inline u64 page_ceiling(u64 v) { return (v + PageSize - 1) / PageSize * PageSize; }

// The first broken promise of `plan`, made from `file` under `memory_limit`, or "" when it keeps them all.
inline char const* image_plan_problem(ImagePlan const& plan, Span<u8 const> file, Bytes memory_limit) {
    if (plan.segments.is_empty()) return "no segment";
    bool entry_found = false;
    u64 total = 0;
    for (usize i = 0; i < plan.segments.size(); ++i) {
        ImageSegment const& s = plan.segments[i];
        if (s.memory_size.value == 0) return "a segment maps nothing";
        if (s.file_bytes.size > s.memory_size.value) return "a segment has more file bytes than memory";
        if (s.file_bytes.data < file.data || s.file_bytes.data + s.file_bytes.size > file.data + file.size)
            return "a segment's file bytes leave the file";
        u64 const first = page_floor(s.address.value);
        u64 const end = page_ceiling(s.address.value + s.memory_size.value);
        if (!layout::in_window(first, end - first)) return "a segment leaves the grove window";
        if (has(s.permissions, Permissions::Write) && has(s.permissions, Permissions::Execute))
            return "a segment is writable and executable";
        for (usize j = i + 1; j < plan.segments.size(); ++j) {
            ImageSegment const& t = plan.segments[j];
            u64 const other_first = page_floor(t.address.value);
            u64 const other_end = page_ceiling(t.address.value + t.memory_size.value);
            if (!(end <= other_first || other_end <= first)) return "two segments share a page";
        }
        if (has(s.permissions, Permissions::Execute) && plan.entry.value >= s.address.value &&
            plan.entry.value - s.address.value < s.file_bytes.size)
            entry_found = true;
        total += end - first;
    }
    if (!entry_found) return "the entry point is not in the file bytes of an executable segment";
    if (total > memory_limit.value) return "the image exceeds the memory limit";
    if (image_memory(plan).value != total) return "image_memory disagrees with the segments";
    return "";
}

} // namespace grove::testing
