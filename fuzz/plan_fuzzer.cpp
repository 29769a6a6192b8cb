// The boot plan reader on any bytes (core/plan/plan_reader). The checksum of an input of a header's size or more is
// set right before reading, so the fuzzer reaches the records (the checksum check itself is a unit test's job).
// The reader must never read past the bytes or crash; a refused plan leaves the output empty; an accepted plan
// keeps the promises read_boot_plan documents, and writing it back gives the very same bytes.
#include <fuzz/fuzz_check.hpp>

#include <core/plan/plan_format.hpp>
#include <core/plan/plan_reader.hpp>
#include <core/plan/plan_writer.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

using namespace grove;
using grove::fuzz::require;

namespace {

void check_plan(BootPlan const& p) {
    require(p.duration.value > 0, "an accepted plan lasts");
    require(!p.groves.is_empty() && p.groves.size() <= MaxPlanGroves, "an accepted plan has 1..64 groves");
    for (PlanGrove const& g : p.groves) {
        require(g.priority < PlanPriorityLevels, "a grove's priority is below 32");
        require(g.start_at < p.duration, "a grove starts before the end");
        require(plan_capabilities(g).has_value(), "an accepted grove's capabilities can be made");
    }
    for (PlanFault const& f : p.faults) {
        require(f.at < p.duration, "a fault happens before the end");
        require(f.grove < p.groves.size(), "a fault names a grove of the plan");
        if (f.action == FaultAction::FloodStart)
            require(f.target < p.groves.size(), "a flood-start targets a grove of the plan");
        require(static_cast<u8>(f.action) < FaultActionCount, "a fault's action is known");
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    std::vector<u8> bytes(data, data + size);
    if (size >= plan::HeaderSize)
        plan::store<u64>(bytes.data() + plan::ChecksumOffset, plan::checksum(bytes.data(), size));

    static auto* const plan = new BootPlan;
    *plan = BootPlan{};
    PlanCheck const check = read_boot_plan(Span<u8 const>{bytes.data(), bytes.size()}, *plan);
    if (check != PlanCheck::Ok) {
        require(plan->groves.is_empty() && plan->faults.is_empty(), "a refused plan leaves the output empty");
        return 0;
    }
    check_plan(*plan);
    require(boot_plan_size(*plan) == size, "an accepted plan's size is the size of its bytes");
    std::vector<u8> written(size);
    Result<usize> const length = write_boot_plan(*plan, Span<u8>{written.data(), written.size()});
    require(length.has_value() && length.value() == size, "an accepted plan can be written back");
    require(written == bytes, "an accepted plan is written back to the same bytes");
    return 0;
}
