// forgeclient | forgeclient tree AT PROGRAM... | forgeclient corpus ROUNDS
//
// A client of runic-forge (forge_protocol.hpp): asks it to compile a factorial program, receives the image by
// grant, checks its ELF header and spawns it as the grove `factorial` through ServiceLoad straight from the forge's
// grant (the kernel copies the bytes and validates them with the loader every image goes through); the new grove
// prints 3628800 and exits 0, which this client sees in its status. Then a source with errors, whose errors come
// back with their lines and columns, a source as deep as the forge's limits allow, and two malformed requests,
// each refused. Exits 0 when every answer was the expected one, 1 otherwise (saying which).
// `tree AT PROGRAM...`: each PROGRAM's source is read from World-Tree (worldtree_client.hpp), the object
// /programs/PROGRAM.gw (at most 6), all before the first request, and compiled by the forge with PROGRAM as the
// output name, the first request at AT ms of virtual time (or at once when later, saying so), whatever the disk
// took, so a fault scripted inside that compilation lands there on both targets. A Call that fails because the
// forge died (PeerClosed) or is not back yet (NotFound) is retried on a new lookup after a backoff doubling from
// 0.5 ms, at most MaxAttempts times. An image must pass the
// loader's checks (core/elf), is stored in World-Tree as /groves/PROGRAM (essence Grove, one commit), read back
// from there, compared with what the forge sent, and spawned from those bytes as the grove PROGRAM through
// ServiceLoad, which must end with exit 0. A source with errors gets them back: printed as they came, one line
// each, "PROGRAM:LINE:COLUMN: error: ...". Exits 0 when every source was answered and every image ran to exit 0,
// ExitNoInput (66) when World-Tree lacks a source, 1 otherwise (saying which).
// `corpus ROUNDS`: the forge compiles every program of its corpus (tests/forge/corpus/*.gw, built into this grove)
// ROUNDS times; prints the programs, how many compiled and how many came back with errors, and the virtual time the
// Calls took in all ("forgeclient: corpus: P programs x R rounds, C compiled, E with errors, T ns"), for the
// benchmark (bench/forge_bench.cpp). Exits 0 when every request was served, 1 otherwise.
#include <core/elf/elf_image.hpp>
#include <groves/programs/forge_protocol.hpp>
#include <groves/programs/worldtree_client.hpp>

using namespace grove;
using namespace grove::rt;
using forge_protocol::CompileRequest;
using forge_protocol::CompileResponse;
namespace tree_protocol = grove::worldtree_protocol;

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
constexpr u64 SpawnMemory = 512 * 1024;
constexpr u64 LookupAttempts = 200;
constexpr u64 LookupPause = 100'000; // 0.1 ms
constexpr u64 RetryPause = 500'000;  // 0.5 ms, doubled at each attempt
constexpr u64 MaxAttempts = 6;
constexpr u64 EssenceGrove = 5;  // worldtree/format/object.hpp
constexpr u64 CommitTime = 1000; // the commit's time as this client states it: the same disk on both targets

u64 g_forge = 0;
u32 g_forge_id = 0;
bool g_failed = false;
u8 g_image[64 * 1024];
char g_errors[4096];
char g_deep[2048];
char const* g_self = "forgeclient";
tree_protocol::Client g_tree;
constexpr int MaxPrograms = 6; // a grove has at most 8 arguments: `tree`, AT and the programs
char g_sources[MaxPrograms][4096];
long g_source_lengths[MaxPrograms];
u8 g_stored[64 * 1024];

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

// Spawns the `length` bytes of `grant` (a grant to this grove with the Read right) as the grove `name`, and waits
// for it to end: its final status.
long spawn(u64 grant, u64 length, char const* name) {
    abi::ServiceSpec spec{};
    spec.grant = grant;
    spec.image_length = length;
    spec.memory = SpawnMemory;
    spec.threads = 1;
    spec.cpu_percent = 50;
    spec.respawn = static_cast<u8>(abi::ServiceRespawn::Never);
    set_text(spec.name, name);
    long const id = sys_service_load(&spec);
    if (id < 0) return id;
    for (int i = 0; i < 100; ++i) {
        sys_sleep(1'000'000);
        long const status = sys_service_status(name, strlen(name)).value;
        if (status != static_cast<long>(abi::GroveStatus::Running) &&
            status != static_cast<long>(abi::GroveStatus::Loading))
            return status;
    }
    return -abi::StatusTimedOut;
}

