#include <tests/worldtree/simulated_disk.hpp>
#include <tests/worldtree/store_helpers.hpp>

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace grove::worldtree {
namespace {

using testing::current_text;
using testing::read_all;
using testing::SimulatedDisk;
using testing::stage_text;

// What the store must show after its last acknowledged commit: each object's versions' bytes ("" for a removal).
struct Expected {
    std::map<std::string, std::vector<std::string>> versions;
    u32 commits = 0;
};

using Step = std::function<bool(Store&, Expected&)>;

std::string pattern(usize size, int seed) {
    std::string s(size, '\0');
    for (usize i = 0; i < size; ++i) s[i] = char('a' + (i * 31 + usize(seed) * 7 + i / 97) % 26);
    return s;
}

// Each step stages some changes, commits, and updates `expected` as if the commit succeeded; it returns whether the
// store acknowledged it.
std::vector<Step> workload() {
    auto put = [](std::vector<std::pair<std::string, std::string>> objects, u64 time) {
        return Step([objects, time](Store& store, Expected& expected) {
            for (auto const& [name, bytes] : objects) expected.versions[name].push_back(bytes);
            ++expected.commits;
            for (auto const& [name, bytes] : objects)
                if (!stage_text(store, name.c_str(), bytes)) return false;
            return store.commit("forge", time, "put").has_value();
        });
    };
    return {
        put({{"/a", "alpha"}, {"/b", pattern(1500, 1)}}, 10),
        put({{"/a", pattern(9000, 2)}}, 20),
        Step([](Store& store, Expected& expected) {
            expected.versions["/b"].push_back("");
            ++expected.commits;
            return store.stage_remove("/b", 2) && store.commit("forge", 30, "remove");
        }),
        Step([](Store& store, Expected& expected) {
            expected.versions["/a"].push_back("alpha");
            expected.versions["/b"].push_back(pattern(1500, 1));
            ++expected.commits;
            return store.stage_restore("/a", 2, 1) && store.stage_restore("/b", 2, 1) &&
                   store.commit("forge", 40, "restore");
        }),
        put({{"/c", pattern(513, 3)}, {"/d", "alpha"}, {"/e", ""}}, 50),
    };
}

// The content of version `index`, or nothing when the store cannot read it.
std::optional<std::string> content(Store& store, u32 index) {
    std::string out;
    char buffer[1000];
    for (;;) {
        auto n = store.read(index, out.size(), buffer, sizeof buffer);
        if (!n) return std::nullopt;
        if (n.value() == 0) return out;
        out.append(buffer, n.value());
    }
}

// How the state of `store` differs from `expected` ("" when it does not): the commit count, the objects, every
// version of each with its exact bytes, and no version past the last.
std::string state_difference(Store& store, Expected const& expected) {
    if (store.commit_count() != expected.commits)
        return std::to_string(store.commit_count()) + " commits, not " + std::to_string(expected.commits);
    if (store.object_count() != expected.versions.size())
        return std::to_string(store.object_count()) + " objects, not " + std::to_string(expected.versions.size());
    for (auto const& [name, versions] : expected.versions) {
        for (u32 number = 1; number <= versions.size(); ++number) {
            std::string const version = name + " v" + std::to_string(number);
            auto index = store.find_version(name.c_str(), name.size(), number);
            if (!index) return version + " is missing";
            bool const removal = store.version(index.value()).is_removal();
            if (removal ? versions[number - 1] != "" : content(store, index.value()) != versions[number - 1])
                return version + " does not hold its bytes";
        }
        if (store.find_version(name.c_str(), name.size(), u32(versions.size() + 1)).has_value())
            return name + " has a version past v" + std::to_string(versions.size());
    }
    return "";
}

// The state of `store` equals `expected`: every version of every object, with its exact bytes.
void expect_state(Store& store, Expected const& expected, std::string const& where) {
    EXPECT_EQ(state_difference(store, expected), "") << where;
}

// Runs the workload on `device` (`disk`, or a device over it) with power failing at the `cut`-th write (0: never);
// returns how many writes it made. `expected`: the state after the last acknowledged commit; `in_flight`: the state
// had the failed one succeeded.
u64 run_with_power_cut(u64 cut, usize tear, Expected& expected, Expected& in_flight, SimulatedDisk& disk,
                       BlockDevice& device) {
    auto store = std::make_unique<Store>(device);
    EXPECT_TRUE(store->format());
    EXPECT_TRUE(store->mount());
    u64 const before = disk.writes();
    if (cut != 0) disk.power_cut_at(cut, tear);
    for (auto& step : workload()) {
        in_flight = expected;
        if (!step(*store, in_flight)) break;
        expected = in_flight;
    }
    return disk.writes() - before;
}

u64 run_with_power_cut(u64 cut, usize tear, Expected& expected, Expected& in_flight, SimulatedDisk& disk) {
    return run_with_power_cut(cut, tear, expected, in_flight, disk, disk);
}

// The commit protocol with its first flush left out: a device over the disk that flushes only after a superblock
// write, so that a commit's superblock goes to the disk while its records are still in the cache. A store on it is
// not crash safe; the power-cut check must see that.
class SuperblockBeforeFlush final : public BlockDevice {
public:
    explicit SuperblockBeforeFlush(SimulatedDisk& disk) : m_disk(disk) {}
    u64 sector_count() const override { return m_disk.sector_count(); }
    bool read(u64 lba, u32 count, void* buffer) override { return m_disk.read(lba, count, buffer); }
    bool write(u64 lba, u32 count, void const* buffer) override {
        m_last_lba = lba;
        return m_disk.write(lba, count, buffer);
    }
    bool flush() override { return m_last_lba >= disk::SuperblockSlots || m_disk.flush(); }

private:
    SimulatedDisk& m_disk;
    u64 m_last_lba = 0;
};

TEST(StoreCrash, EveryPowerCutDuringTheWorkloadMountsTheLastAcknowledgedCommit) {
    Expected whole, none;
    SimulatedDisk clean(2048);
    u64 const writes = run_with_power_cut(0, 0, whole, none, clean);
    ASSERT_EQ(whole.commits, 5u);
    ASSERT_GT(writes, 15u);
    for (u64 cut = 1; cut <= writes; ++cut) {
        for (usize tear : {usize(0), usize(1 + cut * 37 % 511), usize(SectorSize)}) {
            std::string where = "power cut at write " + std::to_string(cut) + ", tear " + std::to_string(tear);
            SimulatedDisk disk(2048);
            Expected expected, in_flight;
            run_with_power_cut(cut, tear, expected, in_flight, disk);
            ASSERT_TRUE(disk.is_dead()) << where;
            disk.restart();
            auto store = std::make_unique<Store>(disk);
            auto mounted = store->check();
            ASSERT_TRUE(mounted.has_value()) << where << ": " << store->problem().what;
            // A commit the store did not acknowledge may still have reached the medium whole (its superblock
            // written, the power lost before the flush returned), never in part; with nothing of the interrupted
            // write on the medium (tear 0) it cannot have.
            if (store->commit_count() != expected.commits) {
                EXPECT_NE(tear, 0u) << where;
                expected = in_flight;
            }
            expect_state(*store, expected, where);
            // The store goes on: a new commit after the crash is kept, and the check stays clean.
            ASSERT_TRUE(stage_text(*store, "/after", "after the crash")) << where;
            ASSERT_TRUE(store->commit("forge", 99, "after")) << where;
            store = std::make_unique<Store>(disk);
            ASSERT_TRUE(store->check().has_value()) << where << ": " << store->problem().what;
            EXPECT_EQ(current_text(*store, "/after"), "after the crash") << where;
            ++expected.commits;
            expected.versions["/after"].push_back("after the crash");
            expect_state(*store, expected, where + ", then a commit");
        }
    }
}

TEST(StoreCrash, AnUnflushedCommitIsLostWholeOnPowerLoss) {
    // A disk that acknowledges writes but loses everything unflushed: a power cut while the commit record or the
    // superblock after it is written (torn at byte 40, inside the header and the superblock) makes the commit fail,
    // and after the restart it is absent, the commit before it whole.
    for (u64 cut = 1; cut <= 3; ++cut) {
        std::string const where = "power cut at the commit's write " + std::to_string(cut);
        SimulatedDisk disk(512);
        auto store = std::make_unique<Store>(disk);
        ASSERT_TRUE(store->format());
        ASSERT_TRUE(store->mount());
        ASSERT_TRUE(stage_text(*store, "/kept", "kept"));
        ASSERT_TRUE(store->commit("forge", 1, "kept"));
        ASSERT_TRUE(stage_text(*store, "/staged", "staged only"));
        disk.power_cut_at(cut, 40);
        EXPECT_FALSE(store->commit("forge", 2, "lost")) << where;
        ASSERT_TRUE(disk.is_dead()) << where << ": the commit makes fewer writes than that";
        disk.restart();
        store = std::make_unique<Store>(disk);
        auto checked = store->check();
        ASSERT_TRUE(checked.has_value()) << where << ": " << store->problem().what;
        EXPECT_EQ(checked.value().commits, 1u) << where;
        EXPECT_EQ(current_text(*store, "/kept"), "kept") << where;
        EXPECT_EQ(current_text(*store, "/staged"), "<NotFound>") << where;
    }
}

TEST(StoreCrash, TheCheckCatchesASuperblockWrittenBeforeTheRecordsAreFlushed) {
    // The same power cuts as above, on the store whose records are not flushed before its superblock: some cut must
    // leave a store that does not mount, or one that holds neither the last acknowledged commit nor the one in
    // flight. Were the check unable to see that, the test above could not fail either.
    Expected whole, none;
    SimulatedDisk clean(2048);
    SuperblockBeforeFlush clean_device(clean);
    u64 const writes = run_with_power_cut(0, 0, whole, none, clean, clean_device);
    ASSERT_EQ(whole.commits, 5u);
    usize caught = 0;
    for (u64 cut = 1; cut <= writes; ++cut) {
        for (usize tear : {usize(0), usize(SectorSize)}) {
            SimulatedDisk disk(2048);
            SuperblockBeforeFlush device(disk);
            Expected expected, in_flight;
            run_with_power_cut(cut, tear, expected, in_flight, disk, device);
            disk.restart();
            auto store = std::make_unique<Store>(disk);
            bool const consistent = store->check().has_value() && (state_difference(*store, expected).empty() ||
                                                                   state_difference(*store, in_flight).empty());
            if (!consistent) ++caught;
        }
    }
    EXPECT_GT(caught, 0u);
}

} // namespace
} // namespace grove::worldtree
