#include <sim/scenario/disk_loader.hpp>

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace grove::scenario {
namespace {

GroveSpec grove(std::string name, std::string image) {
    GroveSpec g;
    g.name = std::move(name);
    g.image = std::move(image);
    return g;
}

// ata, world-tree and echo loaded from /groves/echo, receiving from client.
Scenario loaded_echo() {
    Scenario s;
    s.name = "t";
    s.duration = milliseconds(100);
    s.groves.push_back(grove("world-tree", "world_tree"));
    s.groves.back().capabilities.ipc_receive = {"client"};
    GroveSpec echo = grove("echo", "world-tree:/groves/echo");
    echo.start_at = milliseconds(5);
    echo.priority = 20;
    echo.args = {"1", "quiet"};
    echo.capabilities.ipc_receive = {"client"};
    echo.capabilities.ipc_send = {"client"};
    echo.capabilities.io_ports = {{0x60, 0x64}};
    echo.capabilities.irq = {1, 3};
    echo.capabilities.crash_watch = {"client"};
    echo.capabilities.thread_create = true;
    echo.limits.memory = Bytes{1024 * 1024};
    echo.limits.grants = 0;
    echo.respawn.policy = RespawnPolicy::Limited;
    echo.respawn.max = 3;
    s.groves.push_back(echo);
    s.groves.push_back(grove("client", "client"));
    return s;
}

TEST(DiskLoader, PutsALoaderInPlaceOfAGroveLoadedFromWorldTree) {
    Scenario s = loaded_echo();
    ASSERT_EQ(put_disk_loaders(s), "");
    ASSERT_EQ(s.groves.size(), 3u);
    GroveSpec const& loader = s.groves[1];
    EXPECT_EQ(loader.name, "echo-loader");
    EXPECT_EQ(loader.image, "loader");
    EXPECT_EQ(loader.start_at, milliseconds(5));
    EXPECT_EQ(loader.priority, 20u);
    EXPECT_EQ(loader.respawn, Respawn{});
    EXPECT_EQ(loader.args, (std::vector<std::string>{"/groves/echo", "echo", "1048576,4,50,0,3,3,16", "client",
                                                     "client", "i10,p96:100", "wclient", "1 quiet"}));
    EXPECT_EQ(loader.capabilities.ipc_send, (std::vector<std::string>{"client", "world-tree"}));
    EXPECT_EQ(loader.capabilities.service_manage, (std::vector<std::string>{"echo", "echo-loader"}));
    EXPECT_TRUE(loader.capabilities.filesystem);
    EXPECT_TRUE(loader.capabilities.thread_create);
    EXPECT_EQ(loader.limits.memory, Bytes{1024 * 1024});
    EXPECT_EQ(loader.limits.grants, 1u); // the loader grants the image to itself
    EXPECT_EQ(s.groves[0].capabilities.ipc_receive, (std::vector<std::string>{"client", "echo-loader"}));
    EXPECT_EQ(s.groves[2], grove("client", "client"));
}

TEST(DiskLoader, LeavesAScenarioWithoutWorldTreeImagesAsItIs) {
    Scenario s = loaded_echo();
    s.groves[1].image = "echo";
    Scenario const before = s;
    EXPECT_EQ(put_disk_loaders(s), "");
    EXPECT_EQ(s, before);
    EXPECT_EQ(put_disk_loaders(s), "");
    EXPECT_EQ(s, before);
}

TEST(DiskLoader, IsIdempotent) {
    Scenario s = loaded_echo();
    ASSERT_EQ(put_disk_loaders(s), "");
    Scenario const once = s;
    EXPECT_EQ(put_disk_loaders(s), "");
    EXPECT_EQ(s, once);
}

TEST(DiskLoader, RefusesWhatAServiceSpecCannotCarry) {
    auto refused = [](auto change, char const* why) {
        Scenario s = loaded_echo();
        change(s);
        std::string const error = put_disk_loaders(s);
        EXPECT_NE(error.find("' (world-tree:/groves/echo): "), std::string::npos) << error;
        EXPECT_NE(error.find(why), std::string::npos) << error;
    };
    refused([](Scenario& s) { s.groves.erase(s.groves.begin()); }, "no grove named 'world-tree'");
    refused([](Scenario& s) { s.groves[1].watchdog = milliseconds(1); }, "watchdog");
    refused([](Scenario& s) { s.groves[1].provides = {"filesystem"}; }, "provide a service");
    refused([](Scenario& s) { s.groves[1].capabilities.ipc_send = {"a", "b", "c", "d", "e"}; }, "at most 4 peers");
    refused([](Scenario& s) { s.groves[1].args = {"two words"}; }, "holds a space");
    refused([](Scenario& s) { s.groves[1].name = "a-name-of-twenty-five-xyz"; }, "longer than 31 bytes");
    refused(
        [](Scenario& s) {
            Fault f;
            f.grove = "echo";
            s.faults.push_back(f);
        },
        "a fault names it");
    refused(
        [](Scenario& s) {
            s.expect.final_states.push_back({"echo", GroveState::Running});
        },
        "final_state and counts cannot name it");
    refused(
        [](Scenario& s) {
            CountExpectation c;
            c.grove = "echo";
            s.expect.counts.push_back(c);
        },
        "final_state and counts cannot name it");
}

TEST(DiskLoader, KnowsAWorldTreeObjectFromAnImageName) {
    EXPECT_EQ(world_tree_object("world-tree:/groves/echo"), "/groves/echo");
    EXPECT_EQ(world_tree_object("echo"), std::nullopt);
    EXPECT_TRUE(is_valid_world_tree_object("/groves/echo"));
    EXPECT_FALSE(is_valid_world_tree_object("/"));
    EXPECT_FALSE(is_valid_world_tree_object("groves/echo"));
    EXPECT_FALSE(is_valid_world_tree_object("/a b"));
    EXPECT_FALSE(is_valid_world_tree_object("/" + std::string(63, 'x')));
}

} // namespace
} // namespace grove::scenario