bool look_up_forge() {
    long const handle = lookup_service(forge_protocol::ServiceName, LookupAttempts, LookupPause);
    if (handle < 0) {
        print("forgeclient: no runic-forge: %s\n", status_name(handle));
        return false;
    }
    g_forge = static_cast<u64>(handle);
    return true;
}

bool is_gone(long status) { return status == -abi::StatusPeerClosed || status == -abi::StatusNotFound; }

// compile(), retried while the forge is gone (killed and not yet respawned): after a backoff doubling from
// RetryPause, on a new lookup, at most MaxAttempts attempts in all.
CompileResponse compile_retrying(char const* name, char const* source, usize length) {
    u64 pause = RetryPause;
    for (u64 attempt = 1;; ++attempt) {
        CompileResponse const response = compile(name, source, length);
        if (!is_gone(response.status) || attempt == MaxAttempts) return response;
        print("forgeclient: %s: the forge went away (%s): attempt %lu of %lu in %lu us\n", name,
              status_name(response.status), attempt + 1, MaxAttempts, pause / 1000);
        sys_sleep(pause);
        pause *= 2;
        sys_handle_close(g_forge);
        if (!look_up_forge()) return response;
    }
}

// The image the forge granted: passes the loader's checks, is stored in World-Tree as /groves/NAME, read back from
// there, compared, and spawned from the stored bytes as the grove NAME, which must exit 0.
void install(char const* name, CompileResponse const& compiled) {
    if (compiled.length > sizeof g_image || sys_grant_copy_from(compiled.grant, 0, g_image, compiled.length) < 0) {
        expect("the image received", false);
        return;
    }
    print("forgeclient: %s: received an image of %lu bytes\n", name, compiled.length);
    ElfResult<ImagePlan> const plan = validate_elf_image(Span<u8 const>{g_image, compiled.length}, Bytes(SpawnMemory));
    if (plan.is_error()) print("forgeclient: %s: refused by the loader: %s\n", name, elf_check_name(plan.error()));
    expect("the image passes the loader's checks", plan.has_value());
    if (plan.is_error()) return;

    char path[tree_protocol::MaxTextLength];
    char message[tree_protocol::MaxTextLength];
    format_string(path, sizeof path, "/groves/%s", name);
    format_string(message, sizeof message, "forgeclient %s compiled by runic-forge", name);
    long const commit = g_tree.write_object(path, g_image, compiled.length, EssenceGrove, message, CommitTime);
    if (commit < 0) print("forgeclient: %s: not stored: %s\n", path, status_name(commit));
    expect("the image stored in world-tree", commit > 0);
    long const stored = g_tree.read_object(path, g_stored, sizeof g_stored);
    expect("the stored image reads back byte for byte",
           stored == static_cast<long>(compiled.length) && memcmp(g_stored, g_image, compiled.length) == 0);
    if (commit < 0 || stored != static_cast<long>(compiled.length)) return;

    // ServiceLoad takes the image from a grant to the caller: this grove's own id, which service control names.
    SyscallResult const self = sys_service_status(g_self, strlen(g_self));
    long const grant = self.value < 0 ? self.value
                                      : sys_grant_create(g_stored, static_cast<usize>(stored),
                                                         static_cast<u32>(self.second), abi::GrantRead);
    long const ended = grant < 0 ? grant : spawn(static_cast<u64>(grant), static_cast<u64>(stored), name);
    if (grant >= 0) sys_grant_revoke(static_cast<u64>(grant));
    if (ended < 0) print("forgeclient: %s: %s\n", name, status_name(ended));
    expect("spawned from world-tree, ran and exited 0", ended == static_cast<long>(abi::GroveStatus::Stopped));
}

// The errors the forge granted, printed as they came, a console line each.
void report_errors(char const* name, CompileResponse const& response) {
    bool const copied =
        response.length < sizeof g_errors && sys_grant_copy_from(response.grant, 0, g_errors, response.length) >= 0;
    if (copied) {
        g_errors[response.length] = '\0';
        for (char* line = g_errors; *line != '\0';) {
            char* end = line;
            while (*end != '\0' && *end != '\n') ++end;
            bool const last = *end == '\0';
            *end = '\0';
            print("%s\n", line);
            line = last ? end : end + 1;
        }
    }
    print("forgeclient: %s: %u errors\n", name, response.error_count);
    expect("the errors received", copied && response.error_count > 0);
}

