#pragma once
#include <core/base/std.hpp>

namespace grove {

// A quantity of one kind. Quantities of different kinds do not mix: Bytes + Ticks does not compile, and turning
// bytes into pages is an explicit call. Arithmetic wraps like u64; callers that can overflow check first
// (see checked_add).
template<typename Tag>
struct Quantity {
    u64 value = 0;

    constexpr Quantity() = default;
    constexpr explicit Quantity(u64 v) : value(v) {}

    constexpr auto operator<=>(Quantity const&) const = default;
    constexpr Quantity operator+(Quantity o) const { return Quantity(value + o.value); }
    constexpr Quantity operator-(Quantity o) const { return Quantity(value - o.value); }
    constexpr Quantity operator*(u64 k) const { return Quantity(value * k); }
    constexpr Quantity operator/(u64 k) const { return Quantity(value / k); }
    constexpr Quantity& operator+=(Quantity o) {
        value += o.value;
        return *this;
    }
    constexpr Quantity& operator-=(Quantity o) {
        value -= o.value;
        return *this;
    }
    constexpr bool is_zero() const { return value == 0; }
    static constexpr Quantity max() { return Quantity(~u64{0}); }
};

struct TicksTag {};
struct BytesTag {};
struct PagesTag {};

// Virtual time. One tick is one nanosecond of the machine's own clock: in the simulator one retired guest
// instruction costs one tick; on bare metal under QEMU -icount shift=0 the same holds.
using Ticks = Quantity<TicksTag>;
using Bytes = Quantity<BytesTag>;
using PageCount = Quantity<PagesTag>;

inline constexpr u64 PageSize = 4096;

constexpr PageCount pages_for(Bytes b) { return PageCount((b.value + PageSize - 1) / PageSize); }
constexpr Bytes bytes_of(PageCount p) { return Bytes(p.value * PageSize); }

constexpr Ticks microseconds(u64 n) { return Ticks(n * 1'000); }
constexpr Ticks milliseconds(u64 n) { return Ticks(n * 1'000'000); }
constexpr Ticks seconds(u64 n) { return Ticks(n * 1'000'000'000); }

constexpr Bytes kibibytes(u64 n) { return Bytes(n << 10); }
constexpr Bytes mebibytes(u64 n) { return Bytes(n << 20); }

// An address in a grove's (virtual) address space, or a physical address. Not arithmetic-compatible with sizes
// except through the named helpers.
struct VirtAddr {
    u64 value = 0;
    constexpr auto operator<=>(VirtAddr const&) const = default;
    constexpr VirtAddr offset(Bytes b) const { return VirtAddr{value + b.value}; }
    constexpr bool is_page_aligned() const { return (value & (PageSize - 1)) == 0; }
};

struct PhysAddr {
    u64 value = 0;
    constexpr auto operator<=>(PhysAddr const&) const = default;
    constexpr bool is_page_aligned() const { return (value & (PageSize - 1)) == 0; }
};

// a + b without wrapping; false when it would wrap.
constexpr bool checked_add(u64 a, u64 b, u64& out) { return !__builtin_add_overflow(a, b, &out); }
constexpr bool checked_mul(u64 a, u64 b, u64& out) { return !__builtin_mul_overflow(a, b, &out); }

} // namespace grove
