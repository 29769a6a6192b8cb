#include <sim/scenario/image_search.hpp>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace grove::scenario {
namespace {

namespace fs = std::filesystem;

class ImageSearchDirectories : public ::testing::Test {
protected:
    void SetUp() override {
        m_root = fs::temp_directory_path() /
                 ("grove_image_search_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
        fs::remove_all(m_root);
        fs::create_directories(m_root / "mine");
        fs::create_directories(m_root / "built");
    }
    void TearDown() override { fs::remove_all(m_root); }
    void make(std::string const& directory, std::string const& file) {
        std::ofstream(m_root / directory / file) << "x";
    }

    fs::path m_root;
};

TEST_F(ImageSearchDirectories, FindsAnyNameInTheFirstDirectoryThatHoldsIt) {
    make("mine", "pong.elf");
    make("built", "pong.elf");
    make("built", "echo.elf");
    ImageSearch const search({m_root / "mine", m_root / "built"});
    EXPECT_EQ(search.find("pong"), m_root / "mine" / "pong.elf");
    EXPECT_EQ(search.find("echo"), m_root / "built" / "echo.elf");
    EXPECT_EQ(search.find("ping"), std::nullopt);
}

TEST_F(ImageSearchDirectories, MissingImageNamesEveryDirectoryTriedAndTheClosestImage) {
    make("built", "echo.elf");
    make("built", "notes.txt");
    ImageSearch const search({m_root / "mine", m_root / "built"});
    EXPECT_EQ(search.missing("echoo"),
              "no grove image 'echoo' (echoo.elf) in " + (m_root / "mine").string() + ", " +
                  (m_root / "built").string() +
                  " (did you mean 'echo'?); build it, or give the directory that holds it with --images DIR");
}

TEST_F(ImageSearchDirectories, NamesThatLeaveTheDirectoryAreNeverLookedUp) {
    fs::create_directories(m_root / "mine" / "sub");
    make("mine", "sub/inner.elf");
    make("built", ".hidden.elf");
    ImageSearch const search({m_root / "mine", m_root / "built"});
    EXPECT_EQ(search.find("sub/inner"), std::nullopt);
    EXPECT_EQ(search.find("../built/.hidden"), std::nullopt);
    EXPECT_EQ(search.find(".hidden"), std::nullopt);
    EXPECT_TRUE(is_valid_image_name("pong"));
    EXPECT_TRUE(is_valid_image_name("My_Service-2.1"));
    EXPECT_FALSE(is_valid_image_name(""));
    EXPECT_FALSE(is_valid_image_name(std::string(MaxImageNameLength + 1, 'a')));
}

} // namespace
} // namespace grove::scenario
