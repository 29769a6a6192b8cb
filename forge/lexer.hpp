#pragma once
#include <forge/diagnostics.hpp>

namespace grove::forge {

enum class TokenKind : u8 {
    EndOfFile,
    Number,
    Text,
    Name,
    LeftParen,
    RightParen,
    Comma,
    Plus,
    Minus,
    Star,
    Slash,
    Percent,
    Less,
    LessEqual,
    Greater,
    GreaterEqual,
    // Keywords.
    Bind,
    To,
    Weave,
    As,
    Set,
    Should,
    Then,
    Otherwise,
    End,
    Whilst,
    For,
    Each,
    In,
    Range,
    Match,
    With,
    When,
    Chant,
    Yield,
    True,
    False,
    And,
    Or,
    Not,
    Is,
    GreaterWord,
    LessWord,
    Than,
    At,
    Least,
    Most,
};

// How a token is written, for "expected ..." messages ("'then'", "a name", "the end of the file").
char const* token_kind_text(TokenKind kind);

// One token: its kind, where it starts, its bytes in the source (offset, length) and, for a number, its value
// (a literal above 2^64 - 1 sets `too_large`; the parser decides what fits). `first_on_line` is set when no other
// token precedes it on its line: error recovery resumes at such a token.
struct Token {
    TokenKind kind = TokenKind::EndOfFile;
    bool first_on_line = false;
    bool too_large = false;
    Position position;
    u32 offset = 0;
    u32 length = 0;
    u64 number = 0;
};

// Splits a source into tokens on demand. Spaces, tabs, carriage returns, newlines and `#` comments (to the end of
// the line) separate tokens. A character that starts no token, or a text literal that does not end on its line, is
// an error in `diagnostics`; the lexer skips it and goes on, so next() always advances and ends with EndOfFile.
class Lexer {
public:
    Lexer(char const* source, usize length, Diagnostics& diagnostics);
    Token next();

private:
    void skip_space();
    Token number_token(Token token);
    Token text_token(Token token);
    Token word_token(Token token);
    char peek(usize ahead = 0) const { return m_offset + ahead < m_length ? m_source[m_offset + ahead] : '\0'; }
    void advance();

    char const* m_source;
    usize m_length;
    Diagnostics& m_diagnostics;
    usize m_offset = 0;
    Position m_position;
    bool m_line_start = true;
};

// Decodes the escapes of a text literal's bytes (between the quotes: \n \t \" \\) into `out`; returns the bytes
// written. The lexer has checked the escapes; `out` holds at least `length` bytes.
usize decode_text(char const* literal, usize length, char* out);

} // namespace grove::forge
