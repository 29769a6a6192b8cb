#include <forge/parser.hpp>

namespace grove::forge {

namespace {

constexpr u64 MaxPositive = u64{1} << 63; // exclusive; with a minus in front, inclusive

bool is_comparison(TokenKind kind) {
    switch (kind) {
    case TokenKind::Less:
    case TokenKind::LessEqual:
    case TokenKind::Greater:
    case TokenKind::GreaterEqual:
    case TokenKind::Is:
    case TokenKind::GreaterWord:
    case TokenKind::LessWord:
    case TokenKind::At: return true;
    default: return false;
    }
}

} // namespace

Parser::Parser(char const* source, usize length, SyntaxTree& tree, Diagnostics& diagnostics)
    : m_lexer(source, length, diagnostics), m_source(source), m_tree(tree), m_diagnostics(diagnostics) {
    m_current = m_lexer.next();
    m_next = m_lexer.next();
}

void Parser::advance() {
    m_current = m_next;
    if (m_current.kind != TokenKind::EndOfFile) m_next = m_lexer.next();
}

bool Parser::accept(TokenKind kind) {
    if (m_current.kind != kind) return false;
    advance();
    return true;
}

void Parser::error_here(char const* expected) {
    MessageBuilder message;
    message.text("expected ").text(expected).text(", found ");
    if (m_current.kind == TokenKind::EndOfFile) message.text("the end of the file");
    else message.quoted(m_source + m_current.offset, m_current.length);
    m_diagnostics.add(m_current.position, message);
}

bool Parser::expect(TokenKind kind, char const* where) {
    if (accept(kind)) return true;
    expected(kind, where);
    return false;
}

void Parser::expected(TokenKind kind, char const* where) {
    MessageBuilder text;
    text.text(token_kind_text(kind)).text(" ").text(where);
    error_here(text.data());
}

void Parser::stop_past_limit(Position position, char const* before, usize limit, char const* after) {
    m_diagnostics.add(position, MessageBuilder{}.text(before).number(limit).text(after));
    m_stopped = true;
}

bool Parser::enter() {
    if (++m_nesting <= MaxNesting) return true;
    stop_past_limit(m_current.position, "nested more than ", MaxNesting, " deep: split the program into chants");
    return false;
}

NodeIndex Parser::node(NodeKind kind, Position position, NodeIndex first, NodeIndex second, NodeIndex third) {
    NodeIndex const index = m_tree.add(kind, position);
    if (index == 0) {
        if (!m_stopped) stop_past_limit(position, "the program has more than ", MaxNodes, " parts");
        return 0;
    }
    m_tree[index].first = first;
    m_tree[index].second = second;
    m_tree[index].third = third;
    return index;
}

NodeIndex Parser::with_name(NodeIndex index, Token const& name) {
    if (index != 0) {
        m_tree[index].name_offset = name.offset;
        m_tree[index].name_length = name.length;
    }
    return index;
}

NodeIndex Parser::binary(BinaryOp op, Position position, NodeIndex left, NodeIndex right) {
    if (left == 0 || right == 0) return 0;
    NodeIndex const index = node(NodeKind::Binary, position);
    if (index == 0) return 0;
    Node& n = m_tree[index];
    n.op = op;
    n.first = left;
    n.second = right;
    u32 const deeper = m_tree[left].depth > m_tree[right].depth ? m_tree[left].depth : m_tree[right].depth;
    n.depth = deeper + 1;
    if (n.depth > MaxExpressionDepth) {
        stop_past_limit(position, "an expression more than ", MaxExpressionDepth,
                        " operators deep: bind parts of it to names");
        return 0;
    }
    return index;
}

void Parser::synchronize(u32 statement_offset) {
    while (m_current.kind != TokenKind::EndOfFile) {
        bool const moved = m_current.offset != statement_offset;
        if (moved && (m_current.first_on_line || m_current.kind == TokenKind::End ||
                      m_current.kind == TokenKind::Otherwise || m_current.kind == TokenKind::When))
            return;
        advance();
    }
}

NodeIndex Parser::parse_program() {
    return parse_statements(TokenKind::EndOfFile, TokenKind::EndOfFile, TokenKind::EndOfFile);
}

// Statements until the end of the file or one of the end tokens (not consumed). An empty block is a node-less 0;
// errors are reported and the statements go on after them. A block (any end but EndOfFile) counts as one level of
// nesting, and the end of the file inside it is an error.
NodeIndex Parser::parse_statements(TokenKind end_a, TokenKind end_b, TokenKind end_c) {
    bool const is_block = end_a != TokenKind::EndOfFile;
    if (is_block && !enter()) return 0;
    NodeList statements;
    while (!is_stopped() && m_current.kind != end_a && m_current.kind != end_b && m_current.kind != end_c) {
        if (m_current.kind == TokenKind::EndOfFile) {
            error_here("'end'");
            break;
        }
        u32 const start = m_current.offset;
        NodeIndex const statement = parse_statement();
        if (statement == 0) synchronize(start);
        else statements.append(m_tree, statement);
    }
    if (is_block) leave();
    return statements.first;
}

NodeIndex Parser::parse_statement() {
    Token const start = m_current;
    switch (m_current.kind) {
    case TokenKind::Bind: advance(); return parse_named_value(NodeKind::Bind, TokenKind::To);
    case TokenKind::Weave: advance(); return parse_named_value(NodeKind::Weave, TokenKind::As);
    case TokenKind::Set: advance(); return parse_named_value(NodeKind::Set, TokenKind::To);
    case TokenKind::Should: return parse_should();
    case TokenKind::Whilst: return parse_whilst();
    case TokenKind::For: return parse_for_each();
    case TokenKind::Match: return parse_match();
    case TokenKind::Chant:
        if (m_context != Context::TopLevel) {
            error_here("a statement (a chant is defined at the top level only)");
            return 0;
        }
        return parse_chant();
    case TokenKind::Yield: {
        if (m_context != Context::Chant) {
            error_here("a statement ('yield' gives a chant's result and is used inside a chant only)");
            return 0;
        }
        advance();
        NodeIndex const value = parse_expression();
        if (value == 0) return 0;
        return node(NodeKind::Yield, start.position, value);
    }
    case TokenKind::End:
    case TokenKind::Otherwise:
    case TokenKind::When:
        // After an error this most likely belongs to the block whose head was refused: skipped, not reported.
        if (m_diagnostics.is_empty()) error_here("a statement (there is no open block here)");
        return 0;
    default: break;
    }
    NodeIndex const value = parse_expression();
    if (value == 0) return 0;
    return node(NodeKind::Expression, start.position, value);
}

// bind NAME to EXPR, weave NAME as EXPR, set NAME to EXPR (the keyword is consumed).
NodeIndex Parser::parse_named_value(NodeKind kind, TokenKind joiner) {
    Token const name = m_current;
    if (!expect(TokenKind::Name, "(the name to give a value)")) return 0;
    if (!expect(joiner, "after the name")) return 0;
    NodeIndex const value = parse_expression();
    if (value == 0) return 0;
    return with_name(node(kind, name.position, value), name);
}

NodeIndex Parser::parse_should() {
    Position const position = m_current.position;
    advance();
    NodeIndex const condition = parse_expression();
    if (condition == 0) return 0;
    if (!expect(TokenKind::Then, "after the condition of 'should'")) return 0;
    NodeIndex const then_block = parse_statements(TokenKind::End, TokenKind::Otherwise, TokenKind::End);
    NodeIndex otherwise_block = 0;
    if (accept(TokenKind::Otherwise))
        otherwise_block = parse_statements(TokenKind::End, TokenKind::End, TokenKind::End);
    if (!expect(TokenKind::End, "to close 'should'")) return 0;
    return node(NodeKind::Should, position, condition, then_block, otherwise_block);
}

NodeIndex Parser::parse_whilst() {
    Position const position = m_current.position;
    advance();
    NodeIndex const condition = parse_expression();
    if (condition == 0) return 0;
    if (!expect(TokenKind::Then, "after the condition of 'whilst'")) return 0;
    NodeIndex const body = parse_statements(TokenKind::End, TokenKind::End, TokenKind::End);
    if (!expect(TokenKind::End, "to close 'whilst'")) return 0;
    return node(NodeKind::Whilst, position, condition, body);
}

NodeIndex Parser::parse_for_each() {
    Position const position = m_current.position;
    advance();
    if (!expect(TokenKind::Each, "after 'for'")) return 0;
    Token const name = m_current;
    if (!expect(TokenKind::Name, "(the loop's name) after 'for each'")) return 0;
    if (!expect(TokenKind::In, "after the loop's name")) return 0;
    if (!expect(TokenKind::Range, "after 'in'")) return 0;
    if (!expect(TokenKind::LeftParen, "after 'range'")) return 0;
    NodeIndex const from = parse_expression();
    if (from == 0) return 0;
    if (!expect(TokenKind::Comma, "between the bounds of 'range'")) return 0;
    NodeIndex const to = parse_expression();
    if (to == 0) return 0;
    if (!expect(TokenKind::RightParen, "after the bounds of 'range'")) return 0;
    if (!expect(TokenKind::Then, "after 'range(...)'")) return 0;
    NodeIndex const body = parse_statements(TokenKind::End, TokenKind::End, TokenKind::End);
    if (!expect(TokenKind::End, "to close 'for each'")) return 0;
    return with_name(node(NodeKind::ForEach, position, from, to, body), name);
}

// A key of `when`: a number (with an optional minus), true or false.
NodeIndex Parser::parse_match_key(i64& key) {
    bool const negative = accept(TokenKind::Minus);
    if (m_current.kind == TokenKind::Number) {
        u64 const limit = negative ? MaxPositive : MaxPositive - 1;
        if (m_current.too_large || m_current.number > limit) {
            error_here("a number from -9223372036854775808 to 9223372036854775807");
            return 0;
        }
        key = negative ? static_cast<i64>(0 - m_current.number) : static_cast<i64>(m_current.number);
        advance();
        return 1;
    }
    if (!negative && (m_current.kind == TokenKind::True || m_current.kind == TokenKind::False)) {
        key = m_current.kind == TokenKind::True ? 1 : 0;
        advance();
        return 1;
    }
    error_here("a number, 'true' or 'false' after 'when'");
    return 0;
}

NodeIndex Parser::parse_match() {
    Position const position = m_current.position;
    advance();
    NodeIndex const value = parse_expression();
    if (value == 0) return 0;
    if (!expect(TokenKind::With, "after the value of 'match'")) return 0;
    NodeList arms;
    while (!is_stopped() && m_current.kind == TokenKind::When) {
        Position const arm_position = m_current.position;
        advance();
        i64 key = 0;
        if (parse_match_key(key) == 0) return 0;
        if (!expect(TokenKind::Then, "after the key of 'when'")) return 0;
        NodeIndex const body = parse_statements(TokenKind::When, TokenKind::Otherwise, TokenKind::End);
        NodeIndex const arm = node(NodeKind::Arm, arm_position);
        if (arm == 0) return 0;
        m_tree[arm].value = key;
        m_tree[arm].first = body;
        arms.append(m_tree, arm);
    }
    NodeIndex otherwise_block = 0;
    if (accept(TokenKind::Otherwise)) {
        if (!expect(TokenKind::Then, "after 'otherwise' in 'match'")) return 0;
        otherwise_block = parse_statements(TokenKind::End, TokenKind::End, TokenKind::End);
    }
    if (!expect(TokenKind::End, "to close 'match' (or 'when' for another key)")) return 0;
    return node(NodeKind::Match, position, value, arms.first, otherwise_block);
}

NodeIndex Parser::parse_chant() {
    Position const position = m_current.position;
    advance();
    Token const name = m_current;
    if (!expect(TokenKind::Name, "(the chant's name) after 'chant'")) return 0;
    if (!expect(TokenKind::LeftParen, "after the chant's name")) return 0;
    NodeList parameters;
    i64 count = 0;
    if (m_current.kind != TokenKind::RightParen) {
        for (;;) {
            Token const parameter = m_current;
            if (!expect(TokenKind::Name, "(a parameter's name)")) return 0;
            NodeIndex const p = with_name(node(NodeKind::Variable, parameter.position), parameter);
            if (p == 0) return 0;
            parameters.append(m_tree, p);
            ++count;
            if (!accept(TokenKind::Comma)) break;
        }
    }
    if (!expect(TokenKind::RightParen, "after the parameters")) return 0;
    if (!expect(TokenKind::Then, "after the chant's parameters")) return 0;
    m_context = Context::Chant;
    NodeIndex const body = parse_statements(TokenKind::End, TokenKind::End, TokenKind::End);
    m_context = Context::TopLevel;
    if (!expect(TokenKind::End, "to close 'chant'")) return 0;
    NodeIndex const index = with_name(node(NodeKind::Chant, position, parameters.first, body), name);
    if (index != 0) m_tree[index].value = count;
    return index;
}

NodeIndex Parser::parse_expression() { return parse_level(Level::Or); }

// The operand of a level: the next tighter level, `not` below `and`, a unary expression below the products.
NodeIndex Parser::parse_operand(Level level) {
    switch (level) {
    case Level::Or: return parse_level(Level::And);
    case Level::And: return parse_not();
    case Level::Sum: return parse_level(Level::Product);
    case Level::Product: break;
    }
    return parse_unary();
}

// The operators of a left-associative level.
bool Parser::is_operator_of(Level level, TokenKind kind, BinaryOp& op) {
    switch (kind) {
    case TokenKind::Or: op = BinaryOp::Or; return level == Level::Or;
    case TokenKind::And: op = BinaryOp::And; return level == Level::And;
    case TokenKind::Plus: op = BinaryOp::Add; return level == Level::Sum;
    case TokenKind::Minus: op = BinaryOp::Subtract; return level == Level::Sum;
    case TokenKind::Star: op = BinaryOp::Multiply; return level == Level::Product;
    case TokenKind::Slash: op = BinaryOp::Divide; return level == Level::Product;
    case TokenKind::Percent: op = BinaryOp::Remainder; return level == Level::Product;
    default: return false;
    }
}

// operand (operator operand)*, grouped to the left. A chain is a loop, not recursion: its depth is the tree's,
// which binary() bounds.
NodeIndex Parser::parse_level(Level level) {
    NodeIndex left = parse_operand(level);
    BinaryOp op = BinaryOp::Add;
    while (left != 0 && is_operator_of(level, m_current.kind, op)) {
        Position const position = m_current.position;
        advance();
        left = binary(op, position, left, parse_operand(level));
    }
    return left;
}

NodeIndex Parser::parse_not() {
    if (m_current.kind != TokenKind::Not) return parse_comparison();
    Position const position = m_current.position;
    advance();
    return prefix(NodeKind::Not, position);
}

NodeIndex Parser::parse_comparison() {
    NodeIndex const left = parse_level(Level::Sum);
    if (left == 0 || !is_comparison(m_current.kind)) return left;
    Position const position = m_current.position;
    BinaryOp op = BinaryOp::Equal;
    TokenKind const kind = m_current.kind;
    advance();
    switch (kind) {
    case TokenKind::Less: op = BinaryOp::Less; break;
    case TokenKind::LessEqual: op = BinaryOp::LessEqual; break;
    case TokenKind::Greater: op = BinaryOp::Greater; break;
    case TokenKind::GreaterEqual: op = BinaryOp::GreaterEqual; break;
    case TokenKind::Is: op = accept(TokenKind::Not) ? BinaryOp::NotEqual : BinaryOp::Equal; break;
    case TokenKind::GreaterWord:
        if (!expect(TokenKind::Than, "after 'greater'")) return 0;
        op = BinaryOp::Greater;
        break;
    case TokenKind::LessWord:
        if (!expect(TokenKind::Than, "after 'less'")) return 0;
        op = BinaryOp::Less;
        break;
    default: // At
        if (accept(TokenKind::Least)) {
            op = BinaryOp::GreaterEqual;
        } else if (accept(TokenKind::Most)) {
            op = BinaryOp::LessEqual;
        } else {
            error_here("'least' or 'most' after 'at'");
            return 0;
        }
        break;
    }
    NodeIndex const result = binary(op, position, left, parse_level(Level::Sum));
    if (result != 0 && is_comparison(m_current.kind)) {
        error_here("'and' or 'or' between two comparisons (comparisons do not chain)");
        return 0;
    }
    return result;
}

NodeIndex Parser::parse_unary() {
    if (m_current.kind != TokenKind::Minus) return parse_primary();
    Position const position = m_current.position;
    if (m_next.kind == TokenKind::Number) {
        // A negative literal: the one way to write -9223372036854775808.
        advance();
        if (m_current.too_large || m_current.number > MaxPositive) {
            error_here("a number of at most 9223372036854775808 after '-'");
            return 0;
        }
        NodeIndex const index = node(NodeKind::Number, position);
        if (index != 0) m_tree[index].value = static_cast<i64>(0 - m_current.number);
        advance();
        return index;
    }
    advance();
    return prefix(NodeKind::Negate, position);
}

// `not` or unary minus (already consumed) applied to the operand that follows: one more level of nesting and of
// depth, both bounded.
NodeIndex Parser::prefix(NodeKind kind, Position position) {
    if (!enter()) return 0;
    NodeIndex const operand = kind == NodeKind::Not ? parse_not() : parse_unary();
    leave();
    if (operand == 0) return 0;
    NodeIndex const index = node(kind, position, operand);
    if (index == 0) return 0;
    m_tree[index].depth = m_tree[operand].depth + 1;
    if (m_tree[index].depth > MaxExpressionDepth) {
        stop_past_limit(position, "an expression more than ", MaxExpressionDepth, " operators deep");
        return 0;
    }
    return index;
}

NodeIndex Parser::parse_primary() {
    Token const token = m_current;
    switch (token.kind) {
    case TokenKind::Number: {
        if (token.too_large || token.number >= MaxPositive) {
            error_here("a number of at most 9223372036854775807 (-9223372036854775808 is written with its minus)");
            return 0;
        }
        advance();
        NodeIndex const index = node(NodeKind::Number, token.position);
        if (index != 0) m_tree[index].value = static_cast<i64>(token.number);
        return index;
    }
    case TokenKind::True:
    case TokenKind::False: {
        advance();
        NodeIndex const index = node(NodeKind::Truth, token.position);
        if (index != 0) m_tree[index].value = token.kind == TokenKind::True ? 1 : 0;
        return index;
    }
    case TokenKind::Text: {
        advance();
        NodeIndex const index = node(NodeKind::Text, token.position);
        if (index != 0) {
            m_tree[index].name_offset = token.offset + 1;
            m_tree[index].name_length = token.length - 2;
        }
        return index;
    }
    case TokenKind::Name:
        advance();
        if (m_current.kind == TokenKind::LeftParen) return parse_call(token);
        return with_name(node(NodeKind::Variable, token.position), token);
    case TokenKind::LeftParen: {
        advance();
        if (!enter()) return 0;
        NodeIndex const inner = parse_expression();
        leave();
        if (inner == 0) return 0;
        if (!expect(TokenKind::RightParen, "to close '('")) return 0;
        return inner;
    }
    default: error_here("an expression (a number, a name, 'true', 'false', a text or '(')"); return 0;
    }
}

NodeIndex Parser::parse_call(Token name) {
    advance(); // '('
    if (!enter()) return 0;
    NodeList arguments;
    i64 count = 0;
    u32 depth = 1;
    if (m_current.kind != TokenKind::RightParen) {
        for (;;) {
            NodeIndex const argument = parse_expression();
            if (argument == 0) {
                leave();
                return 0;
            }
            if (m_tree[argument].depth + 1 > depth) depth = m_tree[argument].depth + 1;
            arguments.append(m_tree, argument);
            ++count;
            if (!accept(TokenKind::Comma)) break;
        }
    }
    leave();
    if (!expect(TokenKind::RightParen, "after the arguments (or ',' before another)")) return 0;
    NodeIndex const index = with_name(node(NodeKind::Call, name.position, arguments.first), name);
    if (index == 0) return 0;
    m_tree[index].value = count;
    m_tree[index].depth = depth;
    return index;
}

} // namespace grove::forge
