#pragma once
#include <core/arch/arch.hpp>

namespace grove {

// One incarnation's address space as the lifecycle built it: what the kernel needs to create the main thread
// (Arch::create_context(thread, space, entry, stack_top, argc, argv)) and how much memory it holds.
struct LoadedImage {
    AddressSpaceId space;
    VirtAddr entry;
    VirtAddr stack_top;
    u64 argc = 0;
    VirtAddr argv; // in the read-only arguments page
    Bytes memory;  // mapped for the image, the stack and the arguments page
    Bytes tables;  // the page tables the space holds once built (Arch::table_pages), charged beside `memory`
    Bytes charged() const { return memory + tables; }
};

} // namespace grove
