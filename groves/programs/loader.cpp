// loader PATH NAME LIMITS SEND RECEIVE DEVICES CONTROL [ARGS]
//
// A grove loaded from disk: reads the object PATH from World-Tree (worldtree_protocol.hpp: open, then read into a
// buffer by write grant) and spawns its bytes as grove NAME through service control (ServiceLoad, from a read grant
// of that buffer to itself), with what the scenario gave NAME. The runner and the plan compiler put a loader in for
// each grove whose image is "world-tree:PATH" (sim/scenario/disk_loader.hpp writes these arguments; the loader holds
// the grove's capabilities and limits, service_manage for NAME and itself, ipc_send to world-tree and filesystem):
//   LIMITS   memory,threads,cpu_percent,grants,respawn,respawn_limit,flags (ServiceSpec; decimal)
//   SEND     the ipc_send peers, comma-separated, or "-"
//   RECEIVE  the ipc_receive peers, likewise
//   DEVICES  "-", or comma-separated iMASK (interrupt lines), pFIRST:LAST (ports), mBASE:LENGTH (physical memory)
//   CONTROL  "-", or comma-separated wNAME (crash_watch) and sNAME (service_manage)
//   ARGS     the grove's arguments, separated by spaces
// Exits 0 once the grove is loaded and started; ExitNoInput (66) when World-Tree holds no such object; 1 when
// World-Tree cannot be reached or refuses, or ServiceLoad refuses (saying which), ExitUsage for bad arguments.
#include <groves/programs/worldtree_client.hpp>

using namespace grove;
using namespace grove::rt;
namespace proto = grove::worldtree_protocol;

namespace {

constexpr u64 LookupAttempts = 200;
constexpr u64 LookupPause = 100'000; // 0.1 ms

proto::Client g_tree;
u8 g_image[abi::MaxServiceImage];

// The next item of a `separator`-separated list at `cursor` into `out` (at most capacity - 1 bytes, then a NUL);
// false at the end of the list or for an item too long.
bool next_item(char const*& cursor, char separator, char* out, usize capacity) {
    if (*cursor == '\0') return false;
    usize length = 0;
    while (cursor[length] != '\0' && cursor[length] != separator) ++length;
    if (length == 0 || length >= capacity) return false;
    memcpy(out, cursor, length);
    out[length] = '\0';
    cursor += length + (cursor[length] == separator ? 1 : 0);
    return true;
}

bool set_text(abi::ServiceText& t, char const* text) {
    usize const length = strlen(text);
    if (length == 0 || length > sizeof t.text) return false;
    t = abi::ServiceText{};
    t.length = static_cast<u8>(length);
    memcpy(t.text, text, length);
    return true;
}

// Reads up to `capacity` names of `list` ("-": none) into `names`; false when malformed or more than capacity.
bool read_names(char const* list, abi::ServiceText* names, u8& count, u64 capacity) {
    count = 0;
    if (is_mode(list, "-")) return true;
    char item[32];
    for (char const* cursor = list; *cursor != '\0'; ++count)
        if (count == capacity || !next_item(cursor, ',', item, sizeof item) || !set_text(names[count], item))
            return false;
    return true;
}

// "A:B" into two numbers.
bool read_pair(char const* text, u64& a, u64& b) {
    char first[24];
    char const* cursor = text;
    return next_item(cursor, ':', first, sizeof first) && parse_unsigned(first, a) && parse_unsigned(cursor, b);
}

bool read_limits(char const* text, abi::ServiceSpec& spec) {
    u64 v[7];
    char item[24];
    char const* cursor = text;
    for (u64& value : v)
        if (!next_item(cursor, ',', item, sizeof item) || !parse_unsigned(item, value)) return false;
    spec.memory = v[0];
    spec.threads = static_cast<u32>(v[1]);
    spec.cpu_percent = static_cast<u32>(v[2]);
    spec.grants = static_cast<u32>(v[3]);
    spec.respawn = static_cast<u8>(v[4]);
    spec.respawn_limit = static_cast<u32>(v[5]);
    spec.flags = static_cast<u16>(v[6]);
    return *cursor == '\0';
}

bool read_devices(char const* text, abi::ServiceAuthority& a) {
    if (is_mode(text, "-")) return true;
    char item[48];
    for (char const* cursor = text; *cursor != '\0';) {
        if (!next_item(cursor, ',', item, sizeof item)) return false;
        u64 x = 0;
        u64 y = 0;
        if (item[0] == 'i' && parse_unsigned(item + 1, x) && x <= 0xffff) a.irq_lines = static_cast<u16>(x);
        else if (item[0] == 'p' && a.port_count < abi::MaxServicePortRanges && read_pair(item + 1, x, y))
            a.ports[a.port_count++] = {static_cast<u16>(x), static_cast<u16>(y)};
        else if (item[0] == 'm' && a.physical_count < abi::MaxServicePhysicalRanges && read_pair(item + 1, x, y))
            a.physical[a.physical_count++] = {x, y};
        else return false;
    }
    return true;
}

bool read_control(char const* text, abi::ServiceAuthority& a) {
    if (is_mode(text, "-")) return true;
    char item[33];
    for (char const* cursor = text; *cursor != '\0';) {
        if (!next_item(cursor, ',', item, sizeof item)) return false;
        if (item[0] == 'w' && a.watch_count < abi::MaxServicePeers && set_text(a.watch[a.watch_count], item + 1))
            ++a.watch_count;
        else if (item[0] == 's' && a.manage_count < abi::MaxServicePeers &&
                 set_text(a.manage[a.manage_count], item + 1))
            ++a.manage_count;
        else return false;
    }
    return true;
}

bool read_arguments(char const* text, abi::ServiceSpec& spec) {
    char item[32];
    for (char const* cursor = text; *cursor != '\0'; ++spec.argument_count)
        if (spec.argument_count == abi::MaxServiceArguments || !next_item(cursor, ' ', item, sizeof item) ||
            !set_text(spec.arguments[spec.argument_count], item))
            return false;
    return true;
}

} // namespace

