// runic_forge
//
// The Runic Forge as a service (forge_protocol.hpp): compiles the Glimmer-Weave sources its clients grant it with the
// compiler library of forge/, built freestanding into this grove, and grants back the image or the errors. One
// compiler, one source buffer and one result at a time: a request revokes the previous result's grant.
#include <forge/compiler.hpp>
#include <groves/programs/forge_protocol.hpp>
#include <groves/runtime/serve.hpp>

#include <new>

using namespace grove;
using namespace grove::rt;
using forge_protocol::CompileRequest;
using forge_protocol::CompileResponse;

namespace {

alignas(forge::Compiler) u8 g_compiler_storage[sizeof(forge::Compiler)];
forge::Compiler* g_compiler = nullptr;
char g_source[forge::MaxSourceBytes];
char g_errors[4096];
long g_result_grant = -1;

CompileResponse refused(long status) { return CompileResponse{status, 0, 0, 0, 0}; }

bool is_name(CompileRequest const& r) {
    if (r.name_length == 0 || r.name_length > forge_protocol::MaxNameLength) return false;
    for (usize i = 0; i < r.name_length; ++i) {
        char const c = r.name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) return false;
    }
    return true;
}

// The request's name with its NUL. The caller checked it with is_name.
struct Name {
    char text[forge_protocol::MaxNameLength + 1]{};
};
Name name_of(CompileRequest const& r) {
    Name n;
    memcpy(n.text, r.name, r.name_length);
    return n;
}

// The errors as text, one line each, as many as fit.
usize error_text(CompileRequest const& r) {
    Name const name = name_of(r);
    forge::Diagnostics const& errors = g_compiler->diagnostics();
    usize length = 0;
    for (usize i = 0; i < errors.count(); ++i) {
        char line[256];
        usize n = format_string(line, sizeof line, "%s:%u:%u: error: %s\n", name.text, errors[i].position.line,
                                errors[i].position.column, errors[i].message);
        if (n >= sizeof line) n = sizeof line - 1; // cut off, as the formatter wrote it
        if (length + n > sizeof g_errors) break;
        memcpy(g_errors + length, line, n);
        length += n;
    }
    return length;
}

CompileResponse compile(CompileRequest const& r, u32 client) {
    if (g_result_grant >= 0) {
        sys_grant_revoke(static_cast<u64>(g_result_grant));
        g_result_grant = -1;
    }
    if (r.source_length == 0 || r.source_length > forge::MaxSourceBytes || r.optimisation != 0 || !is_name(r))
        return refused(-abi::StatusInvalidArgument);
    long const copied = sys_grant_copy_from(r.source_grant, 0, g_source, r.source_length);
    if (copied < 0) return refused(copied);

    bool const success = g_compiler->compile(g_source, r.source_length);
    void const* result = g_errors;
    usize length = 0;
    if (success) {
        result = g_compiler->image().data;
        length = g_compiler->image().size;
        print("runic-forge: %s: %lu bytes of source, an image of %lu bytes\n", name_of(r).text, r.source_length,
              length);
    } else {
        length = error_text(r);
        print("runic-forge: %s: %lu errors\n", name_of(r).text, g_compiler->diagnostics().count());
    }
    long const grant = sys_grant_create(result, length, client, abi::GrantRead);
    if (grant < 0) return refused(grant);
    g_result_grant = grant;
    return CompileResponse{0, success ? 1u : 0u, static_cast<u32>(g_compiler->diagnostics().count()),
                           static_cast<u64>(grant), length};
}

} // namespace

int main(int argc, char** argv) {
    if (argc > 1) usage("runic_forge");
    (void)argv;
    g_compiler = new (g_compiler_storage) forge::Compiler();
    return serve_calls("runic-forge", [](abi::Message const& request, abi::Message& reply) {
        reply.header.tag = forge_protocol::TagCompile;
        set_payload(reply, request.header.tag == forge_protocol::TagCompile
                               ? compile(payload_of<CompileRequest>(request), request.header.sender)
                               : refused(-abi::StatusInvalidArgument));
    });
}
