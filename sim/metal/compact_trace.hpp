#pragma once
// The host's side of the bare-metal kernel's compact trace records (core/trace/compact_record.hpp).
#include <core/base/std.hpp>

#include <string>

namespace grove::metal_host {

// The serial output with each compact event record replaced by the JSON line of its event (the line the
// simulator's recorder writes for it, with generation 0 for a serial no grove has) and the name records left out (an expanded line ends with "\n");
// every other line as it was. An unfinished last line stays as it is. A record that does not decode (bad hex, an
// encoding of no event, a serial never named, a name no grove can have) is an error: `error` says which line and
// why; the lines before it are expanded (the first `readable` bytes of `serial`), the rest is as it came. The name
// records are checked for their form only: the digest covers the events, which carry serials, not names.
// `digest` is the trace digest (core/trace/trace_digest.hpp) over the records' event bytes as they came, in order:
// the kernel's own digest, which its final record reports, when no event was lost or changed on the way.
struct ExpandedSerial {
    std::string serial;
    std::string error;  // empty when every record decoded
    usize readable = 0; // the expanded part: all of `serial` unless there is an error
    u64 digest = 0;
    u64 events = 0;
};
ExpandedSerial expand_compact_records(std::string const& serial);

} // namespace grove::metal_host
