#include <forge/lexer.hpp>

namespace grove::forge {

namespace {

struct Keyword {
    char const* text;
    char const* quoted;
    TokenKind kind;
};

constexpr Keyword Keywords[] = {
    {"bind", "'bind'", TokenKind::Bind},     {"to", "'to'", TokenKind::To},
    {"weave", "'weave'", TokenKind::Weave},  {"as", "'as'", TokenKind::As},
    {"set", "'set'", TokenKind::Set},        {"should", "'should'", TokenKind::Should},
    {"then", "'then'", TokenKind::Then},     {"otherwise", "'otherwise'", TokenKind::Otherwise},
    {"end", "'end'", TokenKind::End},        {"whilst", "'whilst'", TokenKind::Whilst},
    {"for", "'for'", TokenKind::For},        {"each", "'each'", TokenKind::Each},
    {"in", "'in'", TokenKind::In},           {"range", "'range'", TokenKind::Range},
    {"match", "'match'", TokenKind::Match},  {"with", "'with'", TokenKind::With},
    {"when", "'when'", TokenKind::When},     {"chant", "'chant'", TokenKind::Chant},
    {"yield", "'yield'", TokenKind::Yield},  {"true", "'true'", TokenKind::True},
    {"false", "'false'", TokenKind::False},  {"and", "'and'", TokenKind::And},
    {"or", "'or'", TokenKind::Or},           {"not", "'not'", TokenKind::Not},
    {"is", "'is'", TokenKind::Is},           {"greater", "'greater'", TokenKind::GreaterWord},
    {"less", "'less'", TokenKind::LessWord}, {"than", "'than'", TokenKind::Than},
    {"at", "'at'", TokenKind::At},           {"least", "'least'", TokenKind::Least},
    {"most", "'most'", TokenKind::Most},
};

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_word_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_word(char c) { return is_word_start(c) || is_digit(c); }

} // namespace

char const* token_kind_text(TokenKind kind) {
    switch (kind) {
    case TokenKind::EndOfFile: return "the end of the file";
    case TokenKind::Number: return "a number";
    case TokenKind::Text: return "a text";
    case TokenKind::Name: return "a name";
    case TokenKind::LeftParen: return "'('";
    case TokenKind::RightParen: return "')'";
    case TokenKind::Comma: return "','";
    case TokenKind::Plus: return "'+'";
    case TokenKind::Minus: return "'-'";
    case TokenKind::Star: return "'*'";
    case TokenKind::Slash: return "'/'";
    case TokenKind::Percent: return "'%'";
    case TokenKind::Less: return "'<'";
    case TokenKind::LessEqual: return "'<='";
    case TokenKind::Greater: return "'>'";
    case TokenKind::GreaterEqual: return "'>='";
    default: break;
    }
    for (Keyword const& k : Keywords)
        if (k.kind == kind) return k.quoted;
    return "a token";
}

Lexer::Lexer(char const* source, usize length, Diagnostics& diagnostics)
    : m_source(source), m_length(length), m_diagnostics(diagnostics) {}

void Lexer::advance() {
    if (m_offset >= m_length) return;
    if (m_source[m_offset] == '\n') {
        ++m_position.line;
        m_position.column = 1;
        m_line_start = true;
    } else {
        ++m_position.column;
    }
    ++m_offset;
}

void Lexer::skip_space() {
    while (m_offset < m_length) {
        char const c = peek();
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            advance();
        } else if (c == '#') {
            while (m_offset < m_length && peek() != '\n') advance();
        } else {
            return;
        }
    }
}