int tree(u64 compile_at, char** programs, int count) {
    long const connected = g_tree.connect(LookupAttempts, LookupPause);
    if (connected < 0) {
        print("forgeclient: no world-tree: %s\n", status_name(connected));
        return 1;
    }
    if (!look_up_forge()) return 1;
    // The reply to a request without a source names the forge's grove id, the peer of the source grants.
    expect("a request without a source is refused", call(request("empty", 0, 0)).status == -abi::StatusInvalidArgument);

    // Every source first: the drive's time (QEMU's host time on metal) is over before the first request.
    for (int p = 0; p < count; ++p) {
        char path[tree_protocol::MaxTextLength];
        format_string(path, sizeof path, "/programs/%s.gw", programs[p]);
        g_source_lengths[p] = g_tree.read_object(path, g_sources[p], sizeof g_sources[p]);
        if (g_source_lengths[p] < 0) {
            print("forgeclient: cannot read %s from world-tree: %s\n", path, status_name(g_source_lengths[p]));
            return g_source_lengths[p] == -abi::StatusNotFound ? ExitNoInput : 1;
        }
        print("forgeclient: %s: %ld bytes of source from world-tree\n", path, g_source_lengths[p]);
    }
    long const now = sys_clock();
    if (now < static_cast<long>(compile_at)) sys_sleep(compile_at - static_cast<u64>(now));
    else print("forgeclient: the sources were read only at %ld ns, after %lu ns\n", now, compile_at);

    for (int p = 0; p < count; ++p) {
        char const* name = programs[p];
        CompileResponse const response = compile_retrying(name, g_sources[p], static_cast<usize>(g_source_lengths[p]));
        if (response.status != 0) {
            print("forgeclient: %s: the forge refused: %s\n", name, status_name(response.status));
            expect("the forge served the request", false);
        } else if (response.success == 1) install(name, response);
        else report_errors(name, response);
    }
    return g_failed ? 1 : 0;
}
} // namespace

struct CorpusProgram {
    char const* name;
    char const* source;
};
constexpr CorpusProgram Corpus[] = {
#include GROVE_FORGE_CORPUS
};

int corpus(u64 rounds) {
    if (!look_up_forge()) return 1;
    (void)call(request("empty", 0, 0)); // learns the forge's grove id
    u64 compiled = 0, errors = 0;
    long const start = sys_clock();
    for (u64 round = 0; round < rounds; ++round)
        for (CorpusProgram const& program : Corpus) {
            // The output name is the program's, cut to what the protocol takes.
            char name[forge_protocol::MaxNameLength + 1]{};
            usize const length = strlen(program.name);
            memcpy(name, program.name, length < forge_protocol::MaxNameLength ? length : forge_protocol::MaxNameLength);
            CompileResponse const response = compile(name, program.source, strlen(program.source));
            if (response.status != 0) {
                print("forgeclient: corpus: %s refused: %s\n", program.name, status_name(response.status));
                return 1;
            }
            (response.success == 1 ? compiled : errors) += 1;
        }
    long const end = sys_clock();
    print("forgeclient: corpus: %lu programs x %lu rounds, %lu compiled, %lu with errors, %ld ns\n",
          sizeof Corpus / sizeof Corpus[0], rounds, compiled, errors, end - start);
    return 0;
}

int main(int argc, char** argv) {
    g_self = argv[0];
    u64 rounds = 0;
    if (argc == 3 && is_mode(argv[1], "corpus") && parse_unsigned(argv[2], rounds)) return corpus(rounds);
    u64 at_ms = 0;
    if (argc >= 4 && argc - 3 <= MaxPrograms && is_mode(argv[1], "tree") && parse_unsigned(argv[2], at_ms))
        return tree(at_ms * 1'000'000, argv + 3, argc - 3);
    if (argc > 1) usage("forgeclient | forgeclient tree AT PROGRAM... | forgeclient corpus ROUNDS");
    if (!look_up_forge()) return 1;

    // A request without a source: refused, and the reply names the forge's grove id for the grants that follow.
    CompileResponse const empty = call(request("empty", 0, 0));
    expect("a request without a source is refused", empty.status == -abi::StatusInvalidArgument);

    CompileResponse const compiled = compile("factorial", Factorial, sizeof Factorial - 1);
    expect("factorial compiles", compiled.status == 0 && compiled.success == 1);
    if (compiled.status != 0 || compiled.success != 1 || compiled.length > sizeof g_image) return 1;
    long const copied = sys_grant_copy_from(compiled.grant, 0, g_image, compiled.length);
    print("forgeclient: received an image of %lu bytes\n", compiled.length);
    expect("the image is an x86_64 ELF64 file", copied >= 0 && is_elf(g_image, compiled.length));
    long const ended = spawn(compiled.grant, compiled.length, Spawned);
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
