#pragma once
#include <forge/syntax_tree.hpp>
#include <forge/x86_encoder.hpp>

namespace grove::forge {

// The generator's tables: large, so they live with the Compiler rather than on the stack of the one who
// generates.
struct GeneratorTables {
    struct Binding {
        u32 name_offset;
        u32 name_length;
        i32 displacement; // from rbp
        bool is_mutable;
        bool is_truth;
    };
    struct Chant {
        u32 name_offset;
        u32 name_length;
        u32 parameters;
        NodeIndex node;
        usize offset;      // of its code, once generated
        bool yields_truth; // every `yield` of it gives a truth (true, false, a comparison...): it prints as one
    };
    struct CallSite {
        usize displacement; // the call's rel32
        u32 chant;          // index into chants, or CodeGenerator's PrintNumber
    };
    Binding bindings[MaxBindings]{};
    Chant chants[MaxChants]{};
    CallSite calls[MaxCallSites]{};
    usize pending[MaxOpenKeys]{}; // the jumps to the end of the `match`es being generated
};

// Compiles a parsed program to x86_64 machine code with a stack-machine scheme: every expression leaves its value
// in rax, an operator's left operand waits on the stack while the right one is computed. Names live in the
// frame: a chant's arguments above rbp (pushed left to right by the caller, who also removes them), its names
// below rbp, one slot each, never reused; the top-level statements run in _start's own frame.
//
// The code starts with _start (the top level, then the printing of its last expression's value, then Exit 0),
// followed by the number printer and the chants in their order in the source. Texts go to `texts`, which the
// image puts at TextsAddress. The program talks to the kernel by the syscall ABI (core/abi/syscall.hpp): `int
// 0x80`, the number in rax, the arguments in rdi and rsi. Division by zero and the one overflowing division
// (-9223372036854775808 / -1) fault with #DE, which ends the grove as any fault does.
//
// Errors (unknown names, wrong argument counts, `set` of a `bind`, a program too large for the limits) go to
// `diagnostics`; generate() returns false when there is any.
class CodeGenerator {
public:
    CodeGenerator(char const* source, SyntaxTree const& tree, Diagnostics& diagnostics, GeneratorTables& tables,
                  u8* code, u8* texts);
    bool generate(NodeIndex program);
    usize code_size() const { return m_code.size(); }
    usize texts_size() const { return m_texts_size; }

private:
    using Binding = GeneratorTables::Binding;
    using Chant = GeneratorTables::Chant;
    using CallSite = GeneratorTables::CallSite;
    static constexpr u32 PrintNumber = ~u32{0};
    enum class Builtin : u8 { None, Print, Sleep, Exit };

    void collect_chants(NodeIndex program);
    void infer_chant_results();
    bool yields_only_truths(NodeIndex first, bool& any) const;
    void generate_chant(Chant& chant);
    void generate_print_number();
    void generate_block(NodeIndex first);
    void generate_statement(NodeIndex index);
    void generate_expression(NodeIndex index);
    void generate_binary(Node const& node);
    void generate_call(Node const& node);
    void generate_builtin(Builtin builtin, Node const& node);
    void print_value(NodeIndex expression); // the value in rax, as the expression's type prints
    void print_text(char const* bytes, usize length);
    void epilogue();
    usize prologue(); // returns the offset of the frame size's imm32
    bool is_truth(NodeIndex index) const;
    Builtin builtin_of(Node const& node) const;

    i32 new_slot();
    Binding const* find_binding(u32 offset, u32 length) const;
    Chant const* find_chant(u32 offset, u32 length) const;
    bool add_binding(Node const& node, i32 displacement, bool is_mutable, bool is_truth);
    u64 add_text(char const* bytes, usize length); // its address, or 0 when the texts are full
    bool same_name(u32 a_offset, u32 a_length, u32 b_offset, u32 b_length) const;
    bool name_is(Node const& node, char const* name) const;
    enum class Name : u8 { Without, With };
    static constexpr u64 NoNumber = ~u64{0};
    // Reports an error at `node`: `before`, the node's name quoted (Name::With), `after`, then `first` and `between`
    // and `second` when given. Out of line and cold, so that the recursive generators' frames hold no message: their
    // depth is bounded (MaxNesting, MaxExpressionDepth) and so must their size be, on a grove's stack.
    [[gnu::noinline, gnu::cold]] void report(Node const& node, char const* before, Name name, char const* after,
                                             u64 first = NoNumber, char const* between = "", u64 second = NoNumber);
    // Records a call's rel32 for patching once every chant is placed; false (and reported) past MaxCallSites.
    bool record_call(Node const& node, usize displacement, u32 chant);

    char const* m_source;
    SyntaxTree const& m_tree;
    Diagnostics& m_diagnostics;
    x86::Encoder m_code;
    u8* m_texts;
    usize m_texts_size = 0;
    Binding* m_bindings;
    usize m_binding_count = 0;
    Chant* m_chants;
    usize m_chant_count = 0;
    CallSite* m_calls;
    usize m_call_count = 0;
    usize* m_pending;
    usize m_pending_count = 0;
    u32 m_slots = 0; // of the function being generated
    bool m_too_large = false;
    u64 m_true_text = 0;
    u64 m_false_text = 0;
};

} // namespace grove::forge
