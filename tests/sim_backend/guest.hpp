#pragma once
#include <sim/backend/unicorn_arch.hpp>

#include <core/grove/layout.hpp>

#include <gtest/gtest.h>

#include <cstdint>
#include <initializer_list>
#include <vector>

namespace grove::sim::testing {

// Machine code written in a test: bytes, with helpers for little-endian immediates.
class Code {
public:
    Code() = default;
    Code(std::initializer_list<std::uint8_t> bytes) : m_bytes(bytes) {}
    Code& bytes(std::initializer_list<std::uint8_t> b) {
        m_bytes.insert(m_bytes.end(), b);
        return *this;
    }
    Code& imm32(std::uint32_t v) {
        for (int i = 0; i < 4; ++i) m_bytes.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
        return *this;
    }
    Code& imm64(std::uint64_t v) {
        for (int i = 0; i < 8; ++i) m_bytes.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
        return *this;
    }
    Code& mov_rax(std::uint64_t v) { return bytes({0x48, 0xB8}).imm64(v); } // mov rax, imm64
    Code& int80() { return bytes({0xCD, 0x80}); }                           // int 0x80
    std::uint64_t size() const { return m_bytes.size(); }
    std::vector<std::uint8_t> const& data() const { return m_bytes; }

private:
    std::vector<std::uint8_t> m_bytes;
};

// One address space with a code page, data pages of each kind, a stack, and one thread at the code.
struct Guest {
    static constexpr u64 CodeBase = layout::WindowBase;   // read + execute
    static constexpr u64 Data = 0x0000'0000'0060'0000;    // read + write
    static constexpr u64 ReadOnly = Data + PageSize;      // read
    static constexpr u64 NoExecute = Data + 2 * PageSize; // read + write
    static constexpr u64 StackTop = layout::MainStackTop;
    static constexpr PageCount StackPages = PageCount(4);

    UnicornArch& arch;
    AddressSpaceId space{};
    ThreadId thread;

    Guest(UnicornArch& a, Code const& code, ThreadId t = ThreadId{1, 1}) : arch(a), thread(t) {
        space = arch.create_address_space().value();
        EXPECT_TRUE(arch.map(space, VirtAddr{CodeBase}, PageCount(1), Permissions::Read | Permissions::Execute));
        EXPECT_TRUE(arch.load(space, VirtAddr{CodeBase}, code.data().data(), Bytes(code.size())));
        EXPECT_TRUE(arch.map(space, VirtAddr{Data}, PageCount(1), Permissions::Read | Permissions::Write));
        EXPECT_TRUE(arch.map(space, VirtAddr{ReadOnly}, PageCount(1), Permissions::Read));
        EXPECT_TRUE(arch.map(space, VirtAddr{NoExecute}, PageCount(1), Permissions::Read | Permissions::Write));
        EXPECT_TRUE(arch.map(space, VirtAddr{StackTop - StackPages.value * PageSize}, StackPages,
                             Permissions::Read | Permissions::Write));
        EXPECT_TRUE(arch.create_context(thread, space, VirtAddr{CodeBase}, VirtAddr{StackTop}, 0, 0));
    }

    Trap run() { return arch.resume(thread); }
    RegisterSnapshot registers() { return arch.registers(thread); }
};

} // namespace grove::sim::testing
