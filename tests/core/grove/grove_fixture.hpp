#pragma once
// Shared by the grove tests and the lifecycle demo: a small valid image, specs built from it, and hooks that play
// the kernel's part (one main thread per incarnation, contexts in the FakeArch).
#include <core/grove/grove_manager.hpp>
#include <core/grove/layout.hpp>
#include <tests/fake/fake_arch.hpp>

namespace grove::testing {

inline constexpr u64 CodeAddress = 0x0040'0000;
inline constexpr u64 DataAddress = 0x0040'1000;

// The bytes of the test image: a little "code" and some initialised data. Static, so plans may point at them.
inline constexpr u8 TestCode[] = {0x48, 0x31, 0xc0, 0xcd, 0x80, 0xeb, 0xfe, 0x90};
inline constexpr u8 TestData[] = {'g', 'r', 'o', 'v', 'e', 0, 1, 2, 3, 4};

// Two segments: one page of code (R+X) holding TestCode, two pages of data (R+W) starting with TestData.
inline ImagePlan test_image() {
    ImagePlan plan;
    plan.entry = VirtAddr{CodeAddress};
    (void)plan.segments.push_back(ImageSegment{VirtAddr{CodeAddress}, Bytes(PageSize),
                                               Span<u8 const>{TestCode, sizeof TestCode},
                                               Permissions::Read | Permissions::Execute});
    (void)plan.segments.push_back(ImageSegment{VirtAddr{DataAddress}, Bytes(2 * PageSize),
                                               Span<u8 const>{TestData, sizeof TestData},
                                               Permissions::Read | Permissions::Write});
    return plan;
}

// Pages an incarnation of test_image() maps: 1 + 2 image pages, the stack, the arguments page.
inline constexpr PageCount TestImagePages{3 + layout::MainStackPages.value + 1};
// The page tables that incarnation holds, as metal builds them: the PML4 with the trampoline's PDPT and PD, a PT
// for the image at 4 MiB, and near the top of the window a PDPT, a PD and a PT (the stack and the arguments page).
inline constexpr PageCount TestImageTablePages{3 + 1 + 3};
// The frames an incarnation holds, which is also its memory charge: its pages and their tables.
inline constexpr PageCount TestIncarnationPages = TestImagePages + TestImageTablePages;

inline GroveSpec make_spec(char const* name, RespawnPolicy respawn = RespawnPolicy::never()) {
    GroveSpec spec;
    spec.name = make_grove_name(name).value();
    spec.image = test_image();
    spec.respawn = respawn;
    return spec;
}

// The kernel's part in tests: on start, reserve a thread and create its context (ThreadId index = serial,
// generation = grove generation); on teardown, destroy it. Records what it was asked.
class TestHooks final : public GroveHooks {
public:
    explicit TestHooks(FakeArch& arch) : m_arch(arch) {}
    void attach(GroveManager& manager) { m_manager = &manager; }

    Result<void> on_start(Grove const& grove, Ticks now) override {
        ++starts;
        if (fail_starts > 0) {
            --fail_starts;
            return Error::NoCapacity;
        }
        TRY(m_manager->reserve_thread(grove.id, now));
        ThreadId const thread = thread_of(grove.id);
        Result<void> created = m_arch.create_context(thread, grove.image.space, grove.image.entry,
                                                     grove.image.stack_top, grove.image.argc, grove.image.argv.value);
        if (created.is_error()) {
            (void)m_manager->release_thread(grove.id);
            return created.error();
        }
        return {};
    }
    void on_stop_requested(Grove const&) override { ++stop_requests; }
    void on_teardown(Grove const& grove) override {
        ++teardowns;
        m_arch.destroy_context(thread_of(grove.id));
    }
    void on_crash_notice(GroveId subscriber, u32 tag, abi::CrashNotice const& notice) override {
        Notice n{subscriber, tag, notice};
        notices[notice_count++ % MaxNotices] = n;
    }

    static ThreadId thread_of(GroveId id) { return ThreadId{id.serial, id.generation}; }

    struct Notice {
        GroveId subscriber;
        u32 tag;
        abi::CrashNotice notice;
    };
    static constexpr usize MaxNotices = 64;
    Notice notices[MaxNotices]{};
    usize notice_count = 0;
    int starts = 0;
    int stop_requests = 0;
    int teardowns = 0;
    int fail_starts = 0;

private:
    FakeArch& m_arch;
    GroveManager* m_manager = nullptr;
};

} // namespace grove::testing
