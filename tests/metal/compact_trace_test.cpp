#include <sim/metal/compact_trace.hpp>
#include <sim/scenario/trace.hpp>
#include <tests/metal/compact_records.hpp>

#include <gtest/gtest.h>

#include <string>

namespace grove::metal_host {
namespace {

using test::event_record;
using test::hex_of;
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
    EXPECT_EQ(out.serial, "booted\r\n" + scenario::format_event_line(expected) + "\n# hello\r\n{\"final\":{}}\r\n");
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

TEST(CompactTrace, AnUnfinishedLastLineStaysAsItIs) {
    std::string const serial = name_record(3, "a") + "@e0102";
    ExpandedSerial const out = expand_compact_records(serial);
    EXPECT_EQ(out.error, "");
    EXPECT_EQ(out.serial, "@e0102");
}

TEST(CompactTrace, ADamagedRecordIsAnErrorNamingItsLine) {
    std::string const good = name_record(3, "a") + event_record(Event::started(Ticks(1), GroveId{3, 1}));
    struct Case {
        std::string line;
        std::string says;
    };
    Case const cases[] = {
        {"@e0g\r\n", "hex does not read"},
        {"@e010\r\n", "hex does not read"},
        {"@e" + std::string(2 * (MaxEncodedEventSize + 1), '0') + "\r\n", "hex does not read"},
        {"@e0200\r\n", "no event's encoding"},
        {"@x00\r\n", "unknown record '@x'"},
        {"@n0102\r\n", "not a serial and a name"},
        {name_record(5, "no spaces"), "a name record whose name no grove can have"},
        {"@\r\n", "a record without its tag"},
        {event_record(Event::started(Ticks(1), GroveId{4, 1})), "serial 4 has no name record"},
        {event_record(Event::message_sent(Ticks(1), GroveId{3, 1}, 8, 0, 0)), "serial 8 has no name record"},
    };
    std::string const expanded_good = expand_compact_records(good).serial;
    for (Case const& c : cases) {
        ExpandedSerial const out = expand_compact_records(good + c.line + "after\r\n");
        EXPECT_NE(out.error.find("serial line 3: "), std::string::npos) << out.error;
        EXPECT_NE(out.error.find(c.says), std::string::npos) << c.line << ": " << out.error;
        EXPECT_EQ(out.error.find('\r'), std::string::npos) << out.error;
        EXPECT_NE(out.serial.find("after"), std::string::npos) << "the rest is kept";
        EXPECT_EQ(out.serial.substr(0, out.readable), expanded_good) << "the lines before the damage";
    }
    ExpandedSerial const long_line = expand_compact_records("@e" + std::string(500, 'z') + "\n");
    EXPECT_LT(long_line.error.size(), 200u) << "the quote is bounded: " << long_line.error;
}

TEST(CompactTrace, HexReadsBackWhatWasWritten) {
    u8 const bytes[] = {0x00, 0x7f, 0x80, 0xff, 0x12};
    std::string const text = hex_of(bytes, sizeof bytes);
    EXPECT_EQ(text, "007f80ff12");
    u8 back[5] = {};
    Result<usize> const size = compact::parse_hex(text.data(), text.size(), back, sizeof back);
    ASSERT_TRUE(size.has_value());
    EXPECT_EQ(size.value(), 5u);
    EXPECT_EQ(std::string(back, back + 5), std::string(bytes, bytes + 5));
    EXPECT_TRUE(compact::parse_hex("ABcd", 4, back, sizeof back).has_value());
    EXPECT_TRUE(compact::parse_hex(text.data(), text.size(), back, 4).is_error()) << "more than the capacity";
}

TEST(CompactTrace, HexHasTwoLowercaseDigitsPerByteForEveryByteAndLength) {
    // Four bytes at a time and the rest one at a time: every byte value at every place of every length up to 9.
    for (usize length = 0; length <= 9; ++length) {
        for (unsigned value = 0; value < 256; ++value) {
            u8 bytes[9];
            for (usize i = 0; i < length; ++i) bytes[i] = static_cast<u8>(value + 37 * i);
            std::string expected;
            for (usize i = 0; i < length; ++i) {
                expected += compact::HexDigits[bytes[i] >> 4];
                expected += compact::HexDigits[bytes[i] & 0xf];
            }
            std::string text(2 * length + 1, '!');
            compact::put_hex(bytes, length, text.data());
            ASSERT_EQ(text, expected + "!") << "length " << length << ", first byte " << value;
        }
    }
}

} // namespace
} // namespace grove::metal_host
