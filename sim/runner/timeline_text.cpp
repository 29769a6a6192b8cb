#include <sim/runner/timeline_text.hpp>

#include <sim/scenario/quantity_text.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <string_view>

namespace grove::runner {

namespace {

bool is_address_field(std::string_view key) {
    return key == "pc" || key == "address" || key == "entry" || key == "hash" || key == "detail" || key == "error_code";
}

std::string text_value(std::string const& text) {
    std::string out;
    for (char c : text) {
        if (c == '\n') out += "\\n";
        else if (c == '"') out += "\\\"";
        else out += c;
    }
    if (out.find_first_of(" =\\\"") != std::string::npos || out.empty()) return "\"" + out + "\"";
    return out;
}

} // namespace

std::string format_timeline_line(scenario::TraceEvent const& event) {
    std::string who = event.grove.empty() ? std::string("kernel") : fmt::format("{}#{}", event.grove, event.generation);
    std::string line = fmt::format("{:>10}  {:<18} {:<18}", scenario::format_duration(event.time), who, event.kind);
    for (auto const& [key, value] : event.fields) {
        if (key == "registers" || key == "encoding" || key == "hash") continue;
        line += ' ';
        line += key;
        line += '=';
        if (value.is_text()) line += text_value(value.as_text());
        else if (value.is_unsigned() && is_address_field(key)) line += fmt::format("{:#x}", value.as_unsigned());
        else line += value.to_string();
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    return line;
}

std::string format_timeline(std::vector<scenario::TraceEvent> const& events, usize limit) {
    std::string out;
    usize const shown = std::min(limit, events.size());
    for (usize i = 0; i < shown; ++i) out += format_timeline_line(events[i]) + '\n';
    if (shown < events.size())
        out += fmt::format("{:>10}  ... {} more events (--trace FILE writes every one)\n", "", events.size() - shown);
    return out;
}

} // namespace grove::runner
