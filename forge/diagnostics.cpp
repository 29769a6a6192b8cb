#include <forge/diagnostics.hpp>

namespace grove::forge {

MessageBuilder& MessageBuilder::text(char const* s) { return text(s, string_length(s)); }

MessageBuilder& MessageBuilder::text(char const* s, usize length) {
    for (usize i = 0; i < length && m_length < MaxMessageLength; ++i) m_text[m_length++] = s[i];
    m_text[m_length] = '\0';
    return *this;
}

MessageBuilder& MessageBuilder::number(u64 value) {
    char digits[20];
    usize n = 0;
    do {
        digits[n++] = static_cast<char>('0' + value % 10);
        value /= 10;
    } while (value != 0);
    while (n > 0 && m_length < MaxMessageLength) m_text[m_length++] = digits[--n];
    m_text[m_length] = '\0';
    return *this;
}

MessageBuilder& MessageBuilder::quoted(char const* s, usize length) {
    constexpr usize Shown = 24;
    text("'");
    for (usize i = 0; i < length && i < Shown; ++i) {
        char const c = s[i];
        char const shown = (c < 0x20 || c > 0x7e) ? '?' : c;
        text(&shown, 1);
    }
    if (length > Shown) text("...");
    return text("'");
}

void Diagnostics::add(Position position, MessageBuilder const& message) {
    if (is_full()) return;
    Diagnostic& d = m_items[m_count++];
    d.position = position;
    d.length = message.length();
    copy_bytes(d.message, message.data(), d.length);
    d.message[d.length] = '\0';
}

void Diagnostics::add(Position position, char const* message) { add(position, MessageBuilder{}.text(message)); }

} // namespace grove::forge
