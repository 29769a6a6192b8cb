#pragma once
#include <forge/limits.hpp>

namespace grove::forge {

// A position in the source: line and column, both from 1 (the column counts bytes).
struct Position {
    u32 line = 1;
    u32 column = 1;
};

// One error: where, and a sentence saying what was expected or what is wrong.
struct Diagnostic {
    Position position;
    char message[MaxMessageLength + 1]{};
    usize length = 0;
};

// Builds one error's text piece by piece; text past MaxMessageLength is cut off.
class MessageBuilder {
public:
    MessageBuilder& text(char const* s);
    MessageBuilder& text(char const* s, usize length);
    MessageBuilder& number(u64 value);
    // `s` quoted, control characters shown as '?', at most 24 bytes (then "...").
    MessageBuilder& quoted(char const* s, usize length);

    char const* data() const { return m_text; }
    usize length() const { return m_length; }

private:
    char m_text[MaxMessageLength + 1]{};
    usize m_length = 0;
};

// The errors of one compilation, in the order they were found. Invariant: count() <= MaxDiagnostics. Once full,
// is_full() is true and further errors are dropped: the compiler stops at the next opportunity.
class Diagnostics {
public:
    void add(Position position, MessageBuilder const& message);
    void add(Position position, char const* message);
    void clear() { m_count = 0; }

    usize count() const { return m_count; }
    bool is_empty() const { return m_count == 0; }
    bool is_full() const { return m_count == MaxDiagnostics; }
    Diagnostic const& operator[](usize i) const { return m_items[i]; }

private:
    Diagnostic m_items[MaxDiagnostics];
    usize m_count = 0;
};

} // namespace grove::forge
