#include <worldtree/format/query.hpp>

namespace grove::worldtree {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool is_word(char c) { return c > ' ' && c <= '~' && c != '(' && c != ')'; }

bool text_equals(char const* a, usize a_length, char const* b) {
    return string_length(b) == a_length && equal_bytes(a, b, a_length);
}

// A decimal number, all of [text, text + length); false when empty, not digits or above 2^64 - 1.
bool parse_number(char const* text, usize length, u64* out) {
    if (length == 0) return false;
    u64 value = 0;
    for (usize i = 0; i < length; ++i) {
        if (text[i] < '0' || text[i] > '9') return false;
        if (__builtin_mul_overflow(value, u64(10), &value) || __builtin_add_overflow(value, u64(text[i] - '0'), &value))
            return false;
    }
    *out = value;
    return true;
}

bool prefix_of(char const* prefix, usize prefix_length, char const* text, usize text_length) {
    return prefix_length <= text_length && equal_bytes(prefix, text, prefix_length);
}

} // namespace

class Query::Parser {
public:
    Parser(Query& query, char const* text, usize length) : m_query(query), m_text(text), m_length(length) {}

    Result<u8, QueryError> parse_all() {
        u8 root = TRY(parse_binary(Kind::Or, 0));
        skip_spaces();
        if (m_position < m_length) {
            if (m_text[m_position] == ')') return error(m_position, "')' without a matching '('");
            return error(m_position, "expected AND or OR between terms");
        }
        return root;
    }

private:
    QueryError error(usize position, char const* message) const { return QueryError{u32(position + 1), message}; }

    void skip_spaces() {
        while (m_position < m_length && is_space(m_text[m_position])) ++m_position;
    }
    // The word at the current position (after spaces), without consuming it.
    usize word_length() const {
        usize end = m_position;
        while (end < m_length && is_word(m_text[end])) ++end;
        return end - m_position;
    }
    bool at_keyword(char const* keyword) {
        skip_spaces();
        return text_equals(m_text + m_position, word_length(), keyword);
    }

    Result<u8, QueryError> add(Node const& node) {
        if (m_query.m_node_count == MaxNodes)
            return error(m_position, "query too long: more than 48 terms and operators");
        m_query.m_nodes[m_query.m_node_count] = node;
        return m_query.m_node_count++;
    }
    Result<u8, QueryError> combine(Kind kind, u8 left, u8 right) {
        Node node;
        node.kind = kind;
        node.left = left;
        node.right = right;
        return add(node);
    }

    // An OR of ANDs, or an AND of unary terms: operand (keyword operand)*, folded to the left.
    Result<u8, QueryError> parse_binary(Kind kind, u32 depth) {
        char const* keyword = kind == Kind::Or ? "OR" : "AND";
        auto operand = [this, kind, depth]() {
            return kind == Kind::Or ? parse_binary(Kind::And, depth) : parse_unary(depth);
        };
        u8 left = TRY(operand());
        while (at_keyword(keyword)) {
            m_position += string_length(keyword);
            u8 right = TRY(operand());
            left = TRY(combine(kind, left, right));
        }
        return left;
    }

    Result<u8, QueryError> parse_unary(u32 depth) {
        if (depth >= MaxDepth) return error(m_position, "query nested too deeply (more than 16 levels)");
        skip_spaces();
        if (m_position == m_length) return error(m_position, "expected a term, NOT or '(' at the end of the query");
        if (m_text[m_position] == '(') {
            ++m_position;
            u8 inner = TRY(parse_binary(Kind::Or, depth + 1));
            skip_spaces();
            if (m_position == m_length || m_text[m_position] != ')') return error(m_position, "expected ')'");
            ++m_position;
            return inner;
        }
        if (m_text[m_position] == ')') return error(m_position, "expected a term, NOT or '(' before ')'");
        if (at_keyword("NOT")) {
            m_position += 3;
            u8 inner = TRY(parse_unary(depth + 1));
            return combine(Kind::Not, inner, 0);
        }
        if (at_keyword("AND") || at_keyword("OR")) return error(m_position, "expected a term before AND or OR");
        return parse_term();
    }

    Result<u8, QueryError> parse_term() {
        usize const start = m_position;
        usize const length = word_length();
        if (length == 0) return error(start, "expected a term like name:/bin/*");
        char const* word = m_text + start;
        usize colon = 0;
        while (colon < length && word[colon] != ':') ++colon;
        if (colon == length)
            return error(start, "expected field:value (essence, creator, name, tag, created, modified, size)");
        Node node;
        char const* field = word;
        if (text_equals(field, colon, "essence")) node.field = QueryField::Essence;
        else if (text_equals(field, colon, "creator")) node.field = QueryField::Creator;
        else if (text_equals(field, colon, "name")) node.field = QueryField::Name;
        else if (text_equals(field, colon, "tag")) node.field = QueryField::Tag;
        else if (text_equals(field, colon, "created")) node.field = QueryField::Created;
        else if (text_equals(field, colon, "modified")) node.field = QueryField::Modified;
        else if (text_equals(field, colon, "size")) node.field = QueryField::Size;
        else return error(start, "unknown field (essence, creator, name, tag, created, modified, size)");
        usize const value_at = start + colon + 1;
        char const* value = word + colon + 1;
        usize const value_length = length - colon - 1;
        if (value_length == 0) return error(value_at, "expected a value after ':'");
        m_position = start + length;

        switch (node.field) {
        case QueryField::Essence:
            if (!parse_essence(value, value_length, &node.essence))
                return error(value_at, "unknown essence (Scroll, Tapestry, Melody, Chronicle, Rune, Grove)");
            break;
        case QueryField::Creator:
        case QueryField::Name: TRY(parse_text(value, value_length, value_at, node)); break;
        case QueryField::Tag: {
            usize equals = 0;
            while (equals < value_length && value[equals] != '=') ++equals;
            auto key = FixedString<MaxTagKeyLength>::from(value, equals);
            if (!key || !is_valid_tag_key(value, equals))
                return error(value_at, "a tag key is 1 to 15 letters, digits, '_', '-' or '.'");
            node.key = key.value();
            if (equals == value_length) {
                node.compare = QueryCompare::Has;
                break;
            }
            if (equals + 1 == value_length) return error(value_at + equals + 1, "expected a value after '='");
            TRY(parse_text(value + equals + 1, value_length - equals - 1, value_at + equals + 1, node));
            break;
        }
        case QueryField::Created:
        case QueryField::Modified:
        case QueryField::Size: TRY(parse_range(value, value_length, value_at, node)); break;
        }
        return add(node);
    }

