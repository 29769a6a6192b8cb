#include <core/base/hash.hpp>
#include <core/trace/event.hpp>
#include <sim/scenario/json_text.hpp>
#include <sim/scenario/trace.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <limits>
#include <ostream>
#include <set>
#include <sstream>

namespace grove::scenario {
namespace {

using Json = nlohmann::ordered_json;

// JSON text of a string; bytes that are not UTF-8 become U+FFFD, so writing never fails.
std::string quoted(std::string const& text) { return json_text(Json(text)); }

void append_value(std::string& out, FieldValue const& value) {
    if (value.is_text()) out += quoted(value.as_text());
    else out += value.to_string();
}

void append_counters(std::string& out, IpcCounters const& ipc) {
    out += fmt::format("\"sent\":{},\"delivered\":{},\"refused\":{},\"queued\":{}", ipc.sent, ipc.delivered,
                       ipc.refused, ipc.queued);
}

// A problem in one line of a trace; turned into a Diagnostic by the reader.
struct LineError {
    u32 column;
    std::string message;
};

u64 unsigned_member(Json const& object, char const* key, std::string_view where) {
    auto const it = object.find(key);
    if (it == object.end()) throw LineError{1, fmt::format("{} has no \"{}\"; add it", where, key)};
    if (!it->is_number_unsigned())
        throw LineError{1, fmt::format("\"{}\" in {} must be a non-negative integer", key, where)};
    return it->get<u64>();
}

std::string text_member(Json const& object, char const* key, std::string_view where) {
    auto const it = object.find(key);
    if (it == object.end()) throw LineError{1, fmt::format("{} has no \"{}\"; add it", where, key)};
    if (!it->is_string()) throw LineError{1, fmt::format("\"{}\" in {} must be a string", key, where)};
    return it->get<std::string>();
}

// Rejects keys of `object` outside `allowed`.
void only_keys(Json const& object, std::initializer_list<std::string_view> allowed, std::string_view where) {
    for (auto const& [key, value] : object.items()) {
        if (std::find(allowed.begin(), allowed.end(), key) == allowed.end())
            throw LineError{1, fmt::format("unknown key \"{}\" in {}", key, where)};
    }
}

IpcCounters read_ipc(Json const& object, std::string_view where) {
    return IpcCounters{unsigned_member(object, "sent", where), unsigned_member(object, "delivered", where),
                       unsigned_member(object, "refused", where), unsigned_member(object, "queued", where)};
}

// "run_step" and "run_hash" of an event or the final record: both or neither.
std::optional<StepStamp> read_stamp(Json const& object, std::string_view where) {
    bool const has_step = object.contains("run_step");
    if (has_step != object.contains("run_hash"))
        throw LineError{1,
                        fmt::format("{} has only one of \"run_step\" and \"run_hash\"; give both or neither", where)};
    if (!has_step) return std::nullopt;
    auto const hash = parse_digest_text(text_member(object, "run_hash", where));
    if (!hash) throw LineError{1, "\"run_hash\" must be 16 hex digits"};
    return StepStamp{unsigned_member(object, "run_step", where), *hash};
}

TraceEvent read_event(Json const& object) {
    constexpr std::string_view where = "an event";
    TraceEvent event;
    event.time = Ticks(unsigned_member(object, "t", where));
    event.grove = text_member(object, "grove", where);
    u64 const generation = unsigned_member(object, "gen", where);
    if (generation > std::numeric_limits<u32>::max())
        throw LineError{1, fmt::format("\"gen\" is {}, more than a generation can be (at most {})", generation,
                                       std::numeric_limits<u32>::max())};
    event.generation = static_cast<u32>(generation);
    event.kind = text_member(object, "event", where);
    if (event.kind.empty()) throw LineError{1, "\"event\" is empty; name the event kind"};
    for (auto const& [key, value] : object.items()) {
        if (key == "t" || key == "grove" || key == "gen" || key == "event" || key == "run_step" || key == "run_hash")
            continue;
        if (value.is_string()) event.fields.emplace_back(key, FieldValue::text(value.get<std::string>()));
        else if (value.is_number_unsigned())
            event.fields.emplace_back(key, FieldValue::unsigned_integer(value.get<u64>()));
        else if (value.is_number_integer()) event.fields.emplace_back(key, FieldValue::integer(value.get<i64>()));
        else throw LineError{1, fmt::format("field \"{}\" must be a string or an integer", key)};
    }
    return event;
}

FinalCounters read_final(Json const& record) {
    constexpr std::string_view where = "the final record";
    if (!record.is_object()) throw LineError{1, "\"final\" must be an object"};
    only_keys(record, {"t", "digest", "overall", "groves", "memory", "grants", "run_step", "run_hash"}, where);
    FinalCounters counters;
    counters.end_time = Ticks(unsigned_member(record, "t", where));
    auto const digest = parse_digest_text(text_member(record, "digest", where));
    if (!digest) throw LineError{1, "\"digest\" must be 16 hex digits"};
    counters.digest = *digest;
    counters.steps = read_stamp(record, where);
    auto const overall = record.find("overall");
    if (overall == record.end() || !overall->is_object())
        throw LineError{1, "the final record needs \"overall\", an object of IPC counters"};
    only_keys(*overall, {"sent", "delivered", "refused", "queued"}, "\"overall\"");
    counters.overall = read_ipc(*overall, "\"overall\"");
    auto const groves = record.find("groves");
    if (groves == record.end() || !groves->is_array())
        throw LineError{1, "the final record needs \"groves\", an array of grove counters"};
    for (Json const& entry : *groves) {
        constexpr std::string_view grove_where = "a grove's counters";
        if (!entry.is_object()) throw LineError{1, "each entry of \"groves\" must be an object"};
        only_keys(entry, {"grove", "state", "crashes", "respawns", "sent", "delivered", "refused", "queued"},
                  grove_where);
        GroveCounters grove;
        grove.grove = text_member(entry, "grove", grove_where);
        std::string const state = text_member(entry, "state", grove_where);
        auto const parsed_state = grove_state_from_name(state);
        if (!parsed_state) throw LineError{1, fmt::format("unknown grove state \"{}\"", state)};
        grove.state = *parsed_state;
        grove.crashes = unsigned_member(entry, "crashes", grove_where);
        grove.respawns = unsigned_member(entry, "respawns", grove_where);
        grove.ipc = read_ipc(entry, grove_where);
        counters.groves.push_back(std::move(grove));
    }
    if (auto const memory = record.find("memory"); memory != record.end()) {
        constexpr std::string_view memory_where = "\"memory\"";
        if (!memory->is_object()) throw LineError{1, "\"memory\" must be an object of frame counts"};
        only_keys(*memory, {"frames", "free", "held"}, memory_where);
        counters.memory = MemoryCounters{unsigned_member(*memory, "frames", memory_where),
                                         unsigned_member(*memory, "free", memory_where),
                                         unsigned_member(*memory, "held", memory_where)};
    }
    if (auto const grants = record.find("grants"); grants != record.end()) {
        constexpr std::string_view grants_where = "\"grants\"";
        if (!grants->is_object()) throw LineError{1, "\"grants\" must be an object of grant counts"};
        only_keys(*grants, {"created", "ended", "live", "copies", "copied", "refused"}, grants_where);
        counters.grants = GrantCounters{unsigned_member(*grants, "created", grants_where),
                                        unsigned_member(*grants, "ended", grants_where),
                                        unsigned_member(*grants, "live", grants_where),
                                        unsigned_member(*grants, "copies", grants_where),
                                        unsigned_member(*grants, "copied", grants_where),
                                        unsigned_member(*grants, "refused", grants_where)};
    }
    return counters;
}

// Parses one line, rejecting duplicate keys at any depth (nlohmann would keep only one of them).
Json parse_line(std::string_view line) {
    std::vector<std::set<std::string>> keys_per_object;
    std::string duplicate;
    auto const track = [&](int, Json::parse_event_t event, Json& parsed) {
        if (event == Json::parse_event_t::object_start) keys_per_object.emplace_back();
        else if (event == Json::parse_event_t::object_end && !keys_per_object.empty()) keys_per_object.pop_back();
        else if (event == Json::parse_event_t::key && !keys_per_object.empty()) {
            if (!keys_per_object.back().insert(parsed.get<std::string>()).second && duplicate.empty())
                duplicate = parsed.get<std::string>();
        }
        return true;
    };
    Json value;
    try {
        value = Json::parse(line.begin(), line.end(), track);
    } catch (Json::parse_error const& e) {
        std::string what = e.what();
        // "[json.exception.parse_error.101] parse error at line 1, column 5: syntax error ..." -> "syntax error ..."
        if (auto const colon = what.find(": "); colon != std::string::npos) what = what.substr(colon + 2);
        u64 const column = std::clamp<u64>(e.byte, 1, std::numeric_limits<u32>::max());
        throw LineError{static_cast<u32>(column), fmt::format("invalid JSON: {}", what)};
    }
    if (!duplicate.empty())
        throw LineError{1, fmt::format("the key \"{}\" appears twice in one object; keep one", duplicate)};
    return value;
}

} // namespace

TraceEvent& TraceEvent::with(std::string key, FieldValue value) {
    fields.emplace_back(std::move(key), std::move(value));
    return *this;
}
TraceEvent& TraceEvent::with(std::string key, std::string value) {
    return with(std::move(key), FieldValue::text(std::move(value)));
}
TraceEvent& TraceEvent::with(std::string key, u64 value) {
    return with(std::move(key), FieldValue::unsigned_integer(value));
}

FieldValue const* TraceEvent::field(std::string_view key) const {
    for (auto const& [name, value] : fields)
        if (name == key) return &value;
    return nullptr;
}

GroveCounters const* FinalCounters::find(std::string_view grove_name) const {
    for (GroveCounters const& grove : groves)
        if (grove.grove == grove_name) return &grove;
    return nullptr;
}

std::vector<std::string_view> const& known_event_kinds() {
    static std::vector<std::string_view> const kinds = [] {
        std::vector<std::string_view> all;
        for (unsigned value = 0; value <= std::numeric_limits<u8>::max(); ++value) {
            auto const kind = static_cast<EventKind>(value);
            if (std::string_view(event_kind_name(kind)) != "unknown" && is_emitted_kind(kind))
                all.push_back(event_kind_name(kind));
        }
        all.insert(all.end(), std::begin(RunnerEventKinds), std::end(RunnerEventKinds));
        return all;
    }();
    return kinds;
}

bool is_known_event_kind(std::string_view kind) {
    auto const& kinds = known_event_kinds();
    return std::find(kinds.begin(), kinds.end(), kind) != kinds.end();
}

std::string format_event_line(TraceEvent const& event) {
    std::string line = fmt::format("{{\"t\":{},\"grove\":{},\"gen\":{},\"event\":{}", event.time.value,
                                   quoted(event.grove), event.generation, quoted(event.kind));
    for (auto const& [key, value] : event.fields) {
        line += ',';
        line += quoted(key);
        line += ':';
        append_value(line, value);
    }
    line += '}';
    return line;
}

std::string format_stamped_event_line(TraceEvent const& event, StepStamp const* stamp) {
    std::string line = format_event_line(event);
    if (stamp == nullptr) return line;
    line.pop_back();
    return line + fmt::format(",\"run_step\":{},\"run_hash\":\"{}\"}}", stamp->step, format_digest(stamp->hash));
}

namespace {

// The stamp of event `index`, when the trace has stamps.
StepStamp const* stamp_of(Trace const& trace, usize index) {
    return index < trace.stamps.size() ? &trace.stamps[index] : nullptr;
}

} // namespace

std::string format_final_line(FinalCounters const& counters) {
    std::string line = fmt::format("{{\"final\":{{\"t\":{},\"digest\":\"{}\",\"overall\":{{", counters.end_time.value,
                                   format_digest(counters.digest));
    append_counters(line, counters.overall);
    line += "},\"groves\":[";
    for (usize i = 0; i < counters.groves.size(); ++i) {
        GroveCounters const& grove = counters.groves[i];
        if (i > 0) line += ',';
        line += fmt::format("{{\"grove\":{},\"state\":\"{}\",\"crashes\":{},\"respawns\":{},", quoted(grove.grove),
                            grove_state_name(grove.state), grove.crashes, grove.respawns);
        append_counters(line, grove.ipc);
        line += '}';
    }
    line += ']';
    if (counters.memory)
        line += fmt::format(",\"memory\":{{\"frames\":{},\"free\":{},\"held\":{}}}", counters.memory->frames,
                            counters.memory->free, counters.memory->held);
    if (counters.grants)
        line += fmt::format(",\"grants\":{{\"created\":{},\"ended\":{},\"live\":{},\"copies\":{},\"copied\":{},"
                            "\"refused\":{}}}",
                            counters.grants->created, counters.grants->ended, counters.grants->live,
                            counters.grants->copies, counters.grants->copied, counters.grants->refused);
    if (counters.steps)
        line += fmt::format(",\"run_step\":{},\"run_hash\":\"{}\"", counters.steps->step,
                            format_digest(counters.steps->hash));
    line += "}}";
    return line;
}

std::string format_trace(Trace const& trace) {
    std::string text;
    for (usize i = 0; i < trace.events.size(); ++i) {
        text += format_stamped_event_line(trace.events[i], stamp_of(trace, i));
        text += '\n';
    }
    if (trace.final_counters) {
        text += format_final_line(*trace.final_counters);
        text += '\n';
    }
    return text;
}

void write_trace(std::ostream& out, Trace const& trace) {
    for (usize i = 0; i < trace.events.size(); ++i)
        out << format_stamped_event_line(trace.events[i], stamp_of(trace, i)) << '\n';
    if (trace.final_counters) out << format_final_line(*trace.final_counters) << '\n';
}

Parsed<Trace> read_trace_string(std::string_view text, std::string_view name) {
    Trace trace;
    u32 line_number = 0;
    usize position = 0;
    while (position < text.size()) {
        usize end = text.find('\n', position);
        if (end == std::string_view::npos) end = text.size();
        std::string_view line = text.substr(position, end - position);
        position = end + 1;
        ++line_number;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.empty()) continue;
        try {
            if (trace.final_counters)
                throw LineError{1, "a line after the final record; the final record ends a trace"};
            Json const value = parse_line(line);
            if (!value.is_object()) throw LineError{1, "each line must be a JSON object"};
            if (value.contains("final")) {
                if (value.size() != 1) throw LineError{1, "the final record holds only \"final\""};
                trace.final_counters = read_final(value["final"]);
            } else {
                trace.events.push_back(read_event(value));
                std::optional<StepStamp> const stamp = read_stamp(value, "an event");
                // Every event of a simulator's trace is stamped; no event of a metal trace is.
                if (trace.events.size() > 1 && stamp.has_value() != !trace.stamps.empty())
                    throw LineError{1, "\"run_step\" and \"run_hash\" are on some events and not on others; a "
                                       "trace has them on every event or on none"};
                if (stamp) trace.stamps.push_back(*stamp);
            }
        } catch (LineError const& error) {
            return Diagnostic{std::string(name), line_number, error.column, error.message};
        }
    }
    return trace;
}

