#pragma once
#include <core/base/std.hpp>

namespace grove::compact {

// The compact records of a trace on a serial line: the bare-metal kernel writes each kernel event as the bytes of
// its canonical encoding (event_encoding.hpp) instead of a JSON line, and the host expands each record into the
// JSON line the event stands for (sim/metal/compact_trace.hpp). An event costs the kernel one burst of its
// encoding's bytes, where a JSON line costs several instructions per byte of formatting and hex two digits per
// byte. A record is binary and starts a line:
//
//   '@' tag size bytes[size]     tag 'e': an event, the bytes of encode_event
//                                tag 'n': what a serial is called from here on: u32 serial (little-endian) followed
//                                by the grove's name (no name: no grove has that serial now, and its events are
//                                written with generation 0)
//
// `size` is one byte; nothing follows the bytes, and the next line starts right after them. A name record comes
// before an event that names a serial (its grove, or one of its fields) when the host has not been told that
// serial's name since the set of groves last changed (or the kernel's small table of told serials lost it to
// another). Every other line of the serial output (boot messages, "# " console text, JSON lines) starts with
// another character, so a reader that is at the start of a line and sees '@' reads a record.
inline constexpr char Mark = '@';
inline constexpr char EventTag = 'e';
inline constexpr char NameTag = 'n';
inline constexpr usize HeaderSize = 3; // mark, tag, size
inline constexpr usize MaxRecordBytes = 255;

} // namespace grove::compact
