#pragma once
// JSON text of a document whose strings may hold any bytes (a grove's console, a scenario's path): bytes that are
// not UTF-8 become U+FFFD, where nlohmann's default dump would throw and end the program.
#include <string>

namespace grove::scenario {

template<class Json>
std::string json_text(Json const& document, int indent = -1) {
    return document.dump(indent, ' ', false, Json::error_handler_t::replace);
}

} // namespace grove::scenario
