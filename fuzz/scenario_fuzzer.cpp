// The scenario parser on any bytes: the text guard (sim/scenario/text_guard) and then the strict reader. It must
// never crash, hang or touch memory it does not own; a refusal names a position inside the text and a message of
// bounded size; an accepted scenario holds only what the kernel can hold; the same text gives the same outcome.
#include <fuzz/fuzz_check.hpp>
#include <sim/scenario/scenario_parser.hpp>
#include <sim/scenario/text_guard.hpp>

#include <core/grove/capabilities.hpp>
#include <core/grove/capacity.hpp>
#include <core/grove/grove_spec.hpp>
#include <core/plan/boot_plan.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <set>
#include <string_view>

using namespace grove;
using grove::fuzz::require;

namespace {

// The longest diagnostic message: untrusted text in it is quoted and cut, so no input makes it long.
constexpr usize MaxMessageBytes = 1024;

void check_refusal(scenario::Diagnostic const& d, std::string_view text) {
    require(!d.message.empty(), "a refusal says what is wrong");
    require(d.message.size() <= MaxMessageBytes, "a refusal's message is bounded");
    usize const lines = static_cast<usize>(std::count(text.begin(), text.end(), '\n')) + 1;
    require(d.line <= lines, "a refusal's line is inside the text");
    require(d.column <= text.size() + 1, "a refusal's column is inside the text");
}

void check_scenario(scenario::Scenario const& s) {
    require(!s.groves.empty() && s.groves.size() <= MaxGroves, "an accepted scenario has 1..64 groves");
    require(s.faults.size() <= MaxPlanFaults, "an accepted scenario has at most 256 faults");
    std::set<std::string> names;
    for (scenario::GroveSpec const& g : s.groves) {
        require(names.insert(g.name).second, "grove names are distinct");
        require(g.args.size() <= MaxArguments, "a grove has at most 8 arguments");
        for (std::string const& a : g.args) require(a.size() <= MaxArgumentLength, "an argument has at most 63 bytes");
        require(g.capabilities.io_ports.size() <= MaxIoPortRanges, "a grove has at most 16 port ranges");
        require(g.capabilities.physical.size() <= MaxPhysicalRanges, "a grove has at most 16 physical ranges");
        require(g.capabilities.ipc_send.size() <= MaxIpcPeers, "a grove sends to at most 16 peers");
        require(g.capabilities.ipc_receive.size() <= MaxIpcPeers, "a grove receives from at most 16 peers");
    }
    require(s.duration.value > 0, "an accepted scenario lasts");
    for (scenario::Fault const& f : s.faults) {
        require(f.at < s.duration, "a fault happens before the end");
        require(names.count(f.grove) == 1, "a fault names a declared grove");
        bool const floods = f.action == FaultAction::FloodStart;
        require(floods ? names.count(f.target) == 1 : f.target.empty(), "only a flood-start names a declared target");
        require((f.bytes.value > 0) == (f.action == FaultAction::MemorySpike), "only a memory spike has bytes");
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    static scenario::ParseOptions const options;
    std::string_view const text(reinterpret_cast<char const*>(data), size);
    std::optional<scenario::Diagnostic> const guarded = scenario::check_scenario_text(text, "fuzz.toml");
    if (guarded) check_refusal(*guarded, text);

    scenario::Parsed<scenario::Scenario> const parsed = scenario::parse_scenario_string(text, "fuzz.toml", options);
    if (!parsed) {
        check_refusal(parsed.error(), text);
        scenario::Parsed<scenario::Scenario> const again = scenario::parse_scenario_string(text, "fuzz.toml", options);
        require(!again && again.error() == parsed.error(), "the same text is refused the same way");
        return 0;
    }
    require(!guarded, "a text the guard refuses is never parsed");
    check_scenario(parsed.value());
    scenario::Parsed<scenario::Scenario> const again = scenario::parse_scenario_string(text, "fuzz.toml", options);
    require(again && again.value() == parsed.value(), "the same text gives the same scenario");
    return 0;
}