Parsed<Trace> read_trace_file(std::filesystem::path const& path) {
    std::ifstream file(path, std::ios::binary);
    if (!file) return Diagnostic{path.string(), 0, 0, "cannot open the trace file; check the path and its permissions"};
    std::ostringstream contents;
    contents << file.rdbuf();
    if (file.bad()) return Diagnostic{path.string(), 0, 0, "cannot read the trace file"};
    return read_trace_string(contents.str(), path.string());
}

u64 trace_digest(std::vector<TraceEvent> const& events) {
    Fnv1a64 hash;
    for (TraceEvent const& event : events) {
        std::string const line = format_event_line(event);
        hash.update(line.data(), line.size());
        hash.update("\n", 1);
    }
    return hash.digest();
}

std::string format_digest(u64 digest) { return fmt::format("{:016x}", digest); }

std::optional<u64> parse_digest_text(std::string_view text) {
    if (text.size() != 16) return std::nullopt;
    u64 value = 0;
    for (char c : text) {
        u64 digit = 0;
        if (c >= '0' && c <= '9') digit = static_cast<u64>(c - '0');
        else if (c >= 'a' && c <= 'f') digit = static_cast<u64>(c - 'a') + 10;
        else if (c >= 'A' && c <= 'F') digit = static_cast<u64>(c - 'A') + 10;
        else return std::nullopt;
        value = (value << 4) | digit;
    }
    return value;
}

} // namespace grove::scenario