int main(int argc, char** argv) {
    char const* const usage_text = "loader PATH NAME LIMITS SEND RECEIVE DEVICES CONTROL [ARGS]";
    if (argc != 8 && argc != 9) usage(usage_text);
    char const* path = argv[1];
    abi::ServiceSpec spec{};
    abi::ServiceAuthority authority{};
    if (!set_text(spec.name, argv[2]) || !read_limits(argv[3], spec) ||
        !read_names(argv[4], spec.send_to, spec.send_count, abi::MaxServicePeers) ||
        !read_names(argv[5], spec.receive_from, spec.receive_count, abi::MaxServicePeers) ||
        !read_devices(argv[6], authority) || !read_control(argv[7], authority) ||
        (argc == 9 && !read_arguments(argv[8], spec)) || strlen(path) >= proto::MaxTextLength)
        usage(usage_text);

    long const tree = g_tree.connect(LookupAttempts, LookupPause);
    if (tree < 0) {
        print("loader: no world-tree to read %s from: %s\n", path, status_name(tree));
        return 1;
    }
    long const length = g_tree.read_object(path, g_image, sizeof g_image);
    if (length == -abi::StatusNotFound) {
        print("loader: world-tree holds no object %s to load as %s\n", path, argv[2]);
        return ExitNoInput;
    }
    if (length < 0) {
        print("loader: cannot read %s from world-tree: %s\n", path, status_name(length));
        return 1;
    }

    // ServiceLoad takes the image from a grant to the caller: this grove's own id, which service control names.
    SyscallResult const self = sys_service_status(argv[0], strlen(argv[0]));
    long const grant = self.value < 0 ? self.value
                                      : sys_grant_create(g_image, static_cast<usize>(length),
                                                         static_cast<u32>(self.second), abi::GrantRead);
    if (grant < 0) {
        print("loader: cannot grant %s's image to itself: %s\n", argv[2], status_name(grant));
        return 1;
    }
    spec.grant = static_cast<u64>(grant);
    spec.image_length = static_cast<u64>(length);
    long const loaded = sys_service_load(&spec, &authority);
    sys_grant_revoke(spec.grant);
    if (loaded < 0) {
        print("loader: %s from world-tree:%s refused: %s\n", argv[2], path, status_name(loaded));
        return 1;
    }
    print("loader: %s loaded from world-tree:%s (%ld bytes), grove %lu\n", argv[2], path, length,
          static_cast<u64>(loaded) & 0xffff'ffffu);
    return 0;
}
