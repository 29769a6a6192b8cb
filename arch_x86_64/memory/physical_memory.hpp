#pragma once
#include <core/arch/arch.hpp>

namespace grove::metal {

// The kernel's page tables map physical memory 1:1 from 0 to IdentityLimit (boot/boot.S), so the kernel reaches
// any frame below it at the same address. Frames above it are never handed out.
inline constexpr u64 IdentityLimit = KernelPhysicalLimit;

inline void* physical_to_pointer(PhysAddr address) { return reinterpret_cast<void*>(address.value); }

} // namespace grove::metal
