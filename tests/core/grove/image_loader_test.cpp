#include <core/grove/image_loader.hpp>
#include <core/grove/layout.hpp>
#include <tests/core/grove/grove_fixture.hpp>

#include <gtest/gtest.h>

#include <cstring>

namespace grove {
namespace {

using testing::FakeArch;
using testing::make_spec;
using testing::test_image;

u64 page_of(u64 address) { return address / PageSize; }

TEST(ImageLoader, AcceptsTheTestImageAndCountsItsMemory) {
    Result<Bytes> memory = validate_image(test_image());
    ASSERT_TRUE(memory.has_value());
    EXPECT_EQ(memory.value(), bytes_of(testing::TestImagePages));
}

TEST(ImageLoader, RejectsMalformedPlans) {
    auto rejected = [](auto change) {
        ImagePlan plan = test_image();
        change(plan);
        Result<Bytes> r = validate_image(plan);
        return r.is_error() && r.error() == Error::InvalidArgument;
    };
    EXPECT_TRUE(rejected([](ImagePlan& p) { p.segments.clear(); }));
    EXPECT_TRUE(rejected([](ImagePlan& p) { p.segments[0].memory_size = Bytes(0); }));
    EXPECT_TRUE(rejected([](ImagePlan& p) { p.segments[0].file_bytes.size = PageSize + 1; }));
    EXPECT_TRUE(rejected([](ImagePlan& p) { p.segments[0].permissions = Permissions::Write | Permissions::Execute; }));
    EXPECT_TRUE(rejected([](ImagePlan& p) { p.segments[0].address = VirtAddr{0x1000}; }));   // below the window
    EXPECT_TRUE(rejected([](ImagePlan& p) { p.segments[1].address = VirtAddr{0x400800}; })); // shares a page
    EXPECT_TRUE(rejected([](ImagePlan& p) { p.segments[1].address = VirtAddr{layout::MainStackGuard}; }));
    EXPECT_TRUE(rejected([](ImagePlan& p) { p.segments[1].address = VirtAddr{layout::ArgumentsPage}; }));
    EXPECT_TRUE(rejected([](ImagePlan& p) { p.segments[1].address = VirtAddr{~u64{0} - 100}; })); // wraps
    EXPECT_TRUE(rejected([](ImagePlan& p) { p.entry = VirtAddr{testing::DataAddress}; }));        // not executable
    EXPECT_TRUE(rejected([](ImagePlan& p) { p.entry = VirtAddr{testing::CodeAddress + PageSize}; }));
}

TEST(ImageLoader, AcceptsUnalignedSegmentsOnWholePages) {
    ImagePlan plan = test_image();
    plan.segments[1].address = VirtAddr{testing::DataAddress + 0x10};
    plan.segments[1].memory_size = Bytes(2 * PageSize); // now touches three pages
    Result<Bytes> memory = validate_image(plan);
    ASSERT_TRUE(memory.has_value());
    EXPECT_EQ(memory.value(), bytes_of(testing::TestImagePages) + Bytes(PageSize));
}

TEST(ImageLoader, SpecOverTheMemoryLimitIsLimitExceeded) {
    GroveSpec spec = make_spec("big");
    spec.limits.memory = bytes_of(testing::TestImagePages) - Bytes(1);
    EXPECT_EQ(validate_spec(spec).error(), Error::LimitExceeded);
    spec.limits.memory = bytes_of(testing::TestImagePages);
    EXPECT_TRUE(validate_spec(spec).has_value());
    spec.name = GroveName{};
    EXPECT_EQ(validate_spec(spec).error(), Error::InvalidArgument);
}

TEST(ImageLoader, MapsSegmentsStackAndArguments) {
    FakeArch arch;
    GroveSpec spec = make_spec("console");
    (void)spec.arguments.push_back(GroveArgument::from("--verbose").value());
    ASSERT_TRUE(spec.capabilities.grant_io_ports(IoPortRange{0x2f8, 0x2ff}).has_value());
    PageCount const before = arch.free_pages();
    LoadedImage const image = load_image(arch, spec).value();
    EXPECT_EQ(arch.free_pages() + testing::TestIncarnationPages, before);
    EXPECT_EQ(image.entry, VirtAddr{testing::CodeAddress});
    EXPECT_EQ(image.stack_top, VirtAddr{layout::MainStackTop});
    EXPECT_EQ(image.memory, bytes_of(testing::TestImagePages));

    auto const& space = arch.space(image.space);
    auto const& code = space.pages.at(page_of(testing::CodeAddress));
    EXPECT_EQ(code.permissions, Permissions::Read | Permissions::Execute);
    EXPECT_EQ(std::memcmp(code.bytes.data(), testing::TestCode, sizeof testing::TestCode), 0);
    EXPECT_EQ(code.bytes[sizeof testing::TestCode], 0); // the rest is zero
    EXPECT_EQ(space.pages.at(page_of(testing::DataAddress + PageSize)).permissions,
              Permissions::Read | Permissions::Write);
    // The stack: 16 writable pages below the top, and the guard page below them unmapped.
    EXPECT_EQ(space.pages.count(page_of(layout::MainStackTop - 1)), 1u);
    EXPECT_EQ(space.pages.count(page_of(layout::MainStackBase)), 1u);
    EXPECT_EQ(space.pages.count(page_of(layout::MainStackGuard)), 0u);
    EXPECT_EQ(space.pages.count(page_of(layout::MainStackTop)), 0u);
    // Arguments: a read-only page with argv[0] = name, argv[1] = "--verbose", argv[2] = null.
    auto const& args = space.pages.at(page_of(layout::ArgumentsPage));
    EXPECT_EQ(args.permissions, Permissions::Read);
    EXPECT_EQ(image.argc, 2u);
    EXPECT_EQ(image.argv, VirtAddr{layout::ArgumentsPage});
    u64 argv[3];
    std::memcpy(argv, args.bytes.data(), sizeof argv);
    EXPECT_EQ(argv[2], 0u);
    EXPECT_STREQ(reinterpret_cast<char const*>(args.bytes.data() + (argv[0] - layout::ArgumentsPage)), "console");
    EXPECT_STREQ(reinterpret_cast<char const*>(args.bytes.data() + (argv[1] - layout::ArgumentsPage)), "--verbose");
    ASSERT_EQ(space.io_ports.size(), 1u);
    EXPECT_EQ(space.io_ports[0].first, 0x2f8);

    unload_image(arch, image);
    EXPECT_EQ(arch.free_pages(), before);
    EXPECT_EQ(arch.live_spaces(), 0u);
}

TEST(ImageLoader, AFailingMapRollsBackTheAddressSpace) {
    FakeArch arch;
    PageCount const before = arch.free_pages();
    arch.fail_next_maps(1);
    Result<LoadedImage> r = load_image(arch, make_spec("x"));
    ASSERT_TRUE(r.is_error());
    EXPECT_EQ(r.error(), Error::OutOfMemory);
    EXPECT_EQ(arch.free_pages(), before);
    EXPECT_EQ(arch.live_spaces(), 0u);
}

TEST(ImageLoader, RunningOutOfFramesMidwayRollsBackEverything) {
    // Frames for: nothing, the code page, code and data, the image and the stack; never the arguments page.
    u64 const frames[] = {0, 1, 3, 3 + layout::MainStackPages.value};
    for (u64 n : frames) {
        FakeArch arch{PageCount(n)};
        Result<LoadedImage> r = load_image(arch, make_spec("x"));
        ASSERT_TRUE(r.is_error()) << n;
        EXPECT_EQ(r.error(), Error::OutOfMemory);
        EXPECT_EQ(arch.free_pages(), PageCount(n));
        EXPECT_EQ(arch.live_spaces(), 0u);
    }
    FakeArch enough{testing::TestIncarnationPages};
    EXPECT_TRUE(load_image(enough, make_spec("x")).has_value());
    EXPECT_EQ(enough.free_pages(), PageCount(0));
}

} // namespace
} // namespace grove
