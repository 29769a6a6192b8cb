#include <sim/scenario/quantity_text.hpp>
#include <sim/scenario/scenario_writer.hpp>

#include <fmt/format.h>

#include <filesystem>
#include <limits>

namespace grove::scenario {

namespace {

// A TOML basic string: quotes, backslashes and control characters escaped; other bytes as they are.
std::string toml_string(std::string_view text) {
    std::string out = "\"";
    for (char c : text) {
        auto const byte = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (byte < 0x20 || byte == 0x7f) {
            out += fmt::format("\\u{:04x}", byte);
        } else {
            out += c;
        }
    }
    return out + '"';
}

std::string duration(Ticks time) { return toml_string(format_duration(time)); }
std::string size(Bytes bytes) { return toml_string(format_size(bytes)); }

std::string name_list(std::vector<std::string> const& names) {
    std::string out = "[";
    for (std::string const& name : names) out += (out.size() > 1 ? ", " : "") + toml_string(name);
    return out + "]";
}

std::string field_text(FieldValue const& value) {
    if (value.is_text()) return toml_string(value.as_text());
    if (value.is_negative()) return fmt::format("{}", value.as_negative());
    // A TOML integer is signed: a larger value cannot be matched from a file at all.
    if (value.as_unsigned() > static_cast<u64>(std::numeric_limits<i64>::max()))
        return fmt::format("{}", std::numeric_limits<i64>::max());
    return fmt::format("{}", value.as_unsigned());
}

std::string matcher(EventMatcher const& m) {
    std::string out = "{ event = " + toml_string(m.event);
    if (m.grove) out += ", grove = " + toml_string(*m.grove);
    if (m.generation) out += fmt::format(", gen = {}", *m.generation);
    for (auto const& [key, value] : m.fields) out += fmt::format(", {} = {}", toml_string(key), field_text(value));
    return out + " }";
}

std::string count_range(CountRange const& range) {
    if (range.min == range.max) return fmt::format("{}", range.min);
    if (range.max == CountRange{}.max) return fmt::format("{{ min = {} }}", range.min);
    return fmt::format("{{ min = {}, max = {} }}", range.min, range.max);
}

void write_grove(std::string& out, GroveSpec const& g) {
    out += "\n[[groves]]\n";
    out += fmt::format("name = {}\nimage = {}\nargs = {}\npriority = {}\nstart_at = {}\nstop_timeout = {}\n",
                       toml_string(g.name), toml_string(g.image), name_list(g.args), g.priority, duration(g.start_at),
                       duration(g.stop_timeout));
    if (g.watchdog.value != 0) out += fmt::format("watchdog = {}\n", duration(g.watchdog));
    if (!g.provides.empty()) out += fmt::format("provides = {}\n", name_list(g.provides));

    Capabilities const& c = g.capabilities;
    out += "[groves.capabilities]\n";
    if (!c.io_ports.empty()) {
        out += "io_ports = [";
        for (usize i = 0; i < c.io_ports.size(); ++i)
            out += fmt::format("{}[{:#x}, {:#x}]", i == 0 ? "" : ", ", c.io_ports[i].first, c.io_ports[i].last);
        out += "]\n";
    }
    if (!c.physical.empty()) {
        out += "physical = [";
        for (usize i = 0; i < c.physical.size(); ++i)
            out += fmt::format("{}[{:#x}, {}]", i == 0 ? "" : ", ", c.physical[i].base, size(c.physical[i].length));
        out += "]\n";
    }
    if (!c.irq.empty()) {
        out += "irq = [";
        for (usize i = 0; i < c.irq.size(); ++i) out += fmt::format("{}{}", i == 0 ? "" : ", ", c.irq[i]);
        out += "]\n";
    }
    out +=
        fmt::format("ipc_send = {}\nipc_receive = {}\ncrash_watch = {}\nservice_manage = {}\n", name_list(c.ipc_send),
                    name_list(c.ipc_receive), name_list(c.crash_watch), name_list(c.service_manage));
    out += fmt::format("thread_create = {}\nmemory_manage = {}\nfilesystem = {}\ngraphics = {}\nnetwork = {}\n",
                       c.thread_create, c.memory_manage, c.filesystem, c.graphics, c.network);

    Limits const& l = g.limits;
    out += "[groves.limits]\n";
    out += fmt::format("memory = {}\nthreads = {}\ncpu_percent = {}\nfile_handles = {}\nipc_rate = {}\n"
                       "ipc_burst = {}\non_violation = {}\ngrants = {}\n",
                       size(l.memory), l.threads, l.cpu_percent, l.file_handles, l.ipc_rate, l.ipc_burst,
                       toml_string(violation_policy_name(l.on_violation)), l.grants);

    Respawn const& r = g.respawn;
    out += "[groves.respawn]\n";
    out += fmt::format("policy = {}\n", toml_string(respawn_policy_name(r.policy)));
    if (r.policy == RespawnPolicy::Limited) out += fmt::format("max = {}\n", r.max);
    out += fmt::format("window = {}\nmax_crashes_in_window = {}\nbackoff_base = {}\nbackoff_cap = {}\n"
                       "healthy_uptime = {}\n",
                       duration(r.window), r.max_crashes_in_window, duration(r.backoff_base), duration(r.backoff_cap),
                       duration(r.healthy_uptime));
}

void write_fault(std::string& out, Fault const& f) {
    out += "\n[[faults]]\n";
    out +=
        fmt::format("at = {}\n", f.at_latest ? toml_string(format_duration(f.at) + ".." + format_duration(*f.at_latest))
                                             : duration(f.at));
    out += fmt::format("action = {}\ngrove = {}\n", toml_string(fault_action_name(f.action)), toml_string(f.grove));
    if (f.action == FaultAction::MemorySpike) out += fmt::format("bytes = {}\n", size(f.bytes));
    if (f.action == FaultAction::FloodStart)
        out += fmt::format("target = {}\nrate = {}\n", toml_string(f.target), f.rate);
}

void write_random_faults(std::string& out, RandomFaults const& r) {
    out += "\n[[random_faults]]\nactions = [";
    for (usize i = 0; i < r.actions.size(); ++i)
        out += (i == 0 ? "" : ", ") +
               toml_string(r.actions[i] == FaultAction::FloodStart ? "flood" : fault_action_name(r.actions[i]));
    out += fmt::format("]\ngroves = {}\ncount = {}\nbetween = {}\n", name_list(r.groves), r.count,
                       toml_string(format_duration(r.from) + ".." + format_duration(r.until)));
    if (r.max_bytes.value != 0)
        out += fmt::format("bytes = {}\n", toml_string(format_size(r.min_bytes) + ".." + format_size(r.max_bytes)));
    if (!r.flood_target.empty())
        out += fmt::format("target = {}\nflood_rate = {}\nburst = {}\n", toml_string(r.flood_target), r.flood_rate,
                           toml_string(format_duration(r.burst_min) + ".." + format_duration(r.burst_max)));
}

void write_expectations(std::string& out, Expectations const& e) {
    out += "\n[expect]\n";
    out += fmt::format("ipc_accounting = {}\n", e.ipc_accounting);
    if (e.digest) out += fmt::format("digest = {}\n", toml_string(fmt::format("{:016x}", *e.digest)));
    if (!e.final_states.empty()) {
        out += "final_state = {";
        for (usize i = 0; i < e.final_states.size(); ++i)
            out += fmt::format("{} {} = {}", i == 0 ? "" : ",", toml_string(e.final_states[i].first),
                               toml_string(grove_state_name(e.final_states[i].second)));
        out += " }\n";
    }
    if (!e.counts.empty()) {
        out += "counts = [\n";
        for (CountExpectation const& c : e.counts) {
            out += "  { grove = " + toml_string(c.grove);
            auto add = [&](char const* key, std::optional<CountRange> const& range) {
                if (range) out += fmt::format(", {} = {}", key, count_range(*range));
            };
            add("crashes", c.crashes);
            add("respawns", c.respawns);
            add("messages_sent", c.messages_sent);
            add("messages_delivered", c.messages_delivered);
            add("messages_refused", c.messages_refused);
            add("messages_queued", c.messages_queued);
            out += " },\n";
        }
        out += "]\n";
    }
    if (!e.sequences.empty()) {
        out += "sequence = [\n";
        for (std::vector<EventMatcher> const& sequence : e.sequences) {
            out += "  [";
            for (usize i = 0; i < sequence.size(); ++i) out += (i == 0 ? "" : ", ") + matcher(sequence[i]);
            out += "],\n";
        }
        out += "]\n";
    }
    if (!e.absent.empty()) {
        out += "absent = [\n";
        for (EventMatcher const& m : e.absent) out += "  " + matcher(m) + ",\n";
        out += "]\n";
    }
    if (!e.served.empty()) {
        out += "served = [\n";
        for (ServedExpectation const& s : e.served)
            out += fmt::format("  {{ grove = {}, within = {} }},\n", toml_string(s.grove), duration(s.within));
        out += "]\n";
    }
}

} // namespace

std::string format_scenario(Scenario const& s) {
    std::string out;
    // A TOML integer is signed: a seed above 2^63-1 is written as a string of its decimal digits.
    std::string const seed = s.seed > static_cast<u64>(std::numeric_limits<i64>::max())
                                 ? toml_string(fmt::format("{}", s.seed))
                                 : fmt::format("{}", s.seed);
    out +=
        fmt::format("name = {}\ndescription = {}\nseed = {}\nduration = {}\ntiming_independent = {}\n",
                    toml_string(s.name), toml_string(s.description), seed, duration(s.duration), s.timing_independent);
    for (Disk const& disk : s.disks) {
        out += fmt::format("\n[[disks]]\npath = {}\n", toml_string(std::filesystem::absolute(disk.image).string()));
        if (disk.seeded_timing) out += "seeded_timing = true\n";
    }
    for (GroveSpec const& grove : s.groves) write_grove(out, grove);
    for (Fault const& fault : s.faults) write_fault(out, fault);
    for (RandomFaults const& rule : s.random_faults) write_random_faults(out, rule);
    if (s.explore != Explore{}) {
        out += "\n[explore]\n";
        if (s.explore.swarm) out += "swarm = true\n";
        if (s.explore.quantum_jitter_percent != 0)
            out += fmt::format("quantum_jitter_percent = {}\n", s.explore.quantum_jitter_percent);
        if (s.explore.change_per_mille != 0) out += fmt::format("change_per_mille = {}\n", s.explore.change_per_mille);
    }
    write_expectations(out, s.expect);
    return out;
}

} // namespace grove::scenario
