#include <core/grove/registry.hpp>
#include <tests/core/grove/grove_fixture.hpp>

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace grove {
namespace {

using testing::make_spec;

std::string name_of(int i) { return "grove-" + std::to_string(i); }

TEST(Registry, AssignsSerialsFromOneWithGenerationOne) {
    auto r = std::make_unique<Registry>();
    Grove* a = r->add(make_spec("a")).value();
    Grove* b = r->add(make_spec("b")).value();
    EXPECT_EQ(a->id, (GroveId{1, 1}));
    EXPECT_EQ(b->id, (GroveId{2, 1}));
    EXPECT_EQ(a->state, GroveState::Loading);
    EXPECT_EQ(r->size(), 2u);
}

TEST(Registry, RefusesTheSixtyFifthGrove) {
    auto r = std::make_unique<Registry>();
    for (int i = 0; i < static_cast<int>(MaxGroves); ++i)
        ASSERT_TRUE(r->add(make_spec(name_of(i).c_str())).has_value());
    EXPECT_TRUE(r->is_full());
    Result<Grove*> extra = r->add(make_spec("one-too-many"));
    ASSERT_TRUE(extra.is_error());
    EXPECT_EQ(extra.error(), Error::NoCapacity);
    EXPECT_EQ(r->size(), MaxGroves);
    EXPECT_EQ(r->find_by_name("one-too-many", 12), nullptr);
}

TEST(Registry, RefusesADuplicateName) {
    auto r = std::make_unique<Registry>();
    ASSERT_TRUE(r->add(make_spec("console")).has_value());
    Result<Grove*> again = r->add(make_spec("console"));
    ASSERT_TRUE(again.is_error());
    EXPECT_EQ(again.error(), Error::AlreadyExists);
    EXPECT_EQ(r->size(), 1u);
    EXPECT_EQ(r->next_serial(), 2u); // a refused add uses no serial
}

TEST(Registry, NeverReusesASerialAndRejectsStaleIds) {
    auto r = std::make_unique<Registry>();
    GroveId const first = r->add(make_spec("a")).value()->id;
    ASSERT_TRUE(r->remove(first).has_value());
    EXPECT_EQ(r->find(first), nullptr);
    EXPECT_EQ(r->remove(first).error(), Error::NotFound);
    Grove* again = r->add(make_spec("a")).value();
    EXPECT_EQ(again->id.serial, 2u); // same name, same slot, new serial
    EXPECT_EQ(r->find(first), nullptr);
    EXPECT_EQ(r->find(again->id), again);
    // An older generation of a live grove is stale.
    again->id.generation = 2;
    EXPECT_EQ(r->find(GroveId{2, 1}), nullptr);
    EXPECT_EQ(r->find(GroveId{2, 2}), again);
    EXPECT_EQ(r->find_serial(2), again);
    EXPECT_EQ(r->find(GroveId{}), nullptr);
    EXPECT_EQ(r->find(GroveId{99, 1}), nullptr);
}

TEST(Registry, ListsInSerialOrderWhateverSlotsWereReused) {
    auto r = std::make_unique<Registry>();
    GroveId const a = r->add(make_spec("a")).value()->id;
    (void)r->add(make_spec("b")).value();
    (void)r->add(make_spec("c")).value();
    ASSERT_TRUE(r->remove(a).has_value());
    (void)r->add(make_spec("d")).value(); // takes a's slot, serial 4
    auto ids = r->list();
    ASSERT_EQ(ids.size(), 3u);
    EXPECT_EQ(ids[0].serial, 2u);
    EXPECT_EQ(ids[1].serial, 3u);
    EXPECT_EQ(ids[2].serial, 4u);
    std::string order;
    r->for_each([&](Grove const& g) { order += g.name().c_str(); });
    EXPECT_EQ(order, "bcd");
}

TEST(Registry, FindsByName) {
    auto r = std::make_unique<Registry>();
    (void)r->add(make_spec("console")).value();
    Grove* disk = r->add(make_spec("disk")).value();
    EXPECT_EQ(r->find_by_name("disk", 4), disk);
    EXPECT_EQ(r->find_by_name("dis", 3), nullptr);
    EXPECT_EQ(r->find_by_name(make_grove_name("disk").value()), disk);
}

} // namespace
} // namespace grove
