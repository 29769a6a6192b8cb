#include <sim/scenario/text_guard.hpp>

#include <fmt/format.h>

#include <string>
#include <vector>

namespace grove::scenario {
namespace {

enum class Place : u8 { Outside, Comment, BasicString, LiteralString, MultiBasicString, MultiLiteralString };

// One pass over the text, tracking where each byte is (outside, in a comment or a string), whether a key is being
// read (at the start of a line, in a [table] header, after '{' or ',' in an inline table) and the stack of open
// arrays and inline tables.
class TextScanner {
public:
    TextScanner(std::string_view text, std::string_view name) : m_text(text), m_name(name) {}

    std::optional<Diagnostic> scan() {
        if (m_text.size() > MaxScenarioFileBytes)
            return Diagnostic{std::string(m_name), 0, 0,
                              fmt::format("the file has {} bytes, more than the {} a scenario may have; split it",
                                          m_text.size(), MaxScenarioFileBytes)};
        while (m_index < m_text.size() && !m_problem) step();
        return m_problem;
    }

private:
    char peek(usize ahead) const { return m_index + ahead < m_text.size() ? m_text[m_index + ahead] : '\0'; }
    bool starts(std::string_view token) const { return m_text.substr(m_index, token.size()) == token; }

    void fail(std::string message) {
        m_problem = Diagnostic{std::string(m_name), m_line, m_column, std::move(message)};
    }

    // Moves past `count` bytes, keeping the line and the column (in characters: UTF-8 continuation bytes do not
    // count).
    void advance(usize count = 1) {
        for (usize i = 0; i < count && m_index < m_text.size(); ++i, ++m_index) {
            auto const byte = static_cast<unsigned char>(m_text[m_index]);
            if (byte == '\n') {
                ++m_line;
                m_column = 1;
            } else if ((byte & 0xc0) != 0x80) {
                ++m_column;
            }
        }
    }

    void step() {
        auto const byte = static_cast<unsigned char>(m_text[m_index]);
        switch (m_place) {
        case Place::Comment:
            if (byte == '\n') m_place = Place::Outside;
            break;
        case Place::BasicString:
            if (byte == '\\') {
                advance();
                if (m_index < m_text.size() && m_text[m_index] != '\n') advance();
                return;
            }
            if (byte == '"' || byte == '\n') m_place = Place::Outside;
            break;
        case Place::LiteralString:
            if (byte == '\'' || byte == '\n') m_place = Place::Outside;
            break;
        case Place::MultiBasicString:
        case Place::MultiLiteralString: step_in_multi_line_string(byte); return;
        case Place::Outside: step_outside(byte); return;
        }
        if (m_place == Place::Outside && byte == '\n') end_line();
        advance();
    }

    void step_in_multi_line_string(unsigned char byte) {
        bool const basic = m_place == Place::MultiBasicString;
        if (byte >= 0x80)
            return fail("a non-ASCII character in a multi-line string; use a one-line string (\"...\") for it, or "
                        "an escape like \\u00e9");
        if (basic && byte == '\\') return advance(2);
        if (starts(basic ? "\"\"\"" : "'''")) {
            m_place = Place::Outside;
            return advance(3);
        }
        advance();
    }

    void step_outside(unsigned char byte) {
        if (byte >= 0x80)
            return fail("a non-ASCII character outside a string or comment; TOML allows them only in quotes and "
                        "comments");
        switch (byte) {
        case '\n': end_line(); break;
        case ' ':
        case '\t':
        case '\r': break;
        case '#': m_place = Place::Comment; break;
        case '"':
        case '\'':
            begin_key_if_expected();
            if (starts(byte == '"' ? "\"\"\"" : "'''")) {
                m_place = byte == '"' ? Place::MultiBasicString : Place::MultiLiteralString;
                return advance(3);
            }
            m_place = byte == '"' ? Place::BasicString : Place::LiteralString;
            break;
        case '[': open_bracket(); return;
        case '{': open_value('{'); break;
        case ']':
        case '}': close_value(byte); break;
        case '=': end_key(); break;
        case ',':
            if (!m_open.empty() && m_open.back() == '{') m_key_expected = true;
            break;
        case '.':
            if (m_in_key && ++m_key_parts > MaxDottedKeyParts)
                return fail(fmt::format("a key or table name of more than {} dotted parts; use at most {}",
                                        MaxDottedKeyParts, MaxDottedKeyParts));
            break;
        default: begin_key_if_expected(); break;
        }
        if (!m_problem) advance();
    }

    void begin_key_if_expected() {
        if (!m_key_expected) return;
        m_key_expected = false;
        m_in_key = true;
        m_key_parts = 1;
        count_key();
    }

    void end_key() {
        m_in_key = false;
        m_key_expected = false;
    }

    void count_key() {
        if (++m_keys > MaxScenarioKeys)
            fail(fmt::format("more than {} keys and table headers; a scenario may have at most {}", MaxScenarioKeys,
                             MaxScenarioKeys));
    }

    void open_bracket() {
        if (m_key_expected && m_open.empty()) {
            // A [table] or [[array of tables]] header: its name is a key.
            m_key_expected = false;
            m_in_key = true;
            m_in_header = true;
            m_key_parts = 1;
            count_key();
            advance(peek(1) == '[' ? 2 : 1);
            return;
        }
        open_value('[');
        if (!m_problem) advance();
    }

    void open_value(char bracket) {
        begin_key_if_expected(); // a value, not a key: only reached in a malformed file, which the library refuses
        end_key();
        if (m_open.size() == MaxValueNesting)
            return fail(fmt::format("arrays and inline tables nested more than {} deep; use at most {} levels",
                                    MaxValueNesting, MaxValueNesting));
        m_open.push_back(bracket);
        m_key_expected = bracket == '{';
    }

    void close_value(unsigned char byte) {
        if (m_in_header && byte == ']') {
            m_in_header = false;
            end_key();
            if (peek(1) == ']') advance();
            return;
        }
        end_key();
        if (!m_open.empty()) m_open.pop_back();
    }

    void end_line() {
        if (!m_open.empty()) return; // a multi-line array continues
        m_key_expected = true;
        m_in_key = false;
        m_in_header = false;
    }

    std::string_view m_text;
    std::string_view m_name;
    usize m_index = 0;
    u32 m_line = 1;
    u32 m_column = 1;
    Place m_place = Place::Outside;
    bool m_key_expected = true;
    bool m_in_key = false;
    bool m_in_header = false;
    usize m_key_parts = 0;
    usize m_keys = 0;
    std::vector<char> m_open; // '[' or '{', innermost last; at most MaxValueNesting
    std::optional<Diagnostic> m_problem;
};

} // namespace

std::optional<Diagnostic> check_scenario_text(std::string_view text, std::string_view name) {
    return TextScanner(text, name).scan();
}

} // namespace grove::scenario
