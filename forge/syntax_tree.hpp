#pragma once
#include <forge/diagnostics.hpp>

namespace grove::forge {

// Index of a node in a SyntaxTree; 0 is "none".
using NodeIndex = u32;

enum class NodeKind : u8 {
    // Expressions.
    Number,   // value
    Truth,    // value 0 or 1
    Text,     // name: the literal's bytes between the quotes (escapes not yet decoded)
    Variable, // name
    Negate,   // first: operand
    Not,      // first: operand
    Binary,   // op, first, second
    Call,     // name, first: the first argument (arguments are linked by `next`), value: argument count
    // Statements, linked by `next` in their block.
    Expression, // first: the expression
    Bind,       // name, first: the value (immutable)
    Weave,      // name, first: the value (mutable)
    Set,        // name, first: the value
    Should,     // first: condition, second: then-block, third: otherwise-block (or 0)
    Whilst,     // first: condition, second: body
    ForEach,    // name, first: from, second: to (excluded), third: body
    Match,      // first: the value, second: the first arm (arms linked by `next`), third: otherwise-block (or 0)
    Arm,        // value: the key, first: body
    Chant,      // name, first: the first parameter (Variable nodes linked by `next`), second: body, value: count
    Yield,      // first: the value
};

enum class BinaryOp : u8 {
    Add,
    Subtract,
    Multiply,
    Divide,
    Remainder,
    Equal,
    NotEqual,
    Less,
    LessEqual,
    Greater,
    GreaterEqual,
    And,
    Or
};

struct Node {
    NodeKind kind = NodeKind::Number;
    BinaryOp op = BinaryOp::Add;
    Position position;
    u32 name_offset = 0; // into the source
    u32 name_length = 0;
    i64 value = 0;
    NodeIndex first = 0;
    NodeIndex second = 0;
    NodeIndex third = 0;
    NodeIndex next = 0;
    u32 depth = 1; // of an expression: 1 + the deepest operand's
};

// The nodes of one program, in a fixed array. Invariant: size() <= MaxNodes; node 0 is never handed out.
class SyntaxTree {
public:
    // A new node, or 0 when the tree is full.
    NodeIndex add(NodeKind kind, Position position);
    Node& operator[](NodeIndex i) { return m_nodes[i]; }
    Node const& operator[](NodeIndex i) const { return m_nodes[i]; }
    usize size() const { return m_count; }
    void clear() { m_count = 1; }

private:
    Node m_nodes[MaxNodes];
    usize m_count = 1;
};

// A list of nodes linked by `next`, built by appending: its first node, 0 while empty.
struct NodeList {
    NodeIndex first = 0;
    NodeIndex last = 0;

    void append(SyntaxTree& tree, NodeIndex index) {
        if (last == 0) first = index;
        else tree[last].next = index;
        last = index;
    }
};

} // namespace grove::forge
