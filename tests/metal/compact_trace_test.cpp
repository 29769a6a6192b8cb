#include <core/grove/grove_name.hpp>
#include <sim/metal/compact_trace.hpp>
#include <sim/scenario/trace.hpp>
#include <tests/metal/compact_records.hpp>

#include <gtest/gtest.h>

#include <string>

namespace grove::metal_host {
namespace {

using test::event_record;
using test::name_record;

TEST(CompactTrace, AnEventRecordBecomesTheJsonLineOfItsEventAndNameRecordsGo) {
    std::string const serial = "booted\r\n" + name_record(5, "ping") + name_record(6, "echo") +
                               event_record(Event::message_sent(Ticks(1500), GroveId{5, 2}, 6, 0x10, 3)) +
                               "# hello\r\n{\"final\":{}}\r\n";
    ExpandedSerial const out = expand_compact_records(serial);
    ASSERT_EQ(out.error, "");
    scenario::TraceEvent expected;
    expected.time = Ticks(1500);
    expected.grove = "ping";
    expected.generation = 2;
    expected.kind = "message_sent";
    expected.with("to", std::string("echo")).with("tag", u64{0x10}).with("priority", u64{3});
    EXPECT_EQ(out.serial, "booted\n" + scenario::format_event_line(expected) + "\n# hello\n{\"final\":{}}\n");
}

TEST(CompactTrace, ANegativeFieldComesOutNegative) {
    ExpandedSerial const out =
        expand_compact_records(name_record(3, "a") + event_record(Event::stopped(Ticks(3), GroveId{3, 1}, -4)));
    ASSERT_EQ(out.error, "");
    EXPECT_NE(out.serial.find("\"exit_code\":-4"), std::string::npos) << out.serial;
}

TEST(CompactTrace, TheRecordsGiveTheDigestOfTheirEvents) {
    Event const events[] = {Event::started(Ticks(1), GroveId{3, 1}),
                            Event::message_sent(Ticks(2), GroveId{3, 1}, 0, 7, 1),
                            Event::stopped(Ticks(3), GroveId{3, 1}, -4)};
    std::string serial = name_record(3, "a");
    TraceDigest kernel;
    for (Event const& e : events) {
        serial += event_record(e) + "{\"t\":0,\"grove\":\"a\",\"gen\":1,\"event\":\"throttled\"}\r\n";
        kernel.add(e);
    }
    ExpandedSerial const out = expand_compact_records(serial);
    ASSERT_EQ(out.error, "");
    EXPECT_EQ(out.digest, kernel.value());
    EXPECT_EQ(out.events, 3u);
}

TEST(CompactTrace, ASerialNamedEmptyIsNoGroveAndItsLineHasGenerationZero) {
    std::string const serial = name_record(9, "") + event_record(Event::started(Ticks(7), GroveId{9, 4}));
    ExpandedSerial const out = expand_compact_records(serial);
    ASSERT_EQ(out.error, "");
    EXPECT_NE(out.serial.find("\"grove\":\"\""), std::string::npos) << out.serial;
    EXPECT_NE(out.serial.find("\"gen\":0"), std::string::npos) << out.serial;
}

TEST(CompactTrace, ANameRecordHoldsUntilTheNextOne) {
    std::string const serial = name_record(3, "old") + event_record(Event::started(Ticks(1), GroveId{3, 1})) +
                               name_record(3, "new") + event_record(Event::started(Ticks(2), GroveId{3, 1}));
    ExpandedSerial const out = expand_compact_records(serial);
    ASSERT_EQ(out.error, "");
    usize const old_at = out.serial.find("\"old\"");
    usize const new_at = out.serial.find("\"new\"");
    ASSERT_NE(old_at, std::string::npos);
    ASSERT_NE(new_at, std::string::npos);
    EXPECT_LT(old_at, new_at);
}

TEST(CompactTrace, AnUnfinishedLastLineStaysAsItIsAndAnUnfinishedRecordIsQuoted) {
    EXPECT_EQ(expand_compact_records("a\r\nhalf a line\r").serial, "a\nhalf a line\r");
    std::string const cut = name_record(3, "a") + std::string{compact::Mark, compact::EventTag, 5, 1, 2};
    ExpandedSerial const out = expand_compact_records(cut);
    EXPECT_EQ(out.error, "");
    EXPECT_EQ(out.serial, "@e0102");
}

TEST(CompactTrace, TheKernelsLineEndsLoseTheirReturnAndAGrovesOwnReturnStays) {
    ExpandedSerial const out = expand_compact_records("# a\r\n# b\rc\r\n# \r\r\n");
    EXPECT_EQ(out.error, "");
    EXPECT_EQ(out.serial, "# a\n# b\rc\n# \r\n");
}

TEST(CompactTrace, ARecordsBytesMayBeNewlinesAndReturns) {
    Event const event = Event::message_sent(Ticks(0x0d0a), GroveId{10, 13}, 10, 0x0a0d0a0d, 10);
    std::string const record = event_record(event);
    ASSERT_NE(record.find("\r\n"), std::string::npos) << "the test needs a record holding a line end";
    ExpandedSerial const out = expand_compact_records(name_record(10, "lf") + record + "# after\r\n");
    ASSERT_EQ(out.error, "");
    EXPECT_EQ(out.events, 1u);
    EXPECT_NE(out.serial.find("\"event\":\"message_sent\""), std::string::npos) << out.serial;
    EXPECT_EQ(out.serial.substr(out.serial.find('\n') + 1), "# after\n");
}

TEST(CompactTrace, OutputReadInPiecesOfAnySizeReadsAsAWhole) {
    // Names of 6 and 9 bytes give records whose size byte is '\n' and '\r'; the second output ends in a damaged
    // record, which must fail at the same byte however the text before it was taken.
    std::string const good = "grove: booted\r\n" + name_record(3, "abcdef") + name_record(4, "abcdefghi") +
                             event_record(Event::started(Ticks(1), GroveId{3, 1})) + "# hi\r\n" +
                             event_record(Event::stopped(Ticks(9), GroveId{4, 1}, 0)) + "{\"final\":{}}\r\n";
    ASSERT_NE(good.find("@n\n"), std::string::npos);
    ASSERT_NE(good.find("@n\r"), std::string::npos);
    for (std::string const& serial : {good + "rest", good + test::record('x', "\n\r\n") + "# after\r\n"}) {
        ExpandedSerial const whole = expand_compact_records(serial);
        for (usize piece = 1; piece <= serial.size(); ++piece) {
            SerialExpander expander;
            std::string shown;
            for (usize at = 0; at < serial.size(); at += piece) {
                expander.feed(std::string_view(serial).substr(at, piece));
                shown += expander.take_text();
            }
            expander.finish();
            shown += expander.take_text();
            EXPECT_EQ(shown, whole.serial) << "pieces of " << piece;
            EXPECT_EQ(expander.error(), whole.error) << "pieces of " << piece;
            EXPECT_EQ(expander.digest(), whole.digest);
            EXPECT_EQ(expander.events(), whole.events);
            EXPECT_EQ(expander.readable(), whole.readable) << "pieces of " << piece;
        }
        EXPECT_EQ(whole.events, 2u);
    }
    EXPECT_EQ(expand_compact_records(good + "rest").error, "");
    ExpandedSerial const damaged = expand_compact_records(good + test::record('x', "\n\r\n") + "# after\r\n");
    EXPECT_NE(damaged.error.find("an unknown record: @x0a0d0a"), std::string::npos) << damaged.error;
    EXPECT_EQ(damaged.serial.substr(0, damaged.readable), expand_compact_records(good).serial);
}

TEST(CompactTrace, ADamagedRecordIsAnErrorNamingItsLine) {
    std::string const good = "booted\r\n" + name_record(3, "a") + event_record(Event::started(Ticks(1), GroveId{3, 1}));
    struct Case {
        std::string record;
        std::string says;
    };
    Case const cases[] = {
        {test::record(compact::EventTag, std::string("\x02\x00", 2)), "no event's encoding: @e0200"},
        {test::record(compact::EventTag, ""), "no event's encoding: @e"},
        {test::record('x', std::string(1, '\0')), "an unknown record: @x00"},
        {test::record(compact::NameTag, "\x01\x02"), "not a serial and a name: @n0102"},
        {test::record(compact::NameTag, std::string(4 + MaxGroveNameLength + 1, 'a')), "not a serial and a name"},
        {name_record(5, "no spaces"), "a name record whose name no grove can have"},
        {event_record(Event::started(Ticks(1), GroveId{4, 1})), "serial 4 has no name record"},
        {event_record(Event::message_sent(Ticks(1), GroveId{3, 1}, 8, 0, 0)), "serial 8 has no name record"},
    };
    std::string const expanded_good = expand_compact_records(good).serial;
    for (Case const& c : cases) {
        ExpandedSerial const out = expand_compact_records(good + c.record + "after\r\n");
        EXPECT_NE(out.error.find("serial line 4: "), std::string::npos) << out.error;
        EXPECT_NE(out.error.find(c.says), std::string::npos) << out.error;
        EXPECT_NE(out.serial.find(c.record + "after\r\n"), std::string::npos) << "the rest is kept as it came";
        EXPECT_EQ(out.serial.substr(0, out.readable), expanded_good) << "the lines before the damage";
    }
    ExpandedSerial const long_record = expand_compact_records(test::record(compact::EventTag, std::string(255, 'z')));
    EXPECT_LT(long_record.error.size(), 200u) << "the quote is bounded: " << long_record.error;
}

} // namespace
} // namespace grove::metal_host
