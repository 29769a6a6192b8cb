#include <sim/runner/timeline_json.hpp>
#include <sim/scenario/json_text.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <deque>
#include <map>
#include <set>
#include <tuple>

namespace grove::runner {

using Json = nlohmann::ordered_json;
using scenario::TraceEvent;

namespace {

// The event kinds shown as instants on a grove's events track.
std::set<std::string> const InstantKinds{"crashed",
                                         "respawned",
                                         "respawn_scheduled",
                                         "gave_up",
                                         "limit_exceeded",
                                         "throttled",
                                         "killed",
                                         "hung",
                                         "memory_spike",
                                         "fault_injected",
                                         "invariant_violated",
                                         "stopped",
                                         "stopping",
                                         "started",
                                         "loaded",
                                         "denied"};

constexpr u64 EventsTrack = 0; // a grove's own track; thread tracks are the thread slot + 1

double micros(Ticks time) { return static_cast<double>(time.value) / 1000.0; }

std::string text_field(TraceEvent const& event, char const* key) {
    scenario::FieldValue const* value = event.field(key);
    return value == nullptr ? std::string() : value->to_string();
}

class Timeline {
public:
    Json build(scenario::Trace const& trace, std::vector<StepRecord> const& steps) {
        process("");
        for (TraceEvent const& event : trace.events) process(event.grove);
        for (StepRecord const& step : steps) process(step.grove);
        add_thread_slices(trace, steps);
        add_events(trace);
        return Json{{"displayTimeUnit", "ns"}, {"traceEvents", std::move(m_events)}};
    }

private:
    // The process of a grove ("" is the kernel), named when first seen.
    u64 process(std::string const& grove) {
        auto const found = m_pids.find(grove);
        if (found != m_pids.end()) return found->second;
        u64 const pid = m_pids.size() + 1;
        m_pids[grove] = pid;
        m_events.push_back(Json{{"name", "process_name"},
                                {"ph", "M"},
                                {"pid", pid},
                                {"tid", EventsTrack},
                                {"args", {{"name", grove.empty() ? std::string("kernel") : grove}}}});
        m_events.push_back(Json{{"name", "process_sort_index"},
                                {"ph", "M"},
                                {"pid", pid},
                                {"tid", EventsTrack},
                                {"args", {{"sort_index", pid}}}});
        m_events.push_back(Json{
            {"name", "thread_name"}, {"ph", "M"}, {"pid", pid}, {"tid", EventsTrack}, {"args", {{"name", "events"}}}});
        return pid;
    }

    void slice(u64 pid, u64 tid, std::string name, char const* category, Ticks from, Ticks to, Json args = {}) {
        Json event{{"name", std::move(name)}, {"cat", category},         {"ph", "X"}, {"pid", pid}, {"tid", tid},
                   {"ts", micros(from)},      {"dur", micros(to - from)}};
        if (!args.is_null()) event["args"] = std::move(args);
        m_events.push_back(std::move(event));
    }

    // Whether `grove` was throttled (a throttled event) in [from, to).
    static bool throttled_between(scenario::Trace const& trace, std::string const& grove, Ticks from, Ticks to) {
        for (TraceEvent const& event : trace.events)
            if (event.kind == "throttled" && event.grove == grove && event.time >= from && event.time < to) return true;
        return false;
    }

    void add_thread_slices(scenario::Trace const& trace, std::vector<StepRecord> const& steps) {
        struct Open {
            u64 pid = 0;
            std::string grove;
            u32 generation = 0;
            Ticks from, to;
            TrapKind last = TrapKind::Timer;
        };
        std::map<u32, Open> running; // by thread slot: the slice being joined
        std::set<std::pair<u64, u64>> named;
        auto close = [&](u32 slot, Open const& open) {
            slice(open.pid, slot + 1, "running", "cpu", open.from, open.to, Json{{"generation", open.generation}});
        };
        for (StepRecord const& step : steps) {
            u64 const pid = process(step.grove);
            u32 const slot = step.thread.index;
            if (named.insert({pid, slot}).second)
                m_events.push_back(Json{{"name", "thread_name"},
                                        {"ph", "M"},
                                        {"pid", pid},
                                        {"tid", slot + 1},
                                        {"args", {{"name", fmt::format("thread {}", slot)}}}});
            auto found = running.find(slot);
            if (found != running.end() && found->second.pid == pid && found->second.to == step.started) {
                found->second.to = step.time; // the same thread ran on: one slice
                found->second.last = step.kind;
                continue;
            }
            if (found != running.end()) {
                Open const& previous = found->second;
                close(slot, previous);
                if (previous.pid == pid && previous.to < step.started) {
                    char const* state = throttled_between(trace, step.grove, previous.to, step.started) ? "throttled"
                                        : previous.last == TrapKind::Syscall                            ? "blocked"
                                                                                                        : "ready";
                    slice(pid, slot + 1, state, "state", previous.to, step.started);
                }
            }
            running[slot] = Open{pid, step.grove, step.generation, step.started, step.time, step.kind};
        }
        for (auto const& [slot, open] : running) close(slot, open);
    }

