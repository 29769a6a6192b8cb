#pragma once
#include <core/base/fixed_string.hpp>
#include <core/base/result.hpp>
#include <core/base/std.hpp>
#include <worldtree/format/object.hpp>

namespace grove::worldtree {

// Why a query did not parse: the 1-based column of the offending character (length + 1: at the end) and a
// sentence (static text).
struct QueryError {
    u32 column = 0;
    char const* message = nullptr;
};

enum class QueryField : u8 { Essence, Creator, Name, Tag, Created, Modified, Size };
enum class QueryCompare : u8 { Equal, Prefix, Has, Less, LessEqual, Greater, GreaterEqual, Range };

// A query over object metadata (FORMAT.md, "Queries"):
//   query  := or
//   or     := and ("OR" and)*
//   and    := unary ("AND" unary)*
//   unary  := "NOT" unary | "(" or ")" | term
//   term   := essence:<Essence> | creator:<text> | name:<text> | tag:<key> | tag:<key>=<text>
//           | created:<range> | modified:<range> | size:<range>
//   text   := printable characters without spaces or parentheses; a final '*' matches any suffix (name:/bin/*)
//   range  := N | >N | >=N | <N | <=N | A..B (inclusive)      N: decimal, at most 2^64 - 1
// Keywords are upper case; terms and keywords are separated by spaces or parentheses. Parsed into a fixed table of
// nodes (no heap); nesting deeper than MaxDepth or more than MaxNodes terms and operators is an error.
class Query {
public:
    static constexpr u32 MaxNodes = 48;
    static constexpr u32 MaxDepth = 16;

    static Result<Query, QueryError> parse(char const* text, usize length);
    bool matches(Metadata const& meta) const;

private:
    enum class Kind : u8 { And, Or, Not, Term };
    struct Node {
        Kind kind = Kind::Term;
        u8 left = 0;
        u8 right = 0;
        QueryField field = QueryField::Name;
        QueryCompare compare = QueryCompare::Equal;
        Essence essence = Essence::Scroll;
        FixedString<MaxNameLength> text;
        FixedString<MaxTagKeyLength> key;
        u64 low = 0;
        u64 high = 0;
    };
    class Parser;

    bool evaluate(u8 node, Metadata const& meta) const;

    Node m_nodes[MaxNodes];
    u8 m_node_count = 0;
    u8 m_root = 0;
};

} // namespace grove::worldtree
