#include <forge/code_generator.hpp>

#include <core/abi/syscall.hpp>
#include <forge/image_layout.hpp>
#include <forge/lexer.hpp>

namespace grove::forge {

namespace {

using x86::Arithmetic;
using x86::Condition;
using x86::Register;

constexpr u64 NanosecondsPerMillisecond = 1'000'000;

u64 syscall_number(abi::Syscall s) { return static_cast<u64>(s); }

Condition condition_of(BinaryOp op) {
    switch (op) {
    case BinaryOp::Equal: return Condition::Equal;
    case BinaryOp::NotEqual: return Condition::NotEqual;
    case BinaryOp::Less: return Condition::Less;
    case BinaryOp::LessEqual: return Condition::LessOrEqual;
    case BinaryOp::Greater: return Condition::Greater;
    default: return Condition::GreaterOrEqual;
    }
}

bool is_comparison(BinaryOp op) { return op >= BinaryOp::Equal && op <= BinaryOp::GreaterEqual; }

} // namespace

CodeGenerator::CodeGenerator(char const* source, SyntaxTree const& tree, Diagnostics& diagnostics,
                             GeneratorTables& tables, u8* code, u8* texts)
    : m_source(source), m_tree(tree), m_diagnostics(diagnostics), m_code(code, MaxCodeBytes), m_texts(texts),
      m_bindings(tables.bindings), m_chants(tables.chants), m_calls(tables.calls), m_pending(tables.pending) {}

bool CodeGenerator::same_name(u32 a_offset, u32 a_length, u32 b_offset, u32 b_length) const {
    return a_length == b_length && equal_bytes(m_source + a_offset, m_source + b_offset, a_length);
}

bool CodeGenerator::name_is(Node const& node, char const* name) const {
    usize const n = string_length(name);
    return node.name_length == n && equal_bytes(m_source + node.name_offset, name, n);
}

void CodeGenerator::report(Node const& node, char const* before, Name name, char const* after, u64 first,
                           char const* between, u64 second) {
    MessageBuilder message;
    message.text(before);
    if (name == Name::With) message.quoted(m_source + node.name_offset, node.name_length);
    message.text(after);
    if (first != NoNumber) message.number(first).text(between);
    if (second != NoNumber) message.number(second);
    m_diagnostics.add(node.position, message);
}

bool CodeGenerator::record_call(Node const& node, usize displacement, u32 chant) {
    if (m_call_count == MaxCallSites) {
        report(node, "more than ", Name::Without, "", MaxCallSites, " calls");
        return false;
    }
    m_calls[m_call_count++] = CallSite{displacement, chant};
    return true;
}

CodeGenerator::Builtin CodeGenerator::builtin_of(Node const& node) const {
    if (name_is(node, "print")) return Builtin::Print;
    if (name_is(node, "sleep")) return Builtin::Sleep;
    if (name_is(node, "exit")) return Builtin::Exit;
    return Builtin::None;
}

u64 CodeGenerator::add_text(char const* bytes, usize length) {
    if (m_texts_size + length > MaxTextBytes) return 0;
    u64 const address = TextsAddress + m_texts_size;
    copy_bytes(m_texts + m_texts_size, bytes, length);
    m_texts_size += length;
    return address;
}

i32 CodeGenerator::new_slot() {
    ++m_slots;
    return -static_cast<i32>(8 * m_slots);
}

GeneratorTables::Binding const* CodeGenerator::find_binding(u32 offset, u32 length) const {
    for (usize i = m_binding_count; i > 0; --i) {
        Binding const& b = m_bindings[i - 1];
        if (same_name(b.name_offset, b.name_length, offset, length)) return &b;
    }
    return nullptr;
}

GeneratorTables::Chant const* CodeGenerator::find_chant(u32 offset, u32 length) const {
    for (usize i = 0; i < m_chant_count; ++i)
        if (same_name(m_chants[i].name_offset, m_chants[i].name_length, offset, length)) return &m_chants[i];
    return nullptr;
}

bool CodeGenerator::add_binding(Node const& node, i32 displacement, bool is_mutable, bool is_truth) {
    if (m_binding_count == MaxBindings) {
        report(node, "more than ", Name::Without, "", MaxBindings, " names in scope at once");
        return false;
    }
    m_bindings[m_binding_count++] = Binding{node.name_offset, node.name_length, displacement, is_mutable, is_truth};
    return true;
}

bool CodeGenerator::is_truth(NodeIndex index) const {
    Node const& node = m_tree[index];
    switch (node.kind) {
    case NodeKind::Truth:
    case NodeKind::Not: return true;
    case NodeKind::Binary: return node.op == BinaryOp::And || node.op == BinaryOp::Or || is_comparison(node.op);
    case NodeKind::Variable: {
        Binding const* b = find_binding(node.name_offset, node.name_length);
        return b != nullptr && b->is_truth;
    }
    case NodeKind::Call: {
        Chant const* chant = find_chant(node.name_offset, node.name_length);
        return chant != nullptr && chant->yields_truth;
    }
    default: return false;
    }
}

void CodeGenerator::collect_chants(NodeIndex program) {
    for (NodeIndex i = program; i != 0; i = m_tree[i].next) {
        Node const& node = m_tree[i];
        if (node.kind != NodeKind::Chant) continue;
        if (builtin_of(node) != Builtin::None) {
            report(node, "a chant cannot be called ", Name::With, ": that name is a built-in (print, sleep, exit)");
            continue;
        }
        if (find_chant(node.name_offset, node.name_length) != nullptr) {
            report(node, "a second chant called ", Name::With, ": chant names are unique");
            continue;
        }
        if (m_chant_count == MaxChants) {
            report(node, "more than ", Name::Without, "", MaxChants, " chants");
            return;
        }
        if (node.value > static_cast<i64>(MaxParameters)) {
            report(node, "the chant ", Name::With, " has too many parameters: at most ", MaxParameters);
            continue;
        }
        m_chants[m_chant_count++] = Chant{node.name_offset, node.name_length, static_cast<u32>(node.value), i, 0, true};
    }
    infer_chant_results();
}

// Whether every `yield` in these statements (and the blocks inside them) gives a truth; `any` is set when there is
// one. Names count as numbers here (their types are known only while generating).
bool CodeGenerator::yields_only_truths(NodeIndex first, bool& any) const {
    for (NodeIndex i = first; i != 0; i = m_tree[i].next) {
        Node const& node = m_tree[i];
        switch (node.kind) {
        case NodeKind::Yield:
            any = true;
            if (!is_truth(node.first)) return false;
            break;
        case NodeKind::Should:
            if (!yields_only_truths(node.second, any) || !yields_only_truths(node.third, any)) return false;
            break;
        case NodeKind::Whilst:
            if (!yields_only_truths(node.second, any)) return false;
            break;
        case NodeKind::ForEach:
        case NodeKind::Match:
            if (!yields_only_truths(node.third, any)) return false;
            if (node.kind == NodeKind::Match)
                for (NodeIndex arm = node.second; arm != 0; arm = m_tree[arm].next)
                    if (!yields_only_truths(m_tree[arm].first, any)) return false;
            break;
        default: break;
        }
    }
    return true;
}

// A chant's result prints as a truth when all its yields give truths, calls of chants counting as what those
// chants give: the largest such set, found by starting from every chant and striking out until nothing changes
// (so mutually recursive predicates stay truths).
void CodeGenerator::infer_chant_results() {
    for (bool changed = true; changed;) {
        changed = false;
        for (usize i = 0; i < m_chant_count; ++i) {
            if (!m_chants[i].yields_truth) continue;
            bool any = false;
            if (yields_only_truths(m_tree[m_chants[i].node].second, any) && any) continue;
            m_chants[i].yields_truth = false;
            changed = true;
        }
    }
}

usize CodeGenerator::prologue() {
    m_code.push(Register::Rbp);
    m_code.mov(Register::Rbp, Register::Rsp);
    m_slots = 0;
    return m_code.arithmetic_immediate32(Arithmetic::Subtract, Register::Rsp, 0);
}

void CodeGenerator::epilogue() {
    m_code.mov(Register::Rsp, Register::Rbp);
    m_code.pop(Register::Rbp);
    m_code.ret();
}

bool CodeGenerator::generate(NodeIndex program) {
    m_true_text = add_text("true\n", 5);
    m_false_text = add_text("false\n", 6);
    collect_chants(program);

    // _start: the top level in a frame of its own (rsp is 16-byte aligned at entry; nothing needs it aligned).
    usize const frame = prologue();
    NodeIndex last = 0;
    for (NodeIndex i = program; i != 0; i = m_tree[i].next) {
        if (m_tree[i].kind == NodeKind::Chant) continue;
        generate_statement(i);
        last = i;
    }
    if (last != 0 && m_tree[last].kind == NodeKind::Expression) {
        Node const& value = m_tree[m_tree[last].first];
        bool const is_builtin = value.kind == NodeKind::Call && builtin_of(value) != Builtin::None;
        if (!is_builtin) print_value(m_tree[last].first);
    }
    m_code.mov_immediate(Register::Rdi, 0);
    m_code.mov_immediate(Register::Rax, syscall_number(abi::Syscall::Exit));
    m_code.interrupt(abi::SyscallVector);
    m_code.ud2();
    m_code.patch_u32(frame, ((m_slots * 8) + 15) & ~u32{15});
    m_binding_count = 0;

    usize const print_number = m_code.size();
    generate_print_number();
    for (usize i = 0; i < m_chant_count; ++i) generate_chant(m_chants[i]);

    for (usize i = 0; i < m_call_count; ++i) {
        CallSite const& call = m_calls[i];
        m_code.patch(call.displacement, call.chant == PrintNumber ? print_number : m_chants[call.chant].offset);
    }
    if (m_code.is_full() && !m_too_large) {
        m_too_large = true;
        m_diagnostics.add(Position{}, MessageBuilder{}
                                          .text("the program's machine code exceeds ")
                                          .number(MaxCodeBytes)
                                          .text(" bytes: it is too large to compile"));
    }
    return m_diagnostics.is_empty();
}

// print_number: prints rax as a signed decimal and a newline (ConsoleWrite), from the end of the data buffer
// backwards. The magnitude is divided unsigned, so -9223372036854775808 (whose negation is itself) prints right.
void CodeGenerator::generate_print_number() {
    m_code.mov_immediate(Register::Rcx, DataAddress + DataBytes - 1);
    m_code.store_byte_immediate(Register::Rcx, 0, '\n');
    m_code.mov(Register::R8, Register::Rax);
    m_code.test(Register::Rax, Register::Rax);
    usize const positive = m_code.jump_if(Condition::NotSign);
    m_code.neg(Register::Rax);
    m_code.patch(positive, m_code.size());
    m_code.mov_immediate(Register::R9, 10);
    usize const digit = m_code.size();
    m_code.dec(Register::Rcx);
    m_code.arithmetic(Arithmetic::Xor, Register::Rdx, Register::Rdx);
    m_code.div(Register::R9);
    m_code.add_byte_immediate(Register::Rdx, '0');
    m_code.store_byte(Register::Rcx, 0, Register::Rdx);
    m_code.test(Register::Rax, Register::Rax);
    m_code.jump_if(Condition::NotEqual, digit);
    m_code.test(Register::R8, Register::R8);
    usize const unsigned_done = m_code.jump_if(Condition::NotSign);
    m_code.dec(Register::Rcx);
    m_code.store_byte_immediate(Register::Rcx, 0, '-');
    m_code.patch(unsigned_done, m_code.size());
    m_code.mov_immediate(Register::Rsi, DataAddress + DataBytes);
    m_code.arithmetic(Arithmetic::Subtract, Register::Rsi, Register::Rcx);
    m_code.mov(Register::Rdi, Register::Rcx);
    m_code.mov_immediate(Register::Rax, syscall_number(abi::Syscall::ConsoleWrite));
    m_code.interrupt(abi::SyscallVector);
    m_code.ret();
}

void CodeGenerator::generate_chant(Chant& chant) {
    Node const& node = m_tree[chant.node];
    chant.offset = m_code.size();
    usize const frame = prologue();
    m_binding_count = 0;
    u32 index = 0;
    for (NodeIndex p = node.first; p != 0; p = m_tree[p].next, ++index) {
        Node const& parameter = m_tree[p];
        for (NodeIndex q = node.first; q != p; q = m_tree[q].next)
            if (same_name(m_tree[q].name_offset, m_tree[q].name_length, parameter.name_offset, parameter.name_length))
                report(parameter, "a second parameter called ", Name::With, " in this chant");
        add_binding(parameter, static_cast<i32>(16 + 8 * (chant.parameters - 1 - index)), false, false);
    }
    generate_block(node.second);
    m_code.mov_immediate(Register::Rax, 0); // a chant that ends without `yield` gives 0
    epilogue();
    m_code.patch_u32(frame, ((m_slots * 8) + 15) & ~u32{15});
    m_binding_count = 0;
}

void CodeGenerator::generate_block(NodeIndex first) {
    usize const scope = m_binding_count;
    for (NodeIndex i = first; i != 0; i = m_tree[i].next) generate_statement(i);
    m_binding_count = scope;
}

void CodeGenerator::generate_statement(NodeIndex index) {
    Node const& node = m_tree[index];
    switch (node.kind) {
    case NodeKind::Expression: generate_expression(node.first); return;
    case NodeKind::Bind:
    case NodeKind::Weave: {
        generate_expression(node.first);
        i32 const slot = new_slot();
        m_code.store(Register::Rbp, slot, Register::Rax);
        add_binding(node, slot, node.kind == NodeKind::Weave, is_truth(node.first));
        return;
    }
    case NodeKind::Set: {
        Binding const* b = find_binding(node.name_offset, node.name_length);
        if (b == nullptr) {
            report(node, "unknown name ", Name::With, ": expected a name given by 'weave' before");
            return;
        }
        if (!b->is_mutable) {
            report(node, "cannot set ", Name::With, ": it was given by 'bind' or is a parameter (use 'weave')");
            return;
        }
        generate_expression(node.first);
        m_code.store(Register::Rbp, b->displacement, Register::Rax);
        return;
    }
    case NodeKind::Should: {
        generate_expression(node.first);
        m_code.test(Register::Rax, Register::Rax);
        usize const to_otherwise = m_code.jump_if(Condition::Equal);
        generate_block(node.second);
        if (node.third == 0) {
            m_code.patch(to_otherwise, m_code.size());
            return;
        }
        usize const to_end = m_code.jump();
        m_code.patch(to_otherwise, m_code.size());
        generate_block(node.third);
        m_code.patch(to_end, m_code.size());
        return;
    }
    case NodeKind::Whilst: {
        usize const top = m_code.size();
        generate_expression(node.first);
        m_code.test(Register::Rax, Register::Rax);
        usize const to_end = m_code.jump_if(Condition::Equal);
        generate_block(node.second);
        m_code.jump(top);
        m_code.patch(to_end, m_code.size());
        return;
    }
    case NodeKind::ForEach: {
        // The bounds are computed once, before the loop, in that order; the name is counted in a slot of its own.
        generate_expression(node.first);
        i32 const counter = new_slot();
        m_code.store(Register::Rbp, counter, Register::Rax);
        generate_expression(node.second);
        i32 const limit = new_slot();
        m_code.store(Register::Rbp, limit, Register::Rax);
        usize const top = m_code.size();
        m_code.load(Register::Rax, Register::Rbp, counter);
        m_code.load(Register::Rcx, Register::Rbp, limit);
        m_code.arithmetic(Arithmetic::Compare, Register::Rax, Register::Rcx);
        usize const to_end = m_code.jump_if(Condition::GreaterOrEqual);
        usize const scope = m_binding_count;
        add_binding(node, counter, false, false);
        generate_block(node.third);
        m_binding_count = scope;
        m_code.load(Register::Rax, Register::Rbp, counter);
        m_code.arithmetic_immediate(Arithmetic::Add, Register::Rax, 1);
        m_code.store(Register::Rbp, counter, Register::Rax);
        m_code.jump(top);
        m_code.patch(to_end, m_code.size());
        return;
    }
    case NodeKind::Match: {
        generate_expression(node.first);
        i32 const value = new_slot();
        m_code.store(Register::Rbp, value, Register::Rax);
        usize const first_end = m_pending_count;
        for (NodeIndex arm = node.second; arm != 0; arm = m_tree[arm].next) {
            m_code.load(Register::Rax, Register::Rbp, value);
            m_code.mov_immediate(Register::Rcx, static_cast<u64>(m_tree[arm].value));
            m_code.arithmetic(Arithmetic::Compare, Register::Rax, Register::Rcx);
            usize const to_next = m_code.jump_if(Condition::NotEqual);
            generate_block(m_tree[arm].first);
            usize const to_end = m_code.jump();
            if (m_pending_count == MaxOpenKeys)
                report(m_tree[arm], "more than ", Name::Without, "", MaxOpenKeys, " keys of 'match' open at once");
            else m_pending[m_pending_count++] = to_end;
            m_code.patch(to_next, m_code.size());
        }
        generate_block(node.third);
        for (; m_pending_count > first_end; --m_pending_count)
            m_code.patch(m_pending[m_pending_count - 1], m_code.size());
        return;
    }
    case NodeKind::Yield:
        generate_expression(node.first);
        epilogue();
        return;
    default: return; // a chant: generated on its own
    }
}

void CodeGenerator::generate_expression(NodeIndex index) {
    Node const& node = m_tree[index];
    switch (node.kind) {
    case NodeKind::Number:
    case NodeKind::Truth: m_code.mov_immediate(Register::Rax, static_cast<u64>(node.value)); return;
    case NodeKind::Text: report(node, "a text is only printed: expected print(\"...\")", Name::Without, ""); return;
    case NodeKind::Variable: {
        Binding const* b = find_binding(node.name_offset, node.name_length);
        if (b != nullptr) {
            m_code.load(Register::Rax, Register::Rbp, b->displacement);
        } else if (find_chant(node.name_offset, node.name_length) != nullptr) {
            report(node, "", Name::With, " is a chant: call it with its arguments in parentheses");
        } else {
            report(node, "unknown name ", Name::With, ": expected a name given by 'bind', 'weave' or a parameter");
        }
        return;
    }
    case NodeKind::Negate:
        generate_expression(node.first);
        m_code.neg(Register::Rax);
        return;
    case NodeKind::Not:
        generate_expression(node.first);
        m_code.test(Register::Rax, Register::Rax);
        m_code.set(Condition::Equal, Register::Rax);
        m_code.movzx_byte(Register::Rax, Register::Rax);
        return;
    case NodeKind::Binary: generate_binary(node); return;
    case NodeKind::Call: generate_call(node); return;
    default: return;
    }
}

void CodeGenerator::generate_binary(Node const& node) {
    if (node.op == BinaryOp::And || node.op == BinaryOp::Or) {
        generate_expression(node.first);
        m_code.test(Register::Rax, Register::Rax);
        usize const skip = m_code.jump_if(node.op == BinaryOp::And ? Condition::Equal : Condition::NotEqual);
        generate_expression(node.second);
        m_code.patch(skip, m_code.size());
        m_code.test(Register::Rax, Register::Rax);
        m_code.set(Condition::NotEqual, Register::Rax);
        m_code.movzx_byte(Register::Rax, Register::Rax);
        return;
    }
    generate_expression(node.first);
    m_code.push(Register::Rax);
    generate_expression(node.second);
    m_code.mov(Register::Rcx, Register::Rax);
    m_code.pop(Register::Rax);
    switch (node.op) {
    case BinaryOp::Add: m_code.arithmetic(Arithmetic::Add, Register::Rax, Register::Rcx); return;
    case BinaryOp::Subtract: m_code.arithmetic(Arithmetic::Subtract, Register::Rax, Register::Rcx); return;
    case BinaryOp::Multiply: m_code.imul(Register::Rax, Register::Rcx); return;
    case BinaryOp::Divide:
        m_code.cqo();
        m_code.idiv(Register::Rcx);
        return;
    case BinaryOp::Remainder:
        m_code.cqo();
        m_code.idiv(Register::Rcx);
        m_code.mov(Register::Rax, Register::Rdx);
        return;
    default:
        m_code.arithmetic(Arithmetic::Compare, Register::Rax, Register::Rcx);
        m_code.set(condition_of(node.op), Register::Rax);
        m_code.movzx_byte(Register::Rax, Register::Rax);
        return;
    }
}

void CodeGenerator::generate_call(Node const& node) {
    Builtin const builtin = builtin_of(node);
    if (builtin != Builtin::None) {
        generate_builtin(builtin, node);
        return;
    }
    Chant const* chant = find_chant(node.name_offset, node.name_length);
    if (chant == nullptr) {
        report(node, "unknown chant ", Name::With, ": expected a chant defined in this program, print, sleep or exit");
        return;
    }
    if (static_cast<i64>(chant->parameters) != node.value) {
        report(node, "the chant ", Name::With, " takes ", chant->parameters, " arguments, not ",
               static_cast<u64>(node.value));
        return;
    }
    for (NodeIndex a = node.first; a != 0; a = m_tree[a].next) {
        generate_expression(a);
        m_code.push(Register::Rax);
    }
    if (!record_call(node, m_code.call(), static_cast<u32>(chant - m_chants))) return;
    if (chant->parameters > 0)
        m_code.arithmetic_immediate(Arithmetic::Add, Register::Rsp, static_cast<i32>(8 * chant->parameters));
}

void CodeGenerator::print_text(char const* bytes, usize length) {
    u64 const address = add_text(bytes, length);
    if (address == 0) {
        if (!m_too_large)
            m_diagnostics.add(Position{},
                              MessageBuilder{}.text("the program's texts exceed ").number(MaxTextBytes).text(" bytes"));
        m_too_large = true;
        return;
    }
    m_code.mov_immediate(Register::Rdi, address);
    m_code.mov_immediate(Register::Rsi, length);
    m_code.mov_immediate(Register::Rax, syscall_number(abi::Syscall::ConsoleWrite));
    m_code.interrupt(abi::SyscallVector);
}

void CodeGenerator::print_value(NodeIndex expression) {
    if (!is_truth(expression)) {
        record_call(m_tree[expression], m_code.call(), PrintNumber);
        return;
    }
    m_code.test(Register::Rax, Register::Rax);
    usize const to_false = m_code.jump_if(Condition::Equal);
    m_code.mov_immediate(Register::Rdi, m_true_text);
    m_code.mov_immediate(Register::Rsi, 5);
    usize const to_write = m_code.jump();
    m_code.patch(to_false, m_code.size());
    m_code.mov_immediate(Register::Rdi, m_false_text);
    m_code.mov_immediate(Register::Rsi, 6);
    m_code.patch(to_write, m_code.size());
    m_code.mov_immediate(Register::Rax, syscall_number(abi::Syscall::ConsoleWrite));
    m_code.interrupt(abi::SyscallVector);
}

void CodeGenerator::generate_builtin(Builtin builtin, Node const& node) {
    if (node.value != 1) {
        report(node, "", Name::With, " takes 1 argument, not ", static_cast<u64>(node.value));
        return;
    }
    Node const& argument = m_tree[node.first];
    switch (builtin) {
    case Builtin::Print:
        if (argument.kind == NodeKind::Text) {
            char text[MaxTextLiteral + 2];
            usize const length =
                decode_text(m_source + argument.name_offset,
                            argument.name_length < MaxTextLiteral ? argument.name_length : MaxTextLiteral, text);
            text[length] = '\n';
            print_text(text, length + 1);
        } else {
            generate_expression(node.first);
            print_value(node.first);
        }
        break;
    case Builtin::Sleep:
        generate_expression(node.first);
        m_code.mov_immediate(Register::Rcx, NanosecondsPerMillisecond);
        m_code.imul(Register::Rax, Register::Rcx);
        m_code.mov(Register::Rdi, Register::Rax);
        m_code.mov_immediate(Register::Rax, syscall_number(abi::Syscall::Sleep));
        m_code.interrupt(abi::SyscallVector);
        break;
    case Builtin::Exit:
        generate_expression(node.first);
        m_code.mov(Register::Rdi, Register::Rax);
        m_code.mov_immediate(Register::Rax, syscall_number(abi::Syscall::Exit));
        m_code.interrupt(abi::SyscallVector);
        m_code.ud2();
        break;
    case Builtin::None: break;
    }
    m_code.mov_immediate(Register::Rax, 0);
}

} // namespace grove::forge