    void add_events(scenario::Trace const& trace) {
        // Messages sent and not yet delivered or refused, by (from, to, tag, priority), oldest first.
        using Key = std::tuple<std::string, std::string, std::string, std::string>;
        std::map<Key, std::deque<u64>> pending; // flow ids
        u64 next_flow = 1;
        for (TraceEvent const& event : trace.events) {
            u64 const pid = process(event.grove);
            if (InstantKinds.count(event.kind) != 0) {
                Json args = Json::object();
                args["generation"] = event.generation;
                for (auto const& [key, value] : event.fields) args[key] = value.to_string();
                m_events.push_back(Json{{"name", event.kind},
                                        {"cat", "grove"},
                                        {"ph", "i"},
                                        {"s", "p"},
                                        {"pid", pid},
                                        {"tid", EventsTrack},
                                        {"ts", micros(event.time)},
                                        {"args", std::move(args)}});
            }
            std::string const tag = text_field(event, "tag");
            std::string const priority = text_field(event, "priority");
            if (event.kind == "message_sent") {
                Key const key{event.grove, text_field(event, "to"), tag, priority};
                u64 const id = next_flow++;
                pending[key].push_back(id);
                m_sends[id] = Json{{"name", "send to " + std::get<1>(key)},
                                   {"cat", "ipc"},
                                   {"ph", "X"},
                                   {"pid", pid},
                                   {"tid", EventsTrack},
                                   {"ts", micros(event.time)},
                                   {"dur", 0.001},
                                   {"args", {{"tag", tag}, {"priority", priority}}}};
            } else if (event.kind == "message_refused") {
                auto found = pending.find(Key{event.grove, text_field(event, "to"), tag, priority});
                if (found != pending.end() && !found->second.empty()) {
                    m_sends.erase(found->second.back());
                    found->second.pop_back();
                }
            } else if (event.kind == "message_delivered") {
                auto found = pending.find(Key{text_field(event, "from"), event.grove, tag, priority});
                if (found == pending.end() || found->second.empty()) continue;
                u64 const id = found->second.front();
                found->second.pop_front();
                Json send = std::move(m_sends.at(id));
                m_sends.erase(id);
                double const sent_at = send["ts"].get<double>();
                u64 const sender = send["pid"].get<u64>();
                m_events.push_back(std::move(send));
                m_events.push_back(Json{{"name", "message"},
                                        {"cat", "ipc"},
                                        {"ph", "s"},
                                        {"id", id},
                                        {"pid", sender},
                                        {"tid", EventsTrack},
                                        {"ts", sent_at}});
                m_events.push_back(Json{{"name", "delivered from " + text_field(event, "from")},
                                        {"cat", "ipc"},
                                        {"ph", "X"},
                                        {"pid", pid},
                                        {"tid", EventsTrack},
                                        {"ts", micros(event.time)},
                                        {"dur", 0.001},
                                        {"args", {{"tag", tag}, {"priority", priority}}}});
                m_events.push_back(Json{{"name", "message"},
                                        {"cat", "ipc"},
                                        {"ph", "f"},
                                        {"bp", "e"},
                                        {"id", id},
                                        {"pid", pid},
                                        {"tid", EventsTrack},
                                        {"ts", micros(event.time)}});
            }
        }
        // Messages still queued at the end: their send, without an arrow.
        for (auto& [id, send] : m_sends) m_events.push_back(std::move(send));
    }

    std::map<std::string, u64> m_pids;
    std::map<u64, Json> m_sends; // sends not yet delivered, by flow id
    Json m_events = Json::array();
};

} // namespace

std::string timeline_json(scenario::Trace const& trace, std::vector<StepRecord> const& steps) {
    return scenario::json_text(Timeline().build(trace, steps)) + "\n";
}

} // namespace grove::runner
