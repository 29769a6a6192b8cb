#include <sim/runner/spec_mapping.hpp>

#include <sim/scenario/core_mapping.hpp>

#include <fmt/format.h>

namespace grove::runner {

namespace {

// Grants one IPC peer list ("*" or grove names) through `grant_any` / `grant_one`.
template<typename Any, typename One>
std::string grant_peers(std::vector<std::string> const& peers, char const* what, Any&& grant_any, One&& grant_one) {
    for (std::string const& peer : peers) {
        if (peer == "*") {
            if (grant_any().is_error()) return fmt::format("too many {} peers (at most {})", what, MaxIpcPeers);
            continue;
        }
        auto name = make_grove_name(peer.data(), peer.size());
        if (name.is_error()) return fmt::format("'{}' in {} is not a grove name", peer, what);
        if (grant_one(name.value()).is_error()) return fmt::format("too many {} peers (at most {})", what, MaxIpcPeers);
    }
    return "";
}

std::string map_capabilities(scenario::Capabilities const& from, Capabilities& to) {
    for (scenario::PortRange const& range : from.io_ports) {
        Result<void> const granted = to.grant_io_ports(IoPortRange{range.first, range.last});
        if (granted.has_value()) continue;
        if (granted.error() == Error::NoCapacity)
            return fmt::format("too many io_ports ranges (at most {})", MaxIoPortRanges);
        return fmt::format("the io_ports range [{:#x}, {:#x}] cannot be granted ({})", range.first, range.last,
                           error_name(granted.error()));
    }
    for (u8 const line : from.irq)
        if (to.grant_irq(line).is_error()) return fmt::format("interrupt line {} does not exist (0 to 15)", line);
    for (scenario::PhysicalRange const& range : from.physical) {
        Result<void> const granted = to.grant_physical(grove::PhysicalRange{PhysAddr{range.base}, range.length});
        if (granted.has_value()) continue;
        if (granted.error() == Error::NoCapacity)
            return fmt::format("too many physical ranges (at most {})", MaxPhysicalRanges);
        return fmt::format("the physical range at {:#x} cannot be granted ({})", range.base,
                           error_name(granted.error()));
    }
    std::string error = grant_peers(
        from.ipc_send, "ipc_send", [&] { return to.grant_send_to_any(); },
        [&](GroveName const& name) { return to.grant_send_to(name); });
    if (!error.empty()) return error;
    error = grant_peers(
        from.ipc_receive, "ipc_receive", [&] { return to.grant_receive_from_any(); },
        [&](GroveName const& name) { return to.grant_receive_from(name); });
    if (!error.empty()) return error;
    error = grant_peers(
        from.crash_watch, "crash_watch", [&] { return to.grant_watch_any(); },
        [&](GroveName const& name) { return to.grant_watch(name); });
    if (!error.empty()) return error;
    error = grant_peers(
        from.service_manage, "service_manage", [&] { return to.grant_manage_any(); },
        [&](GroveName const& name) { return to.grant_manage(name); });
    if (!error.empty()) return error;
    struct Flag {
        bool set;
        CapabilityKind kind;
    };
    for (Flag const flag :
         {Flag{from.thread_create, CapabilityKind::ThreadCreate},
          Flag{from.memory_manage, CapabilityKind::MemoryManage}, Flag{from.filesystem, CapabilityKind::Filesystem},
          Flag{from.graphics, CapabilityKind::Graphics}, Flag{from.network, CapabilityKind::Network}})
        if (flag.set) (void)to.grant(flag.kind);
    return "";
}

} // namespace

SpecMapping map_grove_spec(scenario::GroveSpec const& grove, ImagePlan const& image,
                           std::vector<std::string> const& arguments) {
    SpecMapping out;
    auto fail = [&](std::string const& why) {
        out.error = fmt::format("grove '{}': {}", grove.name, why);
        return out;
    };
    auto name = make_grove_name(grove.name.data(), grove.name.size());
    if (name.is_error()) return fail("the name is not a valid grove name");
    out.spec.name = name.value();

    if (std::string error = map_capabilities(grove.capabilities, out.spec.capabilities); !error.empty())
        return fail(error);

    out.spec.limits = scenario::core_limits(grove.limits);
    out.spec.respawn = scenario::core_respawn(grove.respawn);
    if (u32 const most = scenario::MostCrashesInWindow; grove.respawn.max_crashes_in_window > most)
        return fail(fmt::format("max_crashes_in_window = {} is more than the kernel keeps ({}); use 1 to {}, or 0 "
                                "for no window",
                                grove.respawn.max_crashes_in_window, most, most));
    out.spec.restart_budget = scenario::core_budget(grove.respawn);

    out.spec.priority = static_cast<u8>(grove.priority);
    out.spec.image = image;
    if (arguments.size() > MaxArguments) return fail(fmt::format("more than {} arguments", MaxArguments));
    for (std::string const& argument : arguments) {
        auto text = GroveArgument::from(argument.data(), argument.size());
        if (text.is_error())
            return fail(fmt::format("argument '{}' is longer than {} bytes", argument, MaxArgumentLength));
        (void)out.spec.arguments.push_back(text.value());
    }
    out.spec.stop_timeout = grove.stop_timeout;
    out.spec.watchdog_timeout = grove.watchdog;
    out.spec.provides = scenario::core_provides(grove);
    return out;
}

} // namespace grove::runner
