// forgeclient
//
// A client of runic-forge (forge_protocol.hpp): asks it to compile a factorial program, receives the image by
// grant, checks its ELF header and spawns it as the grove `factorial` through ServiceLoad straight from the forge's
// grant (the kernel copies the bytes and validates them with the loader every image goes through); the new grove
// prints 3628800 and exits 0, which this client sees in its status. Then a source with errors, whose errors come
// back with their lines and columns, a source as deep as the forge's limits allow, and two malformed requests,
// each refused. Exits 0 when every answer was the expected one, 1 otherwise (saying which).
#include <groves/programs/forge_protocol.hpp>

using namespace grove;
using namespace grove::rt;
using forge_protocol::CompileRequest;
using forge_protocol::CompileResponse;

namespace {

constexpr char const Factorial[] = "# the factorial of 10\n"
                                   "chant factorial(n) then\n"
                                   "    should n at most 1 then\n"
                                   "        yield 1\n"
                                   "    otherwise\n"
                                   "        yield n * factorial(n - 1)\n"
                                   "    end\n"
                                   "end\n"
                                   "factorial(10)\n";
constexpr char const Broken[] = "bind x to 1\n"
                                "should x is 1\n"
                                "    print(x)\n"
                                "end\n"
                                "weave y 5\n";
constexpr char const* Spawned = "factorial";

u64 g_forge = 0;
u32 g_forge_id = 0;
bool g_failed = false;
u8 g_image[64 * 1024];
char g_errors[4096];
char g_deep[2048];

void expect(char const* what, bool ok) {
    print("forgeclient: %s: %s\n", what, ok ? "as expected" : "NOT as expected");
    g_failed = g_failed || !ok;
}

CompileResponse call(CompileRequest const& r, u32 tag = forge_protocol::TagCompile) {
    abi::Message message{};
    message.header.tag = tag;
    set_payload(message, r);
    abi::Message reply{};
    long const called = sys_call(g_forge, &message, &reply, abi::WaitForever);
    if (called < 0) return CompileResponse{called, 0, 0, 0, 0};
    g_forge_id = reply.header.sender;
    return payload_of<CompileResponse>(reply);
}

CompileRequest request(char const* name, u64 grant, u64 length) {
    CompileRequest r{};
    r.source_grant = grant;
    r.source_length = length;
    r.name_length = static_cast<u8>(strlen(name));
    memcpy(r.name, name, r.name_length);
    return r;
}

// Compiles `source` (granted to the forge for this request only).
CompileResponse compile(char const* name, char const* source, usize length) {
    long const grant = sys_grant_create(source, length, g_forge_id, abi::GrantRead);
    if (grant < 0) return CompileResponse{grant, 0, 0, 0, 0};
    CompileResponse const response = call(request(name, static_cast<u64>(grant), length));
    sys_grant_revoke(static_cast<u64>(grant));
    return response;
}

void set_text(abi::ServiceText& t, char const* text) {
    t = abi::ServiceText{};
    t.length = static_cast<u8>(strlen(text));
    memcpy(t.text, text, t.length);
}

bool contains(char const* text, char const* part) {
    usize const n = strlen(part);
    for (usize left = strlen(text); left >= n; --left, ++text)
        if (memcmp(text, part, n) == 0) return true;
    return false;
}

bool is_elf(u8 const* bytes, u64 length) {
    return length >= 64 && bytes[0] == 0x7f && bytes[1] == 'E' && bytes[2] == 'L' && bytes[3] == 'F' && bytes[4] == 2 &&
           bytes[18] == 62; // ELFCLASS64, EM_X86_64
}

// Spawns the image the forge granted as `Spawned`, and waits for it to end: its final status.
long spawn(CompileResponse const& compiled) {
    abi::ServiceSpec spec{};
    spec.grant = compiled.grant;
    spec.image_length = compiled.length;
    spec.memory = 512 * 1024;
    spec.threads = 1;
    spec.cpu_percent = 50;
    spec.respawn = static_cast<u8>(abi::ServiceRespawn::Never);
    set_text(spec.name, Spawned);
    long const id = sys_service_load(&spec);
    if (id < 0) return id;
    for (int i = 0; i < 100; ++i) {
        sys_sleep(1'000'000);
        long const status = sys_service_status(Spawned, strlen(Spawned)).value;
        if (status != static_cast<long>(abi::GroveStatus::Running) &&
            status != static_cast<long>(abi::GroveStatus::Loading))
            return status;
    }
    return -abi::StatusTimedOut;
}

} // namespace

int main(int argc, char** argv) {
    if (argc > 1) usage("forgeclient");
    (void)argv;
    long const handle = sys_lookup(forge_protocol::ServiceName, strlen(forge_protocol::ServiceName));
    if (handle < 0) {
        print("forgeclient: no runic-forge: %s\n", status_name(handle));
        return 1;
    }
    g_forge = static_cast<u64>(handle);

    // A request without a source: refused, and the reply names the forge's grove id for the grants that follow.
    CompileResponse const empty = call(request("empty", 0, 0));
    expect("a request without a source is refused", empty.status == -abi::StatusInvalidArgument);

    CompileResponse const compiled = compile("factorial", Factorial, sizeof Factorial - 1);
    expect("factorial compiles", compiled.status == 0 && compiled.success == 1);
    if (compiled.status != 0 || compiled.success != 1 || compiled.length > sizeof g_image) return 1;
    long const copied = sys_grant_copy_from(compiled.grant, 0, g_image, compiled.length);
    print("forgeclient: received an image of %lu bytes\n", compiled.length);
    expect("the image is an x86_64 ELF64 file", copied >= 0 && is_elf(g_image, compiled.length));
    long const ended = spawn(compiled);
    expect("factorial spawned, ran and exited 0", ended == static_cast<long>(abi::GroveStatus::Stopped));

    CompileResponse const broken = compile("broken", Broken, sizeof Broken - 1);
    expect("a source with errors is answered with them", broken.status == 0 && broken.success == 0);
    if (broken.status == 0 && broken.length < sizeof g_errors &&
        sys_grant_copy_from(broken.grant, 0, g_errors, broken.length) >= 0) {
        g_errors[broken.length] = '\0';
        print("%s", g_errors);
        expect("the errors name their lines and columns",
               contains(g_errors, "broken:3:5: error: ") && contains(g_errors, "broken:5:9: error: "));
    }

    // As deep as the forge takes: 31 parentheses around 190 additions (forge/limits.hpp), which its stack must hold.
    usize length = 0;
    for (int i = 0; i < 31; ++i) g_deep[length++] = '(';
    g_deep[length++] = '1';
    for (int i = 0; i < 190; ++i) {
        memcpy(g_deep + length, " + 1", 4);
        length += 4;
    }
    for (int i = 0; i < 31; ++i) g_deep[length++] = ')';
    g_deep[length++] = '\n';
    CompileResponse const deep = compile("deep", g_deep, length);
    expect("the deepest source the forge takes compiles", deep.status == 0 && deep.success == 1);

    CompileRequest level = request("levels", 0, 1);
    level.optimisation = 3;
    expect("an optimisation level the forge lacks is refused", call(level).status == -abi::StatusInvalidArgument);
    return g_failed ? 1 : 0;
}
