// The Grove Manager's lifecycle, told as a story. This runs the kernel core (core/grove, core/trace) against the
// test backend (tests/fake: address spaces as maps, a manual clock) until the simulator exists to run real grove
// binaries. Every line is one event of the trace; the digest at the end is the same on every run.
#include <core/grove/grove_manager.hpp>
#include <core/trace/event_fields.hpp>
#include <tests/core/grove/grove_fixture.hpp>

#include <cinttypes>
#include <cstdio>
#include <memory>

namespace {

using namespace grove;
using grove::testing::FakeArch;
using grove::testing::TestHooks;

// Prints each event as it happens: time, grove, event, fields.
class PrintingSink final : public EventSink {
public:
    explicit PrintingSink(GroveManager const& manager) : m_manager(manager) {}

    void on_event(Event const& e) override {
        Grove const* g = m_manager.registry().find_serial(e.serial);
        std::printf("  %5" PRIu64 ".%03" PRIu64 " ms  %-8s #%" PRIu32 ".%" PRIu32 "  %-18s", e.time.value / 1'000'000,
                    e.time.value / 1'000 % 1'000, g != nullptr ? g->name().c_str() : "?", e.serial, e.generation,
                    event_kind_name(e.kind));
        for_each_event_field(e, [](EventField const& f) {
            switch (f.type) {
            case EventField::Type::Name: std::printf(" %s=%s", f.name, f.text); break;
            case EventField::Type::Signed: std::printf(" %s=%" PRId64, f.name, f.signed_value()); break;
            case EventField::Type::Unsigned: std::printf(" %s=%" PRIu64, f.name, f.value); break;
            case EventField::Type::Hex: std::printf(" %s=0x%" PRIx64, f.name, f.value); break;
            case EventField::Type::Grove: std::printf(" %s=#%" PRIu64, f.name, f.value); break;
            }
        });
        std::printf("\n");
    }

private:
    GroveManager const& m_manager;
};

void say(char const* text) { std::printf("\n%s\n", text); }

char const* result_text(Result<void> const& r) { return r.has_value() ? "ok" : error_name(r.error()); }

GroveId id_of(GroveManager const& manager, char const* name) {
    return manager.find_by_name(name, string_length(name))->id;
}

// Runs every deadline up to and including `until`, in order.
void run_until(GroveManager& manager, Ticks until) {
    for (Ticks next = manager.next_deadline(); next <= until; next = manager.next_deadline()) manager.tick(next);
}

} // namespace

int main() {
    std::printf("Grove lifecycle demo: the kernel core (GroveManager) against the test backend (FakeArch).\n"
                "Until the simulator can run grove binaries, the groves' threads are stand-ins and their\n"
                "crashes and exits are scripted; everything else is the real core. Times are virtual; event\n"
                "fields are in ticks (1 tick = 1 ns) and bytes.\n");

    auto arch = std::make_unique<FakeArch>();
    TestHooks hooks{*arch};
    auto manager = std::make_unique<GroveManager>(*arch, &hooks);
    hooks.attach(*manager);
    PrintingSink sink{*manager};
    manager->set_sink(&sink);
    PageCount const free_at_boot = arch->free_pages();
    Ticks now(0);

    say("1. Three groves are loaded and started: console (a warden), worker (Limited(3)), disk (OnFailure).");
    GroveSpec console = testing::make_spec("console", RespawnPolicy::never());
    (void)console.capabilities.grant_watch_any(); // it may hear of every grove's crashes
    GroveSpec worker = testing::make_spec("worker", RespawnPolicy::limited(3));
    GroveSpec disk = testing::make_spec("disk", RespawnPolicy::on_failure());
    (void)disk.capabilities.grant(CapabilityKind::MemoryManage);
    disk.limits.memory = bytes_of(testing::TestImagePages) + kibibytes(256);
    disk.stop_timeout = milliseconds(50);
    for (GroveSpec const* spec : {&console, &worker, &disk}) {
        Result<GroveId> spawned = manager->spawn(*spec, now);
        if (spawned.is_error()) {
            std::printf("spawn %s failed: %s\n", spec->name.c_str(), error_name(spawned.error()));
            return 1;
        }
    }
    (void)manager->subscribe_crashes(id_of(*manager, "console"), now);
    std::printf("  console subscribes to crash notices\n");

    say("2. worker crashes again and again; Limited(3) respawns it three times with growing backoff, then gives up.");
    for (int round = 0; round < 4; ++round) {
        now += milliseconds(2);
        (void)manager->report_crash(id_of(*manager, "worker"), Crash::fault(0x400003, 0x0), now);
        if (manager->next_deadline() != Ticks::max()) {
            now = manager->next_deadline();
            run_until(*manager, now);
        }
    }
    std::printf("  console received %zu notices (crashed and gave_up)\n", hooks.notice_count);

    say("3. disk, with 256 KiB left under its memory limit, asks for 1 MiB: denied; then for 64 KiB: granted.");
    now += milliseconds(1);
    GroveId const disk_id = id_of(*manager, "disk");
    Result<void> big =
        manager->map_memory(disk_id, VirtAddr{0x1000'0000}, mebibytes(1), Permissions::Read | Permissions::Write, now);
    std::printf("  map 1 MiB: %s\n", result_text(big));
    Result<void> small =
        manager->map_memory(disk_id, VirtAddr{0x1000'0000}, kibibytes(64), Permissions::Read | Permissions::Write, now);
    std::printf("  map 64 KiB: %s\n", result_text(small));

    say("4. console is stopped gracefully and exits by itself before its deadline.");
    now += milliseconds(1);
    (void)manager->stop(id_of(*manager, "console"), now);
    now += milliseconds(20);
    (void)manager->report_exit(id_of(*manager, "console"), 0, now);

    say("5. disk is stopped but never exits: at its 50 ms deadline it is killed.");
    now += milliseconds(1);
    (void)manager->stop(disk_id, now);
    run_until(*manager, now + seconds(1));

    say("Final state");
    manager->registry().for_each([](Grove const& g) {
        std::printf("  %-8s #%" PRIu32 ".%" PRIu32 "  %-11s crashes=%" PRIu32 "\n", g.name().c_str(), g.id.serial,
                    g.id.generation, grove_state_name(g.state), g.crashes);
    });
    std::printf("  address spaces left: %zu, threads left: %zu, frames reclaimed: %s\n", arch->live_spaces(),
                arch->live_contexts(), arch->free_pages() == free_at_boot ? "all" : "NOT ALL");
    std::printf("\n%" PRIu64 " events, trace digest %016" PRIx64 "\n", manager->tracer().count(), manager->digest());
    return arch->free_pages() == free_at_boot && arch->live_spaces() == 0 ? 0 : 1;
}
