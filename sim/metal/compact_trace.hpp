#pragma once
// The host's side of the bare-metal kernel's compact trace records (core/trace/compact_record.hpp).
#include <core/base/std.hpp>
#include <core/trace/trace_digest.hpp>

#include <map>
#include <string>
#include <string_view>

namespace grove::metal_host {

// Reads a boot's serial output as it comes, in pieces of any size, into the text the host shows and parses: each
// compact event record becomes the JSON line of its event (the line the simulator's recorder writes for it, with
// generation 0 for a serial no grove has) ended by "\n", the name records go, and every other line stays as it
// was, its "\r\n" written as "\n" (a grove's own '\r' stays part of its console text).
//
// A record that does not decode (an unknown tag, an encoding of no event, a serial never named, a name no grove can
// have) is an error: error() says which line of the output (a record counts as one) and why, quoting the record's
// mark and tag and its bytes in hex; everything before it was expanded (the first readable() bytes of the text),
// and from it on the output is passed on as it came. The name records are checked for their form only: the digest
// covers the events, which carry serials, not names.
//
// digest() is the trace digest (core/trace/trace_digest.hpp) over the records' event bytes as they came, in order:
// the kernel's own digest, which its final record reports, when no event was lost or changed on the way.
class SerialExpander {
public:
    // The next bytes of the output. What they complete is added to the text.
    void feed(std::string_view bytes);
    // The output ended: an unfinished last line is appended as it is, an unfinished record as its mark, tag and the
    // hex of the bytes that came.
    void finish();

    // The text since the last take: a reader that shows the output as it comes takes it after each feed.
    std::string take_text();
    std::string const& error() const { return m_error; }
    // Bytes of text, taken or not, that came before the first error (all of it without one).
    usize readable() const { return m_error.empty() ? m_taken + m_text.size() : m_readable; }
    u64 digest() const { return m_digest.value(); }
    u64 events() const { return m_digest.count(); }

private:
    // Expands the records and lines m_pending holds in full.
    void expand_pending();
    // The JSON line of one record ("" for a name record), or "" with m_error set.
    std::string expand_record(char tag, std::string_view bytes);
    void fail(std::string const& why, char tag, std::string_view bytes);

    std::string m_pending; // bytes of an unfinished line or record
    std::string m_text;
    usize m_taken = 0;
    usize m_line = 1;
    std::string m_error;
    usize m_readable = 0;
    std::map<u32, std::string> m_names;
    TraceDigest m_digest;
};

// The whole serial output read by a SerialExpander, finished.
struct ExpandedSerial {
    std::string serial;
    std::string error;  // empty when every record decoded
    usize readable = 0; // the expanded part: all of `serial` unless there is an error
    u64 digest = 0;
    u64 events = 0;
};
ExpandedSerial expand_compact_records(std::string const& serial);

} // namespace grove::metal_host
