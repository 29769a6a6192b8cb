// spawner spawn | hostile
//
// Service control from ELF bytes received by grant (ServiceLoad, core/abi/syscall.hpp). It asks the depot
// (spawn_protocol.hpp) for an image grant and spawns it as `worker` (echo, receiving from this grove).
// `spawn`: checks the worker answers a call, sees it in ServiceStatus and ServiceList, restarts it and calls the new
// incarnation, stops it, and asks for a spec with a capability this grove lacks (ThreadCreate), which must be
// refused. `hostile`: asks for what must be refused, each with its status (garbage bytes, a revoked grant, a grant
// shorter than the image, memory over its own limit, more than admission's budgets hold, a name a grove has, a
// peer "*" it may not pass on), then spawns the worker, to show that nothing was left behind. Exits 0 when every
// answer was the expected one, 1 otherwise (saying which).
#include <groves/programs/echo_protocol.hpp>
#include <groves/programs/spawn_protocol.hpp>

using namespace grove;
using namespace grove::rt;

namespace {

constexpr char const* WorkerName = "worker";
constexpr u64 Settle = 2'000'000; // ticks: 2 ms for a stop or restart to complete
u64 g_depot = 0;
bool g_failed = false;

void expect(char const* what, long seen, long wanted) {
    bool const ok = seen == wanted;
    if (seen >= 0) print("spawner: %s: %ld%s\n", what, seen, ok ? "" : ", not the expected result");
    else print("spawner: %s: %s%s\n", what, status_name(seen), ok ? "" : ", not the expected status");
    g_failed = g_failed || !ok;
}

void set_text(abi::ServiceText& t, char const* text) {
    t = abi::ServiceText{};
    t.length = static_cast<u8>(strlen(text));
    memcpy(t.text, text, t.length);
}

spawn::Offer ask_depot(u32 tag) {
    abi::Message request{};
    request.header.tag = tag;
    abi::Message reply{};
    long const called = sys_call(g_depot, &request, &reply, abi::WaitForever);
    if (called < 0) return {called, 0};
    return payload_of<spawn::Offer>(reply);
}

// The worker's spec: echo, answering this grove's calls, with limits under this grove's own.
abi::ServiceSpec worker_spec(spawn::Offer const& o, char const* name) {
    abi::ServiceSpec spec{};
    spec.grant = static_cast<u64>(o.grant);
    spec.image_length = o.length;
    spec.memory = 1024 * 1024;
    spec.threads = 1;
    spec.cpu_percent = 25;
    spec.grants = 0;
    spec.respawn = static_cast<u8>(abi::ServiceRespawn::OnFailure);
    set_text(spec.name, name);
    spec.argument_count = 1;
    set_text(spec.arguments[0], "1");
    spec.receive_count = 1;
    set_text(spec.receive_from[0], "spawner");
    return spec;
}

long load(abi::ServiceSpec const& spec) {
    long const id = sys_service_load(&spec);
    return id < 0 ? id : static_cast<long>(static_cast<u64>(id) & 0xffff'ffffu); // the serial
}

// A call to the worker, answered with the request itself: 1 when it came back intact.
long call_worker(u64 stamp) {
    long const handle = sys_lookup(WorkerName, strlen(WorkerName));
    if (handle < 0) return handle;
    abi::Message request{};
    request.header.tag = echo::TagRequest;
    set_payload(request, stamp);
    abi::Message reply{};
    long const called = sys_call(static_cast<u64>(handle), &request, &reply, 50'000'000);
    sys_handle_close(static_cast<u64>(handle));
    if (called < 0) return called;
    return payload_of<u64>(reply) == stamp ? 1 : 0;
}

long worker_status() {
    SyscallResult const r = sys_service_status(WorkerName, strlen(WorkerName));
    return r.value;
}

int spawn_and_control() {
    spawn::Offer const o = ask_depot(spawn::TagImage);
    if (o.grant < 0) {
        print("spawner: no image grant: %s\n", status_name(o.grant));
        return 1;
    }
    long const worker = load(worker_spec(o, WorkerName));
    if (worker < 0) {
        print("spawner: load failed: %s\n", status_name(worker));
        return 1;
    }
    print("spawner: %s spawned from %lu granted bytes, grove %ld\n", WorkerName, o.length, worker);
    expect("a call to the worker", call_worker(0x5eed0001), 1);
    expect("its status", worker_status(), static_cast<long>(abi::GroveStatus::Running));
    abi::ServiceRecord records[4];
    long const listed = sys_service_list(records, 4);
    expect("groves listed (itself and the worker)", listed, 2);
    for (long i = 0; i < listed && i < 4; ++i)
        print("spawner: listed %s, state %u\n", records[i].name, records[i].state);
    long const restarted = sys_service_restart(WorkerName, strlen(WorkerName));
    expect("restart", restarted < 0 ? restarted : 0, 0);
    sys_sleep(Settle);
    expect("its status after the restart", worker_status(), static_cast<long>(abi::GroveStatus::Running));
    expect("a call to the new incarnation", call_worker(0x5eed0002), 1);
    expect("stop", sys_service_stop(WorkerName, strlen(WorkerName)), 0);
    sys_sleep(Settle);
    expect("its status after the stop", worker_status(), static_cast<long>(abi::GroveStatus::Stopped));
    abi::ServiceSpec rogue = worker_spec(ask_depot(spawn::TagImage), "rogue");
    rogue.flags = 1u << 4; // ThreadCreate (core/grove/capability_kind.hpp), which this grove lacks
    expect("a spec asking for thread_create", load(rogue), -abi::StatusAccessDenied);
    return g_failed ? 1 : 0;
}

int hostile() {
    expect("garbage bytes", load(worker_spec(ask_depot(spawn::TagGarbage), "garbage")), -abi::StatusInvalidArgument);
    expect("a revoked grant", load(worker_spec(ask_depot(spawn::TagRevoked), "revoked")), -abi::StatusBadHandle);
    expect("a grant shorter than the image", load(worker_spec(ask_depot(spawn::TagShort), "short")),
           -abi::StatusInvalidArgument);
    spawn::Offer const o = ask_depot(spawn::TagImage);
    abi::ServiceSpec greedy = worker_spec(o, "greedy");
    greedy.memory = 128ull * 1024 * 1024; // over this grove's own limit
    expect("memory over the spawner's", load(greedy), -abi::StatusLimitExceeded);
    abi::ServiceSpec big = worker_spec(o, "big");
    big.memory = 48ull * 1024 * 1024; // within this grove's limit, but not what admission has left
    expect("memory admission cannot hold", load(big), -abi::StatusOverCommitted);
    expect("a name a grove has", load(worker_spec(o, spawn::DepotName)), -abi::StatusAlreadyExists);
    abi::ServiceSpec open = worker_spec(o, "open");
    open.receive_count = 1;
    set_text(open.receive_from[0], "*");
    expect("a peer it may not pass on", load(open), -abi::StatusAccessDenied);
    abi::ServiceSpec forged = worker_spec(o, "forged");
    forged.reserved[0] = 1;
    expect("reserved bytes set", load(forged), -abi::StatusInvalidArgument);
    long const worker = load(worker_spec(o, WorkerName));
    expect("the worker after all that", worker < 0 ? worker : 0, 0);
    expect("a call to the worker", call_worker(0x5eed0003), 1);
    return g_failed ? 1 : 0;
}

} // namespace

int main(int argc, char** argv) {
    char const* mode = argument(argc, argv, 1, "");
    if (argc != 2 || (!is_mode(mode, "spawn") && !is_mode(mode, "hostile"))) usage("spawner spawn|hostile");
    long const handle = lookup_service(spawn::DepotName, 100, 100'000);
    if (handle < 0) {
        print("spawner: no depot: %s\n", status_name(handle));
        return 1;
    }
    g_depot = static_cast<u64>(handle);
    return is_mode(mode, "spawn") ? spawn_and_control() : hostile();
}