    Result<void, QueryError> parse_text(char const* value, usize length, usize at, Node& node) {
        node.compare = QueryCompare::Equal;
        if (value[length - 1] == '*') {
            node.compare = QueryCompare::Prefix;
            --length;
        }
        for (usize i = 0; i < length; ++i)
            if (value[i] == '*') return error(at + i, "'*' may only end a value");
        auto text = FixedString<MaxNameLength>::from(value, length);
        if (!text) return error(at, "value longer than 63 characters");
        node.text = text.value();
        return {};
    }

    Result<void, QueryError> parse_range(char const* value, usize length, usize at, Node& node) {
        usize skip = 0;
        if (length >= 2 && value[0] == '>' && value[1] == '=') node.compare = QueryCompare::GreaterEqual, skip = 2;
        else if (length >= 2 && value[0] == '<' && value[1] == '=') node.compare = QueryCompare::LessEqual, skip = 2;
        else if (value[0] == '>') node.compare = QueryCompare::Greater, skip = 1;
        else if (value[0] == '<') node.compare = QueryCompare::Less, skip = 1;
        if (skip > 0) {
            if (!parse_number(value + skip, length - skip, &node.low))
                return error(at + skip, "expected a decimal number (at most 18446744073709551615)");
            return {};
        }
        usize dots = 0;
        while (dots + 1 < length && !(value[dots] == '.' && value[dots + 1] == '.')) ++dots;
        if (dots + 1 >= length) {
            node.compare = QueryCompare::Equal;
            if (!parse_number(value, length, &node.low))
                return error(at, "expected N, >N, >=N, <N, <=N or A..B with decimal numbers");
            return {};
        }
        node.compare = QueryCompare::Range;
        if (!parse_number(value, dots, &node.low)) return error(at, "expected a decimal number before '..'");
        if (!parse_number(value + dots + 2, length - dots - 2, &node.high))
            return error(at + dots + 2, "expected a decimal number after '..'");
        if (node.low > node.high) return error(at, "a range A..B needs A <= B");
        return {};
    }

    Query& m_query;
    char const* m_text;
    usize m_length;
    usize m_position = 0;
};

Result<Query, QueryError> Query::parse(char const* text, usize length) {
    Query query;
    Parser parser(query, text, length);
    auto root = parser.parse_all();
    if (!root) return root.error();
    query.m_root = root.value();
    return query;
}

bool Query::matches(Metadata const& meta) const { return m_node_count > 0 && evaluate(m_root, meta); }

bool Query::evaluate(u8 index, Metadata const& meta) const {
    Node const& node = m_nodes[index];
    switch (node.kind) {
    case Kind::And: return evaluate(node.left, meta) && evaluate(node.right, meta);
    case Kind::Or: return evaluate(node.left, meta) || evaluate(node.right, meta);
    case Kind::Not: return !evaluate(node.left, meta);
    case Kind::Term: break;
    }
    auto text_matches = [&node](char const* text, usize length) {
        if (node.compare == QueryCompare::Prefix) return prefix_of(node.text.c_str(), node.text.length(), text, length);
        return node.text.equals(text, length);
    };
    auto number_matches = [&node](u64 value) {
        switch (node.compare) {
        case QueryCompare::Less: return value < node.low;
        case QueryCompare::LessEqual: return value <= node.low;
        case QueryCompare::Greater: return value > node.low;
        case QueryCompare::GreaterEqual: return value >= node.low;
        case QueryCompare::Range: return value >= node.low && value <= node.high;
        default: return value == node.low;
        }
    };
    switch (node.field) {
    case QueryField::Essence: return meta.essence == node.essence;
    case QueryField::Creator: return text_matches(meta.creator.c_str(), meta.creator.length());
    case QueryField::Name: return text_matches(meta.name.c_str(), meta.name.length());
    case QueryField::Tag: {
        Tag const* tag = meta.find_tag(node.key.c_str(), node.key.length());
        if (tag == nullptr) return false;
        return node.compare == QueryCompare::Has || text_matches(tag->value.c_str(), tag->value.length());
    }
    case QueryField::Created: return number_matches(meta.created);
    case QueryField::Modified: return number_matches(meta.modified);
    case QueryField::Size: return number_matches(meta.size);
    }
    return false;
}

} // namespace grove::worldtree
