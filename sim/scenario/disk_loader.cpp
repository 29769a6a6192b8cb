#include <core/grove/capability_kind.hpp>
#include <core/grove/grove_spec.hpp>
#include <sim/scenario/disk_loader.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <vector>

namespace grove::scenario {

namespace {

constexpr usize MaxSpecPeers = 4;     // abi::MaxServicePeers
constexpr usize MaxSpecArguments = 4; // abi::MaxServiceArguments

bool holds(std::vector<std::string> const& names, std::string const& name) {
    return std::find(names.begin(), names.end(), name) != names.end() ||
           std::find(names.begin(), names.end(), "*") != names.end();
}

void add_name(std::vector<std::string>& names, std::string const& name) {
    if (!holds(names, name)) names.push_back(name);
}

std::string joined(std::vector<std::string> const& items, char separator) {
    std::string out;
    for (std::string const& item : items) out += (out.empty() ? "" : std::string(1, separator)) + item;
    return out.empty() ? "-" : out;
}

u16 flag_bits(Capabilities const& c) {
    auto bit = [](CapabilityKind k) { return static_cast<u16>(1u << static_cast<u8>(k)); };
    return static_cast<u16>((c.thread_create ? bit(CapabilityKind::ThreadCreate) : 0) |
                            (c.memory_manage ? bit(CapabilityKind::MemoryManage) : 0) |
                            (c.filesystem ? bit(CapabilityKind::Filesystem) : 0) |
                            (c.graphics ? bit(CapabilityKind::Graphics) : 0) |
                            (c.network ? bit(CapabilityKind::Network) : 0));
}

// The loader's arguments for `g` (loader.cpp's usage), or the reason `g` cannot be loaded from disk.
std::string loader_arguments(GroveSpec const& g, std::string_view path, std::vector<std::string>& args) {
    Capabilities const& c = g.capabilities;
    if (g.watchdog.value != 0) return "a grove loaded from disk cannot have a watchdog (ServiceLoad carries none)";
    if (!g.provides.empty()) return "a grove loaded from disk cannot provide a service (ServiceLoad carries none)";
    if (c.ipc_send.size() > MaxSpecPeers || c.ipc_receive.size() > MaxSpecPeers ||
        c.crash_watch.size() > MaxSpecPeers || c.service_manage.size() > MaxSpecPeers ||
        g.args.size() > MaxSpecArguments)
        return fmt::format("a grove loaded from disk has at most {} peers of each kind and {} arguments", MaxSpecPeers,
                           MaxSpecArguments);
    for (std::string const& a : g.args)
        if (a.empty() || a.find(' ') != std::string::npos)
            return fmt::format("argument '{}' of a grove loaded from disk is empty or holds a space", a);
    Limits const& l = g.limits;
    std::vector<std::string> devices;
    u32 lines = 0;
    for (u8 line : c.irq) lines |= 1u << line;
    if (lines != 0) devices.push_back(fmt::format("i{}", lines));
    for (PortRange const& p : c.io_ports) devices.push_back(fmt::format("p{}:{}", p.first, p.last));
    for (PhysicalRange const& m : c.physical) devices.push_back(fmt::format("m{:#x}:{:#x}", m.base, m.length.value));
    std::vector<std::string> control;
    for (std::string const& n : c.crash_watch) control.push_back("w" + n);
    for (std::string const& n : c.service_manage) control.push_back("s" + n);
    args = {std::string(path),
            g.name,
            fmt::format("{},{},{},{},{},{},{}", l.memory.value, l.threads, l.cpu_percent, l.grants,
                        static_cast<u32>(g.respawn.policy), g.respawn.max, flag_bits(c)),
            joined(c.ipc_send, ','),
            joined(c.ipc_receive, ','),
            joined(devices, ','),
            joined(control, ',')};
    if (!g.args.empty()) args.push_back(joined(g.args, ' '));
    for (std::string const& a : args)
        if (a.size() > MaxArgumentLength)
            return fmt::format("its spec does not fit the loader's arguments ('{}' is longer than {} bytes)", a,
                               MaxArgumentLength);
    return "";
}

} // namespace

std::optional<std::string_view> world_tree_object(std::string_view image) {
    if (!image.starts_with(WorldTreeImagePrefix)) return std::nullopt;
    return image.substr(WorldTreeImagePrefix.size());
}

bool is_valid_world_tree_object(std::string_view path) {
    if (path.size() < 2 || path.size() > MaxArgumentLength || path.front() != '/') return false;
    return std::all_of(path.begin(), path.end(), [](char ch) { return ch > ' ' && ch < 0x7f; });
}

std::string put_disk_loaders(Scenario& s) {
    auto tree =
        std::find_if(s.groves.begin(), s.groves.end(), [](GroveSpec const& g) { return g.name == WorldTreeGrove; });
    for (GroveSpec& g : s.groves) {
        std::optional<std::string_view> const path = world_tree_object(g.image);
        if (!path) continue;
        auto fail = [&](std::string const& why) { return fmt::format("grove '{}' ({}): {}", g.name, g.image, why); };
        if (tree == s.groves.end())
            return fail(fmt::format("no grove named '{}' serves the store to load it from", WorldTreeGrove));
        bool const faulted = std::any_of(s.faults.begin(), s.faults.end(),
                                         [&](Fault const& f) { return f.grove == g.name || f.target == g.name; }) ||
                             std::any_of(s.random_faults.begin(), s.random_faults.end(), [&](RandomFaults const& r) {
                                 return holds(r.groves, g.name) || r.flood_target == g.name;
                             });
        if (faulted) return fail("a fault names it, but its loader spawns it (name a grove with an image instead)");
        Expectations const& e = s.expect;
        bool const counted =
            std::any_of(e.final_states.begin(), e.final_states.end(),
                        [&](auto const& f) { return f.first == g.name; }) ||
            std::any_of(e.counts.begin(), e.counts.end(), [&](CountExpectation const& c) { return c.grove == g.name; });
        if (counted)
            return fail("final_state and counts cannot name it (the final counters list the scenario's groves, and its "
                        "loader stands in its place); expect its events instead");
        std::string const name = g.name + std::string(LoaderSuffix);
        if (name.size() > GroveSpec::MaxNameLength)
            return fail(fmt::format("its loader's name '{}' is longer than {} bytes", name, GroveSpec::MaxNameLength));
        GroveSpec loader = g;
        if (std::string why = loader_arguments(g, *path, loader.args); !why.empty()) return fail(why);
        loader.name = name;
        loader.image = LoaderImage;
        loader.respawn = Respawn{};
        add_name(loader.capabilities.ipc_send, WorldTreeGrove);
        add_name(loader.capabilities.service_manage, g.name);
        add_name(loader.capabilities.service_manage, name);
        loader.capabilities.filesystem = true;
        loader.limits.grants = std::max<u32>(loader.limits.grants, 1);
        add_name(tree->capabilities.ipc_receive, name);
        g = std::move(loader);
    }
    return "";
}

} // namespace grove::scenario
