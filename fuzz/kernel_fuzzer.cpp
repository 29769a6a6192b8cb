// The syscall decoder with the kernel behind it: the fuzzer's bytes are the choices of the random-operation driver
// (tests/core/kernel/random_operations.hpp), so an input is a stream of syscalls (valid and hostile arguments),
// faults, timer traps and operator actions against four groves on the fake backend. After every step the kernel's
// invariants are checked, and at the end every grove is retired and everything it held must be back. A core panic
// aborts (tests/support/panic_to_abort.cpp), which libFuzzer reports with the input.
#include <fuzz/fuzz_check.hpp>
#include <tests/core/kernel/random_operations.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>

using namespace grove;
using grove::fuzz::require;

namespace {

// The most steps one input drives (an input runs out of bytes long before, unless it is very large).
constexpr u64 MaxSteps = 20'000;

// Choices read from the input: one byte for a bound up to 256, two up to 65 536, eight otherwise, little-endian;
// zeros once the input is spent.
class ByteChoices final : public testing::ChoiceSource {
public:
    ByteChoices(u8 const* data, usize size) : m_data(data), m_size(size) {}

    u64 next() override { return take(8); }
    u64 below(u64 bound) override {
        usize const width = bound <= 0x100 ? 1 : bound <= 0x1'0000 ? 2 : 8;
        return take(width) % bound;
    }
    bool is_spent() const { return m_position >= m_size; }

private:
    u64 take(usize width) {
        u64 value = 0;
        for (usize i = 0; i < width && m_position < m_size; ++i) value |= u64{m_data[m_position++]} << (8 * i);
        return value;
    }

    u8 const* m_data;
    usize m_size;
    usize m_position = 0;
};

void require_held(std::string const& broken) { require(broken.empty(), broken); }

} // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    ByteChoices choices(data, size);
    testing::RandomOperations run(choices);
    require_held(run.start());
    for (u64 step = 0; step < MaxSteps && !choices.is_spent(); ++step) require_held(run.step());
    require_held(run.finish());
    return 0;
}
