#include <sim/gdb/remote_protocol.hpp>

#include <gtest/gtest.h>

#include <random>

namespace grove::gdb {
namespace {

std::vector<PacketReader::Event> read_all(std::string_view bytes) {
    PacketReader reader;
    reader.feed(bytes);
    std::vector<PacketReader::Event> events;
    while (auto event = reader.next()) events.push_back(*event);
    return events;
}

TEST(RemoteProtocol, FramesWithTheChecksumOfWhatIsSent) {
    EXPECT_EQ(frame("OK"), "$OK#9a");
    EXPECT_EQ(frame(""), "$#00");
    EXPECT_EQ(checksum("g"), 0x67);
}

TEST(RemoteProtocol, EscapesTheProtocolsOwnCharacters) {
    // '#' is 0x23, escaped as '}' then 0x03; the checksum covers the escaped bytes.
    std::string const packet = frame("a#b$c}d*e");
    EXPECT_EQ(packet.substr(0, packet.size() - 2), "$a}\x03"
                                                   "b}\x04"
                                                   "c}]d}\x0a"
                                                   "e#");
    auto const events = read_all(packet);
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].kind, PacketReader::Kind::Packet);
    EXPECT_EQ(events[0].payload, "a#b$c}d*e");
}

TEST(PacketReader, ReadsPacketsAcksAndTheInterruptInOrder) {
    auto const events = read_all("+$g#67-\x03" + frame("m400000,8") + "junk+");
    ASSERT_EQ(events.size(), 6u);
    EXPECT_EQ(events[0].kind, PacketReader::Kind::Ack);
    EXPECT_EQ(events[1].payload, "g");
    EXPECT_EQ(events[2].kind, PacketReader::Kind::Nack);
    EXPECT_EQ(events[3].kind, PacketReader::Kind::Interrupt);
    EXPECT_EQ(events[4].kind, PacketReader::Kind::Packet);
    EXPECT_EQ(events[4].payload, "m400000,8");
    EXPECT_EQ(events[5].kind, PacketReader::Kind::Ack);
}

TEST(PacketReader, WaitsForAPacketSplitAnywhere) {
    std::string const packet = frame("qSupported:swbreak+");
    for (usize cut = 0; cut <= packet.size(); ++cut) {
        PacketReader reader;
        reader.feed(packet.substr(0, cut));
        if (cut < packet.size()) { EXPECT_FALSE(reader.next()) << cut; }
        reader.feed(packet.substr(cut));
        auto const event = reader.next();
        ASSERT_TRUE(event) << cut;
        EXPECT_EQ(event->payload, "qSupported:swbreak+");
    }
}

TEST(PacketReader, ReportsABadChecksumAndGoesOn) {
    auto const events = read_all("$g#00$g#zz$}#7d$g#67");
    ASSERT_EQ(events.size(), 4u);
    EXPECT_EQ(events[0].kind, PacketReader::Kind::BadChecksum);
    EXPECT_EQ(events[1].kind, PacketReader::Kind::BadChecksum);
    EXPECT_EQ(events[2].kind, PacketReader::Kind::BadChecksum); // an escape cut short (checksum of "}" is 0x7d)
    EXPECT_EQ(events[3].payload, "g");
}

TEST(PacketReader, DropsAnOverlongPacketWithoutKeepingIt) {
    PacketReader reader;
    reader.feed("$");
    for (int i = 0; i < 100; ++i) reader.feed(std::string(1024, 'a'));
    EXPECT_FALSE(reader.next());
    reader.feed("#00$g#67"); // 0x4000 times 'a' sums to 0: only its length can refuse it
    auto const first = reader.next();
    ASSERT_TRUE(first);
    EXPECT_EQ(first->kind, PacketReader::Kind::BadChecksum);
    EXPECT_EQ(reader.next()->payload, "g");
}

TEST(PacketReader, RefusesAnOverlongPacketThatArrivesWhole) {
    std::string const payload(PacketReader::MaxPayload + 1, 'a');
    auto const events = read_all(frame(payload) + frame("g"));
    ASSERT_EQ(events.size(), 2u);
    EXPECT_EQ(events[0].kind, PacketReader::Kind::BadChecksum);
    EXPECT_EQ(events[1].payload, "g");
}

TEST(PacketReader, NeverCrashesOnRandomBytes) {
    std::mt19937_64 random(16);
    std::string const alphabet = "$#}*+-\x03g0123456789abcdefXYZ:;,";
    for (int round = 0; round < 2000; ++round) {
        PacketReader reader;
        std::string bytes(random() % 64, '\0');
        for (char& c : bytes) c = round % 2 == 0 ? alphabet[random() % alphabet.size()] : static_cast<char>(random());
        reader.feed(bytes);
        while (auto event = reader.next()) {
            if (event->kind == PacketReader::Kind::Packet) { EXPECT_LE(event->payload.size(), bytes.size()); }
        }
    }
}

