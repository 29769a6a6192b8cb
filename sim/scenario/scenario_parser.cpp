#include <core/grove/admission.hpp>
#include <core/grove/capacity.hpp>
#include <core/grove/grove_spec.hpp>
#include <core/grove/layout.hpp>
#include <core/explore/fault_draw.hpp>
#include <core/plan/boot_plan.hpp>
#include <sim/scenario/core_mapping.hpp>
#include <sim/scenario/disk_loader.hpp>
#include <sim/scenario/image_search.hpp>
#include <sim/scenario/quantity_text.hpp>
#include <sim/scenario/scenario_parser.hpp>
#include <sim/scenario/strict_table.hpp>
#include <sim/scenario/text_guard.hpp>
#include <sim/scenario/trace.hpp>
#include <sim/scenario/untrusted_text.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <limits>
#include <map>
#include <tuple>

namespace grove::scenario {
namespace {

constexpr u64 MaxCount = 1'000'000'000;
constexpr u64 MaxSigned = static_cast<u64>(std::numeric_limits<i64>::max());
constexpr Bytes MaxMemory = Bytes(u64{64} << 30);
constexpr Bytes MinMemory = Bytes(PageSize);
constexpr usize MaxScenarioNameBytes = 64;
constexpr usize MaxDescriptionBytes = 512;
constexpr usize MaxEventMatchers = 1000;              // over all sequences and 'absent' together
constexpr std::string_view RandomFloodName = "flood"; // a flood burst among a random rule's actions

// Printable text: no byte below 0x20, no DEL, no C1 control character (U+0080..U+009F, 0xc2 0x80..0x9f in UTF-8).
bool is_printable_text(std::string_view text) {
    for (usize i = 0; i < text.size(); ++i) {
        auto const byte = static_cast<unsigned char>(text[i]);
        if (byte < 0x20 || byte == 0x7f) return false;
        if (byte == 0xc2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) <= 0x9f) return false;
    }
    return true;
}

// A scenario name goes into reports and the digests file ("<name> <digest>"): printable ASCII without spaces.
bool is_valid_scenario_name(std::string_view name) {
    if (name.empty() || name.size() > MaxScenarioNameBytes) return false;
    return std::all_of(name.begin(), name.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

bool is_valid_grove_name(std::string_view name) {
    if (name.empty() || name.size() > GroveSpec::MaxNameLength) return false;
    if (name[0] < 'a' || name[0] > 'z') return false;
    return std::all_of(name.begin(), name.end(),
                       [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'; });
}

std::optional<u64> parse_seed_text(std::string_view text) {
    u64 base = 10;
    if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
        base = 16;
        text.remove_prefix(2);
    }
    if (text.empty()) return std::nullopt;
    u64 value = 0;
    for (char c : text) {
        u64 digit = 0;
        if (c >= '0' && c <= '9') digit = static_cast<u64>(c - '0');
        else if (base == 16 && c >= 'a' && c <= 'f') digit = static_cast<u64>(c - 'a') + 10;
        else if (base == 16 && c >= 'A' && c <= 'F') digit = static_cast<u64>(c - 'A') + 10;
        else return std::nullopt;
        if (!checked_mul(value, base, value) || !checked_add(value, digit, value)) return std::nullopt;
    }
    return value;
}

// Reads one scenario from a parsed TOML document. Grove names are collected first, so that every reference
// (faults, expectations, IPC capabilities) can be checked wherever it appears in the file.
class ScenarioReader {
public:
    Scenario read(toml::table const& root) {
        StrictTable const table(root, "the scenario",
                                {"name", "description", "seed", "duration", "timing_independent", "groves", "faults",
                                 "expect", "disks", "random_faults", "explore"});
        Scenario scenario;
        scenario.name = table.required_text("name", "name = \"my-scenario\"");
        if (scenario.name.empty()) fail_at(table.find("name")->source(), "'name' is empty; give the scenario a name");
        if (!is_valid_scenario_name(scenario.name))
            fail_at(table.find("name")->source(),
                    fmt::format("the scenario name {} is not 1 to {} printable ASCII characters without spaces; "
                                "shorten it or replace the others",
                                quoted_text(scenario.name), MaxScenarioNameBytes));
        scenario.description = table.text_or("description", "");
        if (scenario.description.size() > MaxDescriptionBytes)
            fail_at(table.find("description")->source(),
                    fmt::format("'description' has {} bytes, more than {}; keep it to one line about what the "
                                "scenario shows",
                                scenario.description.size(), MaxDescriptionBytes));
        if (!is_printable_text(scenario.description))
            fail_at(table.find("description")->source(),
                    "'description' holds a control character (a newline, a tab, an escape...); remove it");
        scenario.seed = read_seed(table);
        m_duration = StrictTable::duration_in(table.required("duration", "duration = \"2s\""),
                                              table.describe("duration"), Ticks(1));
        scenario.duration = m_duration;
        scenario.timing_independent = table.boolean_or("timing_independent", false);

        toml::node const& groves = table.required("groves", "a [[groves]] section with a name and an image");
        if (!groves.is_array() || groves.as_array()->empty())
            fail_at(groves.source(), "'groves' must be a non-empty array of tables; write one [[groves]] section "
                                     "per grove");
        toml::array const& grove_tables = *groves.as_array();
        if (grove_tables.size() > MaxGroves)
            fail_at(grove_tables[MaxGroves].source(),
                    fmt::format("more than {} groves; the kernel's registry holds {}", MaxGroves, MaxGroves));
        collect_grove_names(grove_tables);
        for (usize i = 0; i < grove_tables.size(); ++i) {
            scenario.groves.push_back(read_grove(*grove_tables[i].as_table(), m_grove_names[i]));
            m_grove_images[scenario.groves.back().name] = scenario.groves.back().image;
        }

        if (toml::array const* faults = table.array_or_null("faults")) {
            if (faults->size() > MaxPlanFaults)
                fail_at((*faults)[MaxPlanFaults].source(),
                        fmt::format("more than {} faults; the boot plan holds {}", MaxPlanFaults, MaxPlanFaults));
            for (usize i = 0; i < faults->size(); ++i)
                scenario.faults.push_back(read_fault(table_element(*faults, i, "faults"), i + 1));
            std::stable_sort(scenario.faults.begin(), scenario.faults.end(),
                             [](Fault const& a, Fault const& b) { return a.at < b.at; });
        }
        if (toml::array const* disks = table.array_or_null("disks")) {
            if (disks->size() > 1)
                fail_at((*disks)[1].source(), "more than one disk; the simulated machine has one drive, the master "
                                              "of the primary ATA channel");
            for (usize i = 0; i < disks->size(); ++i) {
                toml::table const& entry = table_element(*disks, i, "disks");
                StrictTable const disk(entry, "a [[disks]] entry", {"path", "seeded_timing"});
                Disk d;
                d.path = disk.required_text("path", "path = \"disks/exercise.img\" (relative to the scenario file)");
                if (d.path.empty()) fail_at(entry.source(), "the disk's 'path' is empty; name an image file");
                d.image = d.path;
                d.seeded_timing = disk.boolean_or("seeded_timing", false);
                d.line = static_cast<u32>(entry.source().begin.line);
                d.column = static_cast<u32>(entry.source().begin.column);
                scenario.disks.push_back(d);
            }
        }
        if (toml::array const* rules = table.array_or_null("random_faults")) {
            if (rules->size() > MaxRandomFaultRules)
                fail_at((*rules)[MaxRandomFaultRules].source(),
                        fmt::format("more than {} [[random_faults]] rules; merge some", MaxRandomFaultRules));
            usize planned = scenario.faults.size();
            for (usize i = 0; i < rules->size(); ++i) {
                toml::table const& rule_table = table_element(*rules, i, "random_faults");
                scenario.random_faults.push_back(read_random_faults(rule_table, i + 1));
                planned += most_faults(scenario.random_faults.back());
                if (planned > MaxPlanFaults)
                    fail_at(rule_table.source(),
                            fmt::format("[[random_faults]] rule {} brings the faults a run may draw to {}, more than "
                                        "the {} a boot plan holds; lower its count or rate",
                                        i + 1, planned, MaxPlanFaults));
            }
        }
        if (toml::table const* explore = table.table_or_null("explore")) scenario.explore = read_explore(*explore);
        if (toml::table const* expect = table.table_or_null("expect")) scenario.expect = read_expectations(*expect);
        return scenario;
    }

private:
    static toml::table const& table_element(toml::array const& array, usize index, std::string_view key) {
        toml::node const& node = array[index];
        if (!node.is_table())
            fail_at(node.source(), fmt::format("entry {} of '{}' must be a table, not {}; write a [[{}]] section",
                                               index + 1, key, type_phrase(node), key));
        return *node.as_table();
    }

    static u64 read_seed(StrictTable const& table) {
        toml::node const* node = table.find("seed");
        if (node == nullptr) return 0;
        if (auto const* integer = node->as_integer()) {
            if (integer->get() < 0)
                fail_at(node->source(), fmt::format("'seed' is {}, negative; use a number from 0 to 2^64-1 (as a "
                                                    "string \"0x...\" above 2^63-1)",
                                                    integer->get()));
            return static_cast<u64>(integer->get());
        }
        if (auto const* text = node->as_string()) {
            if (auto const seed = parse_seed_text(text->get())) return *seed;
            fail_at(node->source(), "'seed' is not a 64-bit number; write an integer, or a string of decimal "
                                    "digits or of hex digits after 0x, like \"0xdeadbeefcafef00d\"");
        }
        fail_at(node->source(), fmt::format("'seed' must be an integer, not {}; write seed = 42", type_phrase(*node)));
    }

    void collect_grove_names(toml::array const& groves) {
        std::vector<toml::source_region> first_seen;
        for (usize i = 0; i < groves.size(); ++i) {
            toml::table const& grove = table_element(groves, i, "groves");
            toml::node const* name = grove.get("name");
            if (name == nullptr)
                fail_at(grove.source(), fmt::format("grove {} has no 'name'; add name = \"...\" (lower-case letters, "
                                                    "digits, '-' or '_')",
                                                    i + 1));
            std::string const text = StrictTable::text_in(*name, fmt::format("the name of grove {}", i + 1));
            if (!is_valid_grove_name(text))
                fail_at(name->source(), fmt::format("{} is not a valid grove name; use 1 to {} lower-case letters, "
                                                    "digits, '-' or '_', starting with a letter",
                                                    quoted_text(text), GroveSpec::MaxNameLength));
            for (usize j = 0; j < m_grove_names.size(); ++j) {
                if (m_grove_names[j] != text) continue;
                fail_at(name->source(), fmt::format("grove '{}' is declared twice (first at line {}); give each "
                                                    "grove its own name",
                                                    text, position_of(first_seen[j]).line));
            }
            m_grove_names.push_back(text);
            first_seen.push_back(name->source());
        }
    }

    // A string naming a declared grove (or "*" when `allow_any`), else an error at the node.
    std::string declared_grove(toml::node const& node, std::string_view what, bool allow_any = false) const {
        std::string name = StrictTable::text_in(node, what);
        if (allow_any && name == "*") return name;
        check_declared(name, node.source(), what, allow_any);
        return name;
    }

    void check_declared(std::string const& name, toml::source_region const& where, std::string_view what,
                        bool allow_any) const {
        if (std::find(m_grove_names.begin(), m_grove_names.end(), name) != m_grove_names.end()) return;
        std::vector<std::string_view> const names(m_grove_names.begin(), m_grove_names.end());
        fail_at(where,
                fmt::format("{} names grove {}, which is not declared{}; use one of {}{}", what, quoted_text(name),
                            suggestion(name, names), join_choices(names), allow_any ? " or \"*\"" : ""));
    }

    // A table's entries in the order the file gives them (toml::table orders them by key).
    static std::vector<std::pair<toml::key const*, toml::node const*>> entries_in_file_order(toml::table const& table) {
        std::vector<std::pair<toml::key const*, toml::node const*>> entries;
        for (auto const& [key, value] : table) entries.emplace_back(&key, &value);
        std::sort(entries.begin(), entries.end(), [](auto const& a, auto const& b) {
            toml::source_position const pa = position_of(a.first->source());
            toml::source_position const pb = position_of(b.first->source());
            return pa.line != pb.line ? pa.line < pb.line : pa.column < pb.column;
        });
        return entries;
    }

    template<typename Enum>
    static Enum enum_or(StrictTable const& table, std::string_view key,
                        std::optional<Enum> (*from_name)(std::string_view), std::vector<std::string_view> const& names,
                        Enum fallback) {
        toml::node const* node = table.find(key);
        if (node == nullptr) return fallback;
        std::string const text = StrictTable::text_in(*node, table.describe(key));
        if (auto const value = from_name(text)) return *value;
        fail_at(node->source(), fmt::format("{} is {}{}; use one of {}", table.describe(key),
                                            quoted_text(text, 64, '"'), suggestion(text, names), join_choices(names)));
    }

    void check_before_end(toml::node const* node, Ticks time, std::string_view what) const {
        if (node == nullptr || time < m_duration) return;
        fail_at(node->source(), fmt::format("{} is {}, not before the end of the scenario (duration = {}); make it "
                                            "earlier or lengthen the duration",
                                            what, format_duration(time), format_duration(m_duration)));
    }

    GroveSpec read_grove(toml::table const& source, std::string const& name) {
        std::string const context = fmt::format("grove '{}'", name);
        StrictTable const table(source, context,
                                {"name", "image", "args", "priority", "start_at", "capabilities", "limits", "respawn",
                                 "stop_timeout", "watchdog", "provides"});
        GroveSpec grove;
        grove.name = name;
        grove.image = table.required_text("image", "image = \"echo\"");
        if (std::optional<std::string_view> const object = world_tree_object(grove.image)) {
            if (!is_valid_world_tree_object(*object))
                fail_at(table.find("image")->source(),
                        fmt::format("{} is not a valid World-Tree object for {}; use \"{}/path/of/object\" (a '/', "
                                    "then printable bytes without spaces, at most {} in all)",
                                    quoted_text(grove.image), context, WorldTreeImagePrefix, MaxArgumentLength));
        } else if (!is_valid_image_name(grove.image))
            fail_at(table.find("image")->source(),
                    fmt::format("{} is not a valid image name for {}; use 1 to {} letters, digits, '-', '_' or '.', "
                                "not starting with '.' or '-' (the file <images dir>/<image>.elf)",
                                quoted_text(grove.image), context, MaxImageNameLength));
        if (toml::array const* args = table.array_or_null("args")) {
            if (args->size() > MaxArguments)
                fail_at((*args)[MaxArguments].source(),
                        fmt::format("{} has {} arguments, more than the kernel passes ({}); pass at most {}", context,
                                    args->size(), MaxArguments, MaxArguments));
            for (toml::node const& arg : *args) {
                std::string text = StrictTable::text_in(arg, fmt::format("each argument of {}", context));
                if (text.find('\0') != std::string::npos)
                    fail_at(arg.source(), fmt::format("an argument of {} holds a NUL character; remove it", context));
                if (text.size() > MaxArgumentLength)
                    fail_at(arg.source(), fmt::format("an argument of {} has {} bytes, more than the kernel passes "
                                                      "({}); shorten it",
                                                      context, text.size(), MaxArgumentLength));
                grove.args.push_back(std::move(text));
            }
        }
        grove.priority = static_cast<u32>(
            table.integer_or("priority", 0, GroveSpec::PriorityLevels - 1, GroveSpec::DefaultPriority));
        grove.start_at = table.duration_or("start_at", Ticks(0));
        check_before_end(table.find("start_at"), grove.start_at, table.describe("start_at"));
        grove.stop_timeout = table.duration_or("stop_timeout", grove.stop_timeout);
        grove.watchdog = table.duration_or("watchdog", grove.watchdog);
        if (toml::table const* capabilities = table.table_or_null("capabilities"))
            grove.capabilities = read_capabilities(*capabilities, context);
        if (toml::table const* limits = table.table_or_null("limits")) grove.limits = read_limits(*limits, context);
        if (toml::table const* respawn = table.table_or_null("respawn"))
            grove.respawn = read_respawn(*respawn, context);
        if (toml::node const* provides = table.find("provides")) grove.provides = read_provides(*provides, table);
        return grove;
    }

    // `provides = "filesystem"` or a list of them: the service names, each once, in the order of ServiceNames.
    static std::vector<std::string> read_provides(toml::node const& node, StrictTable const& table) {
        static constexpr std::string_view ServiceNames[] = {"filesystem", "graphics", "network"};
        std::string const what = table.describe("provides");
        std::vector<toml::node const*> entries;
        if (toml::array const* list = node.as_array())
            for (toml::node const& entry : *list) entries.push_back(&entry);
        else entries.push_back(&node);
        std::vector<bool> named(std::size(ServiceNames), false);
        for (toml::node const* entry : entries) {
            std::string const text = StrictTable::text_in(*entry, what);
            auto const known = std::find(std::begin(ServiceNames), std::end(ServiceNames), text);
            if (known == std::end(ServiceNames))
                fail_at(entry->source(), fmt::format("{} names {}, not a service; use \"filesystem\", \"graphics\" or "
                                                     "\"network\"",
                                                     what, quoted_text(text, 32, '"')));
            usize const index = static_cast<usize>(known - std::begin(ServiceNames));
            if (named[index]) fail_at(entry->source(), fmt::format("{} names \"{}\" twice", what, text));
            named[index] = true;
        }
        std::vector<std::string> provides;
        for (usize i = 0; i < named.size(); ++i)
            if (named[i]) provides.emplace_back(ServiceNames[i]);
        return provides;
    }

    // Fails at the first entry past `most` in `array` (the `key` of `table`): the kernel holds `most` of them.
    static void check_at_most(toml::array const& array, usize most, StrictTable const& table, std::string_view key) {
        if (array.size() <= most) return;
        fail_at(array[most].source(), fmt::format("{} has {} entries, more than the kernel holds ({}); give at most {}",
                                                  table.describe(key), array.size(), most, most));
    }

    // The pair [a, b] at `node`, as its two elements.
    static std::pair<toml::node const*, toml::node const*> pair_in(toml::node const& node, std::string_view what,
                                                                   std::string_view example) {
        toml::array const* pair = node.as_array();
        if (pair == nullptr || pair->size() != 2)
            fail_at(node.source(), fmt::format("each entry of {} must be a pair, like {}", what, example));
        return {pair->get(0), pair->get(1)};
    }

    Capabilities read_capabilities(toml::table const& source, std::string const& grove_context) const {
        StrictTable const table(source, "the capabilities of " + grove_context,
                                {"io_ports", "physical", "ipc_send", "ipc_receive", "crash_watch", "thread_create",
                                 "memory_manage", "filesystem", "graphics", "network", "irq", "service_manage"});
        Capabilities capabilities;
        if (toml::array const* ports = table.array_or_null("io_ports")) {
            check_at_most(*ports, MaxIoPortRanges, table, "io_ports");
            std::string const what = table.describe("io_ports");
            for (toml::node const& entry : *ports) {
                auto const [first_node, last_node] = pair_in(entry, what, "[0x1f0, 0x1f7] (first and last port)");
                PortRange range;
                range.first = static_cast<u16>(StrictTable::integer_in(*first_node, "a port number", 0, 0xffff));
                range.last = static_cast<u16>(StrictTable::integer_in(*last_node, "a port number", 0, 0xffff));
                if (range.first > range.last)
                    fail_at(entry.source(), fmt::format("the port range [{}, {}] in {} ends before it starts; write "
                                                        "[first, last] with first <= last",
                                                        range.first, range.last, what));
                if (IoPortRange const* kept = machine_ports_in(IoPortRange{range.first, range.last}))
                    fail_at(entry.source(),
                            fmt::format("the port range [{:#x}, {:#x}] in {} includes ports {:#x} to {:#x}, which the "
                                        "machine keeps for itself (the interrupt controllers, the exit device, COM1 "
                                        "with the trace): no grove is given them",
                                        range.first, range.last, what, kept->first, kept->last));
                capabilities.io_ports.push_back(range);
            }
        }
        if (toml::array const* physical = table.array_or_null("physical")) {
            check_at_most(*physical, MaxPhysicalRanges, table, "physical");
            std::string const what = table.describe("physical");
            for (toml::node const& entry : *physical) {
                auto const [base_node, length_node] = pair_in(entry, what, "[0xb8000, \"4KiB\"] (base and length)");
                PhysicalRange range;
                range.base = StrictTable::integer_in(*base_node, "a physical base address", 0, MaxSigned);
                range.length = StrictTable::size_in(*length_node, "a physical range's length", Bytes(1), MaxMemory);
                if (grove::PhysicalRange const* kept =
                        machine_physical_in(grove::PhysicalRange{PhysAddr{range.base}, range.length}))
                    fail_at(entry.source(),
                            fmt::format("the physical range at {:#x} in {} overlaps {:#x} to {:#x}, the machine's own "
                                        "interrupt controllers and timers: no grove is given them",
                                        range.base, what, kept->base.value, kept->end() - 1));
                capabilities.physical.push_back(range);
            }
        }
        if (toml::array const* lines = table.array_or_null("irq")) {
            for (toml::node const& entry : *lines) {
                auto const line = static_cast<u8>(StrictTable::integer_in(entry, "an interrupt line (0 to 15)", 0, 15));
                if (std::find(capabilities.irq.begin(), capabilities.irq.end(), line) != capabilities.irq.end())
                    fail_at(entry.source(), fmt::format("interrupt line {} is named twice in {}; name it once", line,
                                                        table.describe("irq")));
                capabilities.irq.push_back(line);
            }
        }
        capabilities.ipc_send = grove_list(table, "ipc_send");
        capabilities.ipc_receive = grove_list(table, "ipc_receive");
        capabilities.crash_watch = grove_list(table, "crash_watch");
        capabilities.service_manage = grove_list(table, "service_manage");
        capabilities.thread_create = table.boolean_or("thread_create", false);
        capabilities.memory_manage = table.boolean_or("memory_manage", false);
        capabilities.filesystem = table.boolean_or("filesystem", false);
        capabilities.graphics = table.boolean_or("graphics", false);
        capabilities.network = table.boolean_or("network", false);
        return capabilities;
    }

    std::vector<std::string> grove_list(StrictTable const& table, std::string_view key) const {
        std::vector<std::string> names;
        if (toml::array const* entries = table.array_or_null(key)) {
            check_at_most(*entries, MaxIpcPeers, table, key);
            for (toml::node const& entry : *entries) names.push_back(declared_grove(entry, table.describe(key), true));
        }
        return names;
    }

    static Limits read_limits(toml::table const& source, std::string const& grove_context) {
        StrictTable const table(source, "the limits of " + grove_context,
                                {"memory", "threads", "cpu_percent", "file_handles", "ipc_rate", "ipc_burst",
                                 "on_violation", "grants"});
        Limits limits;
        // A limit beyond what admission can ever reserve (core/grove/admission.hpp) would only be refused later.
        limits.memory = table.size_or("memory", MinMemory, AdmissionMemory, limits.memory);
        limits.threads = static_cast<u32>(table.integer_or("threads", 1, AdmissionThreads.value, limits.threads));
        limits.cpu_percent = static_cast<u32>(table.integer_or("cpu_percent", 1, 100, limits.cpu_percent));
        limits.file_handles =
            static_cast<u32>(table.integer_or("file_handles", 0, MaxFileHandles, limits.file_handles));
        limits.ipc_rate = static_cast<u32>(table.integer_or("ipc_rate", 1, MaxCount, limits.ipc_rate));
        limits.ipc_burst =
            static_cast<u32>(table.integer_or("ipc_burst", 1, MaxCount, std::max<u32>(1, limits.ipc_rate / 10)));
        limits.on_violation =
            enum_or(table, "on_violation", &violation_policy_from_name, violation_policy_names(), limits.on_violation);
        limits.grants = static_cast<u32>(table.integer_or("grants", 0, MaxGrants, limits.grants));
        return limits;
    }

    static Respawn read_respawn(toml::table const& source, std::string const& grove_context) {
        StrictTable const table(source, "the respawn policy of " + grove_context,
                                {"policy", "max", "window", "max_crashes_in_window", "backoff_base", "backoff_cap",
                                 "healthy_uptime"});
        Respawn respawn;
        respawn.policy = enum_or(table, "policy", &respawn_policy_from_name, respawn_policy_names(), respawn.policy);
        if (respawn.policy == RespawnPolicy::Limited) {
            if (!table.contains("max"))
                fail_at(source.source(), fmt::format("{} is \"limited\" but has no 'max'; add max = 3 (respawns "
                                                     "allowed)",
                                                     table.context()));
            respawn.max = static_cast<u32>(table.integer_or("max", 1, MaxCount, 1));
        } else if (toml::node const* max = table.find("max")) {
            fail_at(max->source(), fmt::format("{} applies only to policy = \"limited\"; remove it or set policy = "
                                               "\"limited\"",
                                               table.describe("max")));
        }
        respawn.window = table.duration_or("window", respawn.window, Ticks(1));
        respawn.max_crashes_in_window = static_cast<u32>(
            table.integer_or("max_crashes_in_window", 0, MostCrashesInWindow, respawn.max_crashes_in_window));
        respawn.backoff_base = table.duration_or("backoff_base", respawn.backoff_base);
        respawn.backoff_cap = table.duration_or("backoff_cap", respawn.backoff_cap);
        respawn.healthy_uptime = table.duration_or("healthy_uptime", respawn.healthy_uptime);
        if (respawn.backoff_cap < respawn.backoff_base) {
            toml::node const* node = table.find("backoff_cap");
            if (node == nullptr) node = table.find("backoff_base");
            fail_at(node->source(), fmt::format("backoff_cap ({}) is shorter than backoff_base ({}) in {}; make the "
                                                "cap at least the base",
                                                format_duration(respawn.backoff_cap),
                                                format_duration(respawn.backoff_base), table.context()));
        }
        return respawn;
    }

    Fault read_fault(toml::table const& source, usize number) const {
        std::string const context = fmt::format("fault {}", number);
        StrictTable const table(source, context, {"at", "action", "grove", "bytes", "target", "rate"});
        Fault fault;
        toml::node const& at = table.required("at", "at = \"100ms\" (or a range drawn from the seed: \"10ms..20ms\")");
        auto const [first, last] = window_in(at, table.describe("at"));
        fault.at = first;
        if (last != first) fault.at_latest = last;
        table.required("action", fmt::format("action = \"crash\" (one of {})", join_choices(fault_action_names())));
        fault.action = enum_or(table, "action", &fault_action_from_name, fault_action_names(), FaultAction::Crash);
        fault.grove =
            declared_grove(table.required("grove", "grove = \"...\" (the grove to act on)"), table.describe("grove"));
        std::string_view const action = fault_action_name(fault.action);
        only_for(table, "bytes", FaultAction::MemorySpike, fault.action);
        only_for(table, "target", FaultAction::FloodStart, fault.action);
        only_for(table, "rate", FaultAction::FloodStart, fault.action);
        if (fault.action == FaultAction::MemorySpike) {
            table.required("bytes", fmt::format("bytes = \"16MiB\" (how much {} allocates)", action));
            fault.bytes = table.size_or("bytes", Bytes(1), MaxMemory, Bytes(0));
        }
        if (fault.action == FaultAction::FloodStart) {
            fault.target = declared_grove(table.required("target", "target = \"...\" (the grove to flood)"),
                                          table.describe("target"));
            if (std::string const& image = m_grove_images.at(fault.grove); image != "flooder")
                fail_at(table.find("grove")->source(),
                        fmt::format("{} names grove '{}', whose image is {}; a flood needs a grove with image = "
                                    "\"flooder\"",
                                    context, fault.grove, quoted_text(image)));
            fault.rate = static_cast<u32>(table.integer_or("rate", 0, MaxCount, 0));
        }
        return fault;
    }

    // "A..B" as its two halves; nothing when `text` is not a range.
    static std::optional<std::pair<std::string_view, std::string_view>> range_halves(std::string_view text) {
        usize const dots = text.find("..");
        if (dots == std::string_view::npos) return std::nullopt;
        return std::pair{text.substr(0, dots), text.substr(dots + 2)};
    }

    // A moment of virtual time, or an inclusive range of them ("10ms..20ms"), before the end of the scenario.
    std::pair<Ticks, Ticks> window_in(toml::node const& node, std::string const& what) const {
        toml::value<std::string> const* text = node.as_string();
        auto const halves = text == nullptr ? std::nullopt : range_halves(text->get());
        if (!halves) {
            Ticks const moment = StrictTable::duration_in(node, what, Ticks(0));
            check_before_end(&node, moment, what);
            return {moment, moment};
        }
        std::optional<Ticks> const first = parse_duration_text(halves->first);
        std::optional<Ticks> const last = parse_duration_text(halves->second);
        if (!first || !last)
            fail_at(node.source(), fmt::format("{} is {}, not a range of durations; write two durations joined by "
                                               "'..', such as \"10ms..20ms\"",
                                               what, quoted_text(text->get(), 64, '"')));
        if (*first > *last)
            fail_at(node.source(), fmt::format("{} is {}, a range that ends before it begins; write the earlier "
                                               "moment first",
                                               what, quoted_text(text->get(), 64, '"')));
        check_before_end(&node, *last, what);
        return {*first, *last};
    }

    // A size, or an inclusive range of sizes ("64KiB..1MiB"), within [min, max].
    static std::pair<Bytes, Bytes> size_range_in(toml::node const& node, std::string const& what, Bytes min,
                                                 Bytes max) {
        toml::value<std::string> const* text = node.as_string();
        auto const halves = text == nullptr ? std::nullopt : range_halves(text->get());
        if (!halves) {
            Bytes const size = StrictTable::size_in(node, what, min, max);
            return {size, size};
        }
        std::optional<Bytes> const first = parse_size_text(halves->first);
        std::optional<Bytes> const last = parse_size_text(halves->second);
        if (!first || !last || *first < min || *last > max || *first > *last)
            fail_at(node.source(), fmt::format("{} is {}, not a range of sizes from {} to {} bytes, the smaller "
                                               "first; write one such as \"64KiB..1MiB\"",
                                               what, quoted_text(text->get(), 64, '"'), min.value, max.value));
        return {*first, *last};
    }

    // The names a [[random_faults]] rule allows in 'actions': the fault actions a grove can take at any time, and
    // "flood" for a flood burst.
    static std::vector<std::string_view> random_action_names() {
        std::vector<std::string_view> names;
        for (std::string_view name : fault_action_names())
            if (auto const action = fault_action_from_name(name);
                action && *action != FaultAction::FloodStart && *action != FaultAction::FloodStop)
                names.push_back(name);
        names.push_back(RandomFloodName);
        return names;
    }

    // The most faults a rule can realize (a flood burst is a start and a stop).
    static usize most_faults(RandomFaults const& rule) {
        bool const floods =
            std::find(rule.actions.begin(), rule.actions.end(), FaultAction::FloodStart) != rule.actions.end();
        return rule.count * (floods ? usize{2} : usize{1});
    }

    RandomFaults read_random_faults(toml::table const& source, usize number) const {
        std::string const context = fmt::format("[[random_faults]] rule {}", number);
        StrictTable const table(source, context,
                                {"actions", "groves", "count", "rate", "between", "bytes", "target", "flood_rate",
                                 "burst"});
        RandomFaults rule;
        std::vector<std::string_view> const names = random_action_names();
        toml::node const& actions =
            table.required("actions", fmt::format("actions = [\"crash\", \"kill\"] (any of {})", join_choices(names)));
        if (!actions.is_array() || actions.as_array()->empty())
            fail_at(actions.source(), fmt::format("{} must be a non-empty array of action names; use any of {}",
                                                  table.describe("actions"), join_choices(names)));
        for (toml::node const& node : *actions.as_array()) {
            std::string const name = StrictTable::text_in(node, table.describe("actions"));
            if (std::find(names.begin(), names.end(), name) == names.end())
                fail_at(node.source(), fmt::format("{} holds {}{}, which a random fault cannot take; use any of {}",
                                                   table.describe("actions"), quoted_text(name, 64, '"'),
                                                   suggestion(name, names), join_choices(names)));
            FaultAction const action =
                name == RandomFloodName ? FaultAction::FloodStart : *fault_action_from_name(name);
            if (std::find(rule.actions.begin(), rule.actions.end(), action) == rule.actions.end())
                rule.actions.push_back(action);
        }
        bool const floods =
            std::find(rule.actions.begin(), rule.actions.end(), FaultAction::FloodStart) != rule.actions.end();
        bool const others = rule.actions.size() > (floods ? 1u : 0u);

        toml::node const& groves = table.required("groves", "groves = [\"echo\"] (the groves it may hit)");
        if (!groves.is_array() || groves.as_array()->empty())
            fail_at(groves.source(),
                    fmt::format("{} must be a non-empty array of grove names", table.describe("groves")));
        bool has_flooder = false;
        bool has_other = false;
        for (toml::node const& node : *groves.as_array()) {
            std::string const name = declared_grove(node, table.describe("groves"));
            if (std::find(rule.groves.begin(), rule.groves.end(), name) != rule.groves.end()) continue;
            rule.groves.push_back(name);
            (m_grove_images.at(name) == "flooder" ? has_flooder : has_other) = true;
        }
        if (floods && !has_flooder)
            fail_at(groves.source(), fmt::format("{} allows \"flood\" but none of its groves has image = "
                                                 "\"flooder\"; add a flooder grove",
                                                 context));
        if (others && !has_other)
            fail_at(groves.source(), fmt::format("{}: every grove it names is a flooder, which only floods; add a "
                                                 "grove for its other actions or allow only \"flood\"",
                                                 context));

        toml::node const* count = table.find("count");
        toml::node const* rate = table.find("rate");
        if ((count == nullptr) == (rate == nullptr))
            fail_at(source.source(), fmt::format("{} needs exactly one of count = N (faults per run) and rate = N "
                                                 "(faults per second of its window)",
                                                 context));
        rule.until = m_duration - Ticks(1);
        if (toml::node const* between = table.find("between"))
            std::tie(rule.from, rule.until) = window_in(*between, table.describe("between"));
        if (count != nullptr) {
            rule.count = static_cast<u32>(StrictTable::integer_in(*count, table.describe("count"), 1, MaxPlanFaults));
        } else {
            u64 const per_second = StrictTable::integer_in(*rate, table.describe("rate"), 1, MaxCount);
            u64 const window = rule.until.value - rule.from.value + 1;
            u64 const drawn =
                window / seconds(1).value * per_second + window % seconds(1).value * per_second / seconds(1).value;
            if (drawn == 0 || drawn > MaxPlanFaults)
                fail_at(rate->source(),
                        fmt::format("{} gives {} faults over the rule's window of {}; a rule draws 1 "
                                    "to {}",
                                    table.describe("rate"), drawn, format_duration(Ticks(window)), MaxPlanFaults));
            rule.count = static_cast<u32>(drawn);
        }

        bool const spikes =
            std::find(rule.actions.begin(), rule.actions.end(), FaultAction::MemorySpike) != rule.actions.end();
        only_when(table, "bytes", spikes, "\"memory-spike\"");
        if (spikes) {
            table.required("bytes", "bytes = \"64KiB..1MiB\" (the size of a memory spike, or a range of sizes)");
            std::tie(rule.min_bytes, rule.max_bytes) =
                size_range_in(*table.find("bytes"), table.describe("bytes"), Bytes(1), MaxMemory);
        }
        only_when(table, "target", floods, "\"flood\"");
        only_when(table, "flood_rate", floods, "\"flood\"");
        only_when(table, "burst", floods, "\"flood\"");
        if (floods) {
            rule.flood_target = declared_grove(table.required("target", "target = \"...\" (the grove to flood)"),
                                               table.describe("target"));
            rule.flood_rate = static_cast<u32>(table.integer_or("flood_rate", 0, MaxCount, 0));
            rule.burst_min = milliseconds(1);
            rule.burst_max = milliseconds(10);
            if (toml::node const* burst = table.find("burst"))
                std::tie(rule.burst_min, rule.burst_max) = window_in(*burst, table.describe("burst"));
        }
        return rule;
    }

    static void only_when(StrictTable const& table, std::string_view key, bool allowed, std::string_view action) {
        toml::node const* node = table.find(key);
        if (node == nullptr || allowed) return;
        fail_at(node->source(),
                fmt::format("{} applies only when 'actions' holds {}; remove it", table.describe(key), action));
    }

    static Explore read_explore(toml::table const& source) {
        StrictTable const table(source, "[explore]", {"swarm", "quantum_jitter_percent", "change_per_mille"});
        Explore explore;
        explore.swarm = table.boolean_or("swarm", false);
        explore.quantum_jitter_percent = static_cast<u32>(
            table.integer_or("quantum_jitter_percent", 0, SchedulePerturbation::MaxQuantumJitterPercent, 0));
        explore.change_per_mille = static_cast<u32>(table.integer_or("change_per_mille", 0, 1000, 0));
        return explore;
    }

    static void only_for(StrictTable const& table, std::string_view key, FaultAction owner, FaultAction action) {
        toml::node const* node = table.find(key);
        if (node == nullptr || action == owner) return;
        fail_at(node->source(), fmt::format("{} applies only to action = \"{}\"; remove it", table.describe(key),
                                            fault_action_name(owner)));
    }

    Expectations read_expectations(toml::table const& source) {
        StrictTable const table(source, "[expect]",
                                {"final_state", "counts", "sequence", "absent", "ipc_accounting", "digest", "served"});
        Expectations expect;
        if (toml::table const* states = table.table_or_null("final_state")) expect.final_states = read_states(*states);
        if (toml::array const* counts = table.array_or_null("counts")) {
            for (usize i = 0; i < counts->size(); ++i)
                expect.counts.push_back(read_counts(table_element(*counts, i, "expect.counts")));
        }
        if (toml::array const* sequences = table.array_or_null("sequence")) {
            for (usize i = 0; i < sequences->size(); ++i) {
                toml::node const& node = (*sequences)[i];
                std::string const what = fmt::format("sequence {} in [expect]", i + 1);
                toml::array const* matchers = node.as_array();
                if (matchers == nullptr || matchers->empty())
                    fail_at(node.source(), fmt::format("{} must be a non-empty array of event matchers, like "
                                                       "[{{ event = \"crashed\", grove = \"x\" }}, ...]",
                                                       what));
                std::vector<EventMatcher> sequence;
                for (toml::node const& matcher : *matchers) sequence.push_back(read_matcher(matcher, what));
                expect.sequences.push_back(std::move(sequence));
            }
        }
        if (toml::array const* absent = table.array_or_null("absent")) {
            for (toml::node const& matcher : *absent) expect.absent.push_back(read_matcher(matcher, "'absent'"));
        }
        expect.ipc_accounting = table.boolean_or("ipc_accounting", false);
        if (toml::node const* digest = table.find("digest")) {
            std::string const text = StrictTable::text_in(*digest, table.describe("digest"));
            expect.digest = parse_digest_text(text);
            if (!expect.digest)
                fail_at(digest->source(), fmt::format("{} is {}, not a digest; write the 16 hex digits the run "
                                                      "prints",
                                                      table.describe("digest"), quoted_text(text, 64, '"')));
        }
        if (toml::array const* served = table.array_or_null("served")) {
            for (usize i = 0; i < served->size(); ++i)
                expect.served.push_back(read_served(table_element(*served, i, "expect.served")));
        }
        return expect;
    }

    ServedExpectation read_served(toml::table const& source) const {
        StrictTable const table(source, "an entry of 'served' in [expect]", {"grove", "within"});
        ServedExpectation served;
        served.grove = declared_grove(table.required("grove", "grove = \"...\""), table.describe("grove"));
        served.within =
            StrictTable::duration_in(table.required("within", "within = \"5ms\""), table.describe("within"), Ticks(1));
        return served;
    }

    std::vector<std::pair<std::string, GroveState>> read_states(toml::table const& states) const {
        std::vector<std::pair<std::string, GroveState>> result;
        for (auto const& [key, value] : entries_in_file_order(states)) {
            std::string const name(key->str());
            check_declared(name, key->source(), "'final_state' in [expect]", false);
            std::string const what = fmt::format("the final state of '{}'", name);
            std::string const text = StrictTable::text_in(*value, what);
            auto const state = grove_state_from_name(text);
            if (!state)
                fail_at(value->source(),
                        fmt::format("{} is {}{}; use one of {}", what, quoted_text(text, 64, '"'),
                                    suggestion(text, grove_state_names()), join_choices(grove_state_names())));
            result.emplace_back(name, *state);
        }
        return result;
    }

    CountExpectation read_counts(toml::table const& source) const {
        StrictTable const table(source, "an entry of 'counts' in [expect]",
                                {"grove", "crashes", "respawns", "messages_sent", "messages_delivered",
                                 "messages_refused", "messages_queued"});
        CountExpectation counts;
        counts.grove = declared_grove(table.required("grove", "grove = \"...\""), table.describe("grove"));
        std::string const context = fmt::format("the counts of '{}'", counts.grove);
        counts.crashes = read_count(table, "crashes", context);
        counts.respawns = read_count(table, "respawns", context);
        counts.messages_sent = read_count(table, "messages_sent", context);
        counts.messages_delivered = read_count(table, "messages_delivered", context);
        counts.messages_refused = read_count(table, "messages_refused", context);
        counts.messages_queued = read_count(table, "messages_queued", context);
        if (source.size() == 1)
            fail_at(source.source(), fmt::format("{} check nothing; add crashes, respawns or messages_* = n (or "
                                                 "{{ min = a, max = b }})",
                                                 context));
        return counts;
    }

    static std::optional<CountRange> read_count(StrictTable const& table, std::string_view key,
                                                std::string const& context) {
        toml::node const* node = table.find(key);
        if (node == nullptr) return std::nullopt;
        std::string const what = fmt::format("'{}' in {}", key, context);
        if (node->is_integer()) {
            u64 const count = StrictTable::integer_in(*node, what, 0, MaxSigned);
            return CountRange{count, count};
        }
        if (!node->is_table())
            fail_at(node->source(),
                    fmt::format("{} must be an integer or {{ min = a, max = b }}, not {}", what, type_phrase(*node)));
        StrictTable const range_table(*node->as_table(), what, {"min", "max"});
        if (!range_table.contains("min") && !range_table.contains("max"))
            fail_at(node->source(), fmt::format("{} has neither min nor max; give at least one", what));
        CountRange range;
        range.min = range_table.integer_or("min", 0, MaxSigned, 0);
        range.max = range_table.integer_or("max", 0, MaxSigned, range.max);
        if (range.min > range.max)
            fail_at(node->source(),
                    fmt::format("{} has min = {} above max = {}; make min <= max", what, range.min, range.max));
        return range;
    }

    EventMatcher read_matcher(toml::node const& node, std::string_view where) {
        if (++m_matchers > MaxEventMatchers)
            fail_at(node.source(), fmt::format("more than {} event matchers in [expect]; check at most {}",
                                               MaxEventMatchers, MaxEventMatchers));
        if (!node.is_table())
            fail_at(node.source(), fmt::format("each event matcher in {} must be a table like {{ event = \"crashed\", "
                                               "grove = \"x\" }}, not {}",
                                               where, type_phrase(node)));
        toml::table const& table = *node.as_table();
        std::string const context = fmt::format("an event matcher in {}", where);
        toml::node const* event = table.get("event");
        if (event == nullptr)
            fail_at(node.source(),
                    fmt::format("{} has no 'event'; add event = \"crashed\" (or another event kind)", context));
        EventMatcher matcher;
        matcher.event = StrictTable::text_in(*event, fmt::format("'event' in {}", context));
        if (!is_known_event_kind(matcher.event))
            fail_at(event->source(),
                    fmt::format("{} is not an event kind{}; use one of {}", quoted_text(matcher.event),
                                suggestion(matcher.event, known_event_kinds()), join_choices(known_event_kinds())));
        if (toml::node const* grove = table.get("grove"))
            matcher.grove = declared_grove(*grove, fmt::format("'grove' in {}", context));
        if (toml::node const* generation = table.get("gen"))
            matcher.generation = StrictTable::integer_in(*generation, fmt::format("'gen' in {}", context), 0,
                                                         std::numeric_limits<u32>::max());
        for (auto const& [key, value] : entries_in_file_order(table)) {
            if (key->str() == "event" || key->str() == "grove" || key->str() == "gen") continue;
            if (auto const* text = value->as_string())
                matcher.fields.emplace_back(key->str(), FieldValue::text(text->get()));
            else if (auto const* integer = value->as_integer())
                matcher.fields.emplace_back(key->str(), FieldValue::integer(integer->get()));
            else
                fail_at(value->source(), fmt::format("the field {} of {} must be a string or an integer, not {}",
                                                     quoted_text(key->str()), context, type_phrase(*value)));
        }
        return matcher;
    }

    std::vector<std::string> m_grove_names;
    std::map<std::string, std::string> m_grove_images; // grove name -> image, once the groves are read
    usize m_matchers = 0;                              // event matchers read so far
    Ticks m_duration;
};

} // namespace

Parsed<Scenario> parse_scenario_string(std::string_view text, std::string_view name, ParseOptions const& /*options*/) {
    std::string const file(name);
    if (auto problem = check_scenario_text(text, name)) return *std::move(problem);
    toml::table root;
    try {
        root = toml::parse(text, name);
    } catch (toml::parse_error const& error) {
        toml::source_position const position = position_of(error.source());
        return Diagnostic{file, position.line, position.column,
                          fmt::format("invalid TOML: {}; fix the syntax here", error.description())};
    }
    try {
        return ScenarioReader().read(root);
    } catch (SourceError const& error) {
        return Diagnostic{file, error.line, error.column, error.message};
    } catch (std::exception const& error) {
        return Diagnostic{file, 0, 0, fmt::format("cannot be read: {}", error.what())};
    }
}

Parsed<Scenario> parse_scenario_file(std::filesystem::path const& path, ParseOptions const& options) {
    std::string const file = path.string();
    std::error_code status;
    if (!std::filesystem::exists(path, status)) return Diagnostic{file, 0, 0, "no such scenario file; check the path"};
    if (std::filesystem::is_directory(path, status))
        return Diagnostic{file, 0, 0, "is a directory, not a scenario file; name a .toml file"};
    std::ifstream input(path, std::ios::binary);
    if (!input) return Diagnostic{file, 0, 0, "cannot read the scenario file; check its permissions"};
    // One byte more than a scenario may have is enough to refuse it, however large (or endless) the file is.
    std::string contents(MaxScenarioFileBytes + 1, '\0');
    input.read(contents.data(), static_cast<std::streamsize>(contents.size()));
    if (input.bad()) return Diagnostic{file, 0, 0, "cannot read the scenario file; check its permissions"};
    contents.resize(static_cast<usize>(input.gcount()));
    if (contents.size() > MaxScenarioFileBytes)
        return Diagnostic{file, 0, 0,
                          fmt::format("the file is larger than the {} bytes a scenario may have; split it",
                                      MaxScenarioFileBytes)};
    Parsed<Scenario> parsed = parse_scenario_string(contents, file, options);
    if (!parsed) return parsed;
    for (Disk& disk : parsed.value().disks) {
        std::filesystem::path const image = path.parent_path() / disk.path;
        disk.image = image.string();
        auto problem = [&](std::string const& what) { return Diagnostic{file, disk.line, disk.column, what}; };
        if (!std::filesystem::is_regular_file(image, status))
            return problem(fmt::format("the disk image {} does not exist (the path is relative to the scenario "
                                       "file); create it, a whole number of 512-byte sectors",
                                       quoted_text(image.string())));
        std::uintmax_t const size = std::filesystem::file_size(image, status);
        if (status || size == 0 || size % 512 != 0 || size / 512 > (std::uintmax_t{1} << 28))
            return problem(fmt::format("the disk image {} has {} bytes; a disk is a whole number of 512-byte "
                                       "sectors, at least one and at most 2^28 (LBA28)",
                                       quoted_text(image.string()), status ? 0 : size));
    }
    return parsed;
}

} // namespace grove::scenario