Token Lexer::next() {
    for (;;) {
        skip_space();
        Token token;
        token.position = m_position;
        token.offset = static_cast<u32>(m_offset);
        token.first_on_line = m_line_start;
        if (m_offset >= m_length) return token;
        m_line_start = false;
        char const c = peek();
        if (is_digit(c)) return number_token(token);
        if (c == '"') {
            Token const text = text_token(token);
            if (text.kind == TokenKind::Text) return text;
            continue; // reported; the rest of the line was skipped
        }
        if (is_word_start(c)) return word_token(token);
        TokenKind kind = TokenKind::EndOfFile;
        usize length = 1;
        switch (c) {
        case '(': kind = TokenKind::LeftParen; break;
        case ')': kind = TokenKind::RightParen; break;
        case ',': kind = TokenKind::Comma; break;
        case '+': kind = TokenKind::Plus; break;
        case '-': kind = TokenKind::Minus; break;
        case '*': kind = TokenKind::Star; break;
        case '/': kind = TokenKind::Slash; break;
        case '%': kind = TokenKind::Percent; break;
        case '<':
            kind = peek(1) == '=' ? TokenKind::LessEqual : TokenKind::Less;
            length = peek(1) == '=' ? 2 : 1;
            break;
        case '>':
            kind = peek(1) == '=' ? TokenKind::GreaterEqual : TokenKind::Greater;
            length = peek(1) == '=' ? 2 : 1;
            break;
        default:
            m_diagnostics.add(m_position, MessageBuilder{}
                                              .text("unexpected character ")
                                              .quoted(m_source + m_offset, 1)
                                              .text(": expected a name, a number, a text or an operator"));
            advance();
            continue;
        }
        for (usize i = 0; i < length; ++i) advance();
        token.kind = kind;
        token.length = static_cast<u32>(length);
        return token;
    }
}

Token Lexer::number_token(Token token) {
    token.kind = TokenKind::Number;
    while (is_digit(peek())) {
        u64 const digit = static_cast<u64>(peek() - '0');
        if (token.number > (~u64{0} - digit) / 10) token.too_large = true;
        token.number = token.number * 10 + digit;
        advance();
    }
    if (is_word(peek())) {
        m_diagnostics.add(m_position, MessageBuilder{}
                                          .text("unexpected ")
                                          .quoted(m_source + m_offset, 1)
                                          .text(" in a number: expected a digit or a space"));
        while (is_word(peek())) advance();
    }
    token.length = static_cast<u32>(m_offset - token.offset);
    return token;
}

Token Lexer::text_token(Token token) {
    advance(); // the opening quote
    usize bytes = 0;
    while (m_offset < m_length && peek() != '"' && peek() != '\n') {
        if (peek() == '\\') {
            char const e = peek(1);
            if (e != 'n' && e != 't' && e != '"' && e != '\\') {
                m_diagnostics.add(m_position, MessageBuilder{}
                                                  .text("unknown escape ")
                                                  .quoted(m_source + m_offset, e == '\0' || e == '\n' ? 1 : 2)
                                                  .text(": expected \\n, \\t, \\\" or \\\\"));
            } else {
                advance();
            }
        }
        advance();
        ++bytes;
    }
    if (peek() != '"') {
        m_diagnostics.add(token.position, "a text that does not end on its line: expected '\"' before the line ends");
        token.kind = TokenKind::EndOfFile;
        return token;
    }
    advance(); // the closing quote
    token.kind = TokenKind::Text;
    token.length = static_cast<u32>(m_offset - token.offset);
    if (bytes > MaxTextLiteral)
        m_diagnostics.add(token.position, MessageBuilder{}
                                              .text("a text of ")
                                              .number(bytes)
                                              .text(" bytes: at most ")
                                              .number(MaxTextLiteral)
                                              .text(" fit"));
    return token;
}

Token Lexer::word_token(Token token) {
    while (is_word(peek())) advance();
    token.length = static_cast<u32>(m_offset - token.offset);
    token.kind = TokenKind::Name;
    for (Keyword const& k : Keywords) {
        usize const n = string_length(k.text);
        if (n == token.length && equal_bytes(k.text, m_source + token.offset, n)) token.kind = k.kind;
    }
    return token;
}

usize decode_text(char const* literal, usize length, char* out) {
    usize n = 0;
    for (usize i = 0; i < length; ++i) {
        char c = literal[i];
        if (c == '\\' && i + 1 < length) {
            char const e = literal[++i];
            c = e == 'n' ? '\n' : e == 't' ? '\t' : e;
        }
        out[n++] = c;
    }
    return n;
}

} // namespace grove::forge