TEST(RemoteProtocol, HexRoundTripsAndRefusesMalformedText) {
    EXPECT_EQ(to_hex("\x01\xab"), "01ab");
    EXPECT_EQ(from_hex("01AB"), std::string("\x01\xab"));
    EXPECT_FALSE(from_hex("abc"));
    EXPECT_FALSE(from_hex("zz"));
    EXPECT_EQ(to_hex_le(0x401000, 8), "0010400000000000");
    EXPECT_EQ(from_hex_le("0010400000000000", 8), 0x401000u);
    EXPECT_FALSE(from_hex_le("0010", 8));
    EXPECT_EQ(parse_number("ffffffffffffffff"), ~u64{0});
    EXPECT_FALSE(parse_number("10000000000000000")); // 17 digits: would overflow
    EXPECT_FALSE(parse_number(""));
    EXPECT_FALSE(parse_number("-1"));
}

TEST(RemoteProtocol, ParsesMemoryPackets) {
    auto const read = parse_memory_read("400000,10");
    ASSERT_TRUE(read);
    EXPECT_EQ(read->address, 0x400000u);
    EXPECT_EQ(read->length, 0x10u);
    auto const write = parse_memory_write("1000,2:beef");
    ASSERT_TRUE(write);
    EXPECT_EQ(write->bytes, std::string("\xbe\xef"));
    for (char const* bad : {"", ",", "400000", "400000,", ",10", "x,1", "1,x", "1,2,3"})
        EXPECT_FALSE(parse_memory_read(bad)) << bad;
    for (char const* bad : {"1000,2:be", "1000,2:beefaa", "1000,2", "1000,2:zzzz", ":"})
        EXPECT_FALSE(parse_memory_write(bad)) << bad;
}

TEST(RemoteProtocol, ParsesBreakpointsThreadsAndRegisters) {
    auto const breakpoint = parse_breakpoint("1,401234,1");
    ASSERT_TRUE(breakpoint);
    EXPECT_EQ(breakpoint->type, 1);
    EXPECT_EQ(breakpoint->address, 0x401234u);
    for (char const* bad : {"", "0", "0,", "0,1", "5,1,1", "0,1,1;X1,0", "a b,1,1"})
        EXPECT_FALSE(parse_breakpoint(bad)) << bad;
    EXPECT_EQ(parse_thread("-1")->which, ThreadRef::Which::All);
    EXPECT_EQ(parse_thread("0")->which, ThreadRef::Which::Any);
    EXPECT_EQ(parse_thread("1f")->id, 0x1fu);
    EXPECT_FALSE(parse_thread("-2"));
    EXPECT_FALSE(parse_thread("p1.1"));
    auto const reg = parse_register_write("10=0010400000000000");
    ASSERT_TRUE(reg);
    EXPECT_EQ(reg->number, 16u);
    EXPECT_EQ(reg->bytes.size(), 8u);
    for (char const* bad : {"", "10", "10=", "=00", "10=0", "x=00"}) EXPECT_FALSE(parse_register_write(bad)) << bad;
}

TEST(RemoteProtocol, ParsesVContActions) {
    auto const actions = parse_vcont(";s:3;c");
    ASSERT_TRUE(actions);
    ASSERT_EQ(actions->size(), 2u);
    EXPECT_EQ((*actions)[0].kind, ResumeAction::Kind::Step);
    EXPECT_EQ((*actions)[0].thread.id, 3u);
    EXPECT_EQ((*actions)[1].kind, ResumeAction::Kind::Continue);
    EXPECT_EQ((*actions)[1].thread.which, ThreadRef::Which::All);
    EXPECT_EQ(parse_vcont(";C05:1")->front().kind, ResumeAction::Kind::Continue);
    for (char const* bad : {"", ";", ";x", ";s:", ";s:zz", ";c;", "c", ";C5", ";ss", ";:1"})
        EXPECT_FALSE(parse_vcont(bad)) << bad;
}

TEST(RemoteProtocol, ParsesTransferReadsAndSplitsTheReply) {
    auto const read = parse_transfer_read("features:read:target.xml:0,ffb");
    ASSERT_TRUE(read);
    EXPECT_EQ(read->object, "features");
    EXPECT_EQ(read->annex, "target.xml");
    EXPECT_EQ(read->length, 0xffbu);
    for (char const* bad :
         {"", "features", "features:write:a:0,1", "features:read:a", "features:read:a:0", ":read:a:0,1"})
        EXPECT_FALSE(parse_transfer_read(bad)) << bad;
    EXPECT_EQ(transfer_reply("abcdef", 0, 4), "mabcd");
    EXPECT_EQ(transfer_reply("abcdef", 4, 4), "lef");
    EXPECT_EQ(transfer_reply("abcdef", 9, 4), "l");
}

} // namespace
} // namespace grove::gdb
