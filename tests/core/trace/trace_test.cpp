#include <core/trace/event_encoding.hpp>
#include <core/trace/event_fields.hpp>
#include <core/trace/event_recorder.hpp>
#include <core/trace/trace_digest.hpp>
#include <core/trace/tracer.hpp>

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace grove {
namespace {

std::vector<u8> bytes_of_event(Event const& e) {
    EncodedEvent const encoded = encode_event(e);
    return std::vector<u8>(encoded.bytes, encoded.bytes + encoded.size);
}

TEST(EventEncoding, IsLittleEndianInTheDocumentedOrder) {
    Event const e = Event::crashed(Ticks(0x0102030405060708), GroveId{0x11223344, 0x55667788},
                                   Crash{CrashKind::Exit, -2, 0xa1a2a3a4a5a6a7a8, 0xb1b2b3b4b5b6b7b8});
    std::vector<u8> const expected = {
        5,                                              // kind: crashed
        0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01, // time
        0x44, 0x33, 0x22, 0x11,                         // serial
        0x88, 0x77, 0x66, 0x55,                         // generation
        4,                                              // crash kind: exit
        0xfe, 0xff, 0xff, 0xff,                         // exit code -2
        0xa8, 0xa7, 0xa6, 0xa5, 0xa4, 0xa3, 0xa2, 0xa1, // pc
        0xb8, 0xb7, 0xb6, 0xb5, 0xb4, 0xb3, 0xb2, 0xb1, // address
    };
    EXPECT_EQ(bytes_of_event(e), expected);
}

TEST(EventEncoding, EachKindHasItsOwnLength) {
    GroveId const g{1, 1};
    EXPECT_EQ(encode_event(Event::started(Ticks(1), g)).size, 17u);
    EXPECT_EQ(encode_event(Event::gave_up(Ticks(1), g)).size, 17u);
    EXPECT_EQ(encode_event(Event::loaded(Ticks(1), g, VirtAddr{1}, Bytes(2))).size, 33u);
    EXPECT_EQ(encode_event(Event::stopping(Ticks(1), g, Ticks(2))).size, 25u);
    EXPECT_EQ(encode_event(Event::stopped(Ticks(1), g, 0)).size, 21u);
    EXPECT_EQ(encode_event(Event::respawn_scheduled(Ticks(1), g, Ticks(2))).size, 25u);
    EXPECT_EQ(encode_event(Event::respawned(Ticks(1), g)).size, 21u);
    EXPECT_EQ(encode_event(Event::limit_exceeded(Ticks(1), g, Resource::Memory, 1, 2)).size, 34u);
    EXPECT_EQ(encode_event(Event::capability_denied(Ticks(1), g, CapabilityKind::IoPort, 3)).size, 26u);
    EXPECT_EQ(encode_event(Event::message_sent(Ticks(1), g, 2, 3, 4)).size, 26u);
    EXPECT_EQ(encode_event(Event::message_delivered(Ticks(1), g, 2, 3, 4)).size, 26u);
    EXPECT_EQ(encode_event(Event::message_refused(Ticks(1), g, 2, 3, 4, Refusal::ReceiveDenied)).size, 27u);
}

// Every kind the core emits, its fields filled with a byte pattern.
std::vector<Event> every_kind_patterned() {
    std::vector<Event> events;
    for (unsigned k = 0; k < 256; ++k) {
        auto const kind = static_cast<EventKind>(k);
        if (!is_emitted_kind(kind)) continue;
        events.push_back(Event::raw(kind, Ticks(0x0102030405060708 + k), GroveId{7 + k, 3}, 0x0807060504030201,
                                    0x1817161514131211, 0x2827262524232221, 0x3837363534333231));
    }
    return events;
}

TEST(EventDecoding, GivesBackTheEventOfEveryEncoding) {
    std::vector<Event> const events = every_kind_patterned();
    ASSERT_GE(events.size(), 21u);
    for (Event const& e : events) {
        EncodedEvent const encoded = encode_event(e);
        Result<Event> const decoded = decode_event(encoded.bytes, encoded.size);
        ASSERT_TRUE(decoded.has_value()) << event_kind_name(e.kind);
        EXPECT_EQ(bytes_of_event(decoded.value()), bytes_of_event(e)) << event_kind_name(e.kind);
        EXPECT_EQ(decoded.value().kind, e.kind);
        EXPECT_EQ(decoded.value().time, e.time);
        EXPECT_EQ(decoded.value().serial, e.serial);
        EXPECT_EQ(decoded.value().generation, e.generation);
    }
}

TEST(EventDecoding, RefusesAnythingButExactlyOneEncoding) {
    for (Event const& e : every_kind_patterned()) {
        EncodedEvent const encoded = encode_event(e);
        EXPECT_TRUE(decode_event(encoded.bytes, encoded.size - 1).is_error()) << event_kind_name(e.kind);
        u8 longer[MaxEncodedEventSize + 1] = {};
        for (usize i = 0; i < encoded.size; ++i) longer[i] = encoded.bytes[i];
        EXPECT_TRUE(decode_event(longer, encoded.size + 1).is_error()) << event_kind_name(e.kind);
    }
    EXPECT_TRUE(decode_event(nullptr, 0).is_error());
    Event const fault = Event::fault(Ticks(1), GroveId{2, 1}, Trap::make_timer(0x401000));
    EncodedEvent wide = encode_event(fault);
    ASSERT_TRUE(decode_event(wide.bytes, wide.size).has_value());
    wide.bytes[1 + 8 + 4 + 4 + 3 + 2] = 1; // the port's third byte: no u16 port encodes to it
    EXPECT_TRUE(decode_event(wide.bytes, wide.size).is_error());
    u8 unknown[17] = {0}; // kind 0: no event
    EXPECT_TRUE(decode_event(unknown, sizeof unknown).is_error());
    unknown[0] = 200;
    EXPECT_TRUE(decode_event(unknown, sizeof unknown).is_error());
}

// Every field of every kind, each changed in turn, must change the digest.
std::vector<Event> one_of_each() {
    GroveId const g{3, 2};
    Ticks const t(1000);
    return {
        Event::loaded(t, g, VirtAddr{0x400000}, Bytes(4096)),
        Event::started(t, g),
        Event::stopping(t, g, Ticks(5000)),
        Event::stopped(t, g, 0),
        Event::crashed(t, g, Crash::fault(0x401000, 0xdead)),
        Event::respawn_scheduled(t, g, Ticks(100)),
        Event::respawned(t, g),
        Event::gave_up(t, g),
        Event::limit_exceeded(t, g, Resource::Memory, 10, 5),
        Event::capability_denied(t, g, CapabilityKind::IoPort, 0x3f8),
        Event::message_sent(t, g, 1, 0x10, 3),
        Event::message_delivered(t, g, 1, 0x10, 3),
        Event::message_refused(t, g, 1, 0x10, 3, Refusal::QueueFull),
    };
}

u64 digest_of(std::vector<Event> const& events) {
    TraceDigest d;
    for (auto const& e : events) d.add(e);
    return d.value();
}

TEST(TraceDigest, EqualStreamsHaveEqualDigests) {
    EXPECT_EQ(digest_of(one_of_each()), digest_of(one_of_each()));
    EXPECT_NE(digest_of(one_of_each()), TraceDigest{}.value());
    TraceDigest d;
    for (auto const& e : one_of_each()) d.add(e);
    EXPECT_EQ(d.count(), one_of_each().size());
}

// The digest hashes eight bytes per loop test: it must be FNV-1a over the events' encodings, byte after byte, for
// encodings of every length the kinds have (17 to 49 bytes), so that no recorded digest moves.
TEST(TraceDigest, IsFnv1aOverTheEncodingsOfTheEvents) {
    TraceDigest d;
    Fnv1a64 bytewise;
    for (Event const& e : one_of_each()) {
        d.add(e);
        EncodedEvent const encoded = encode_event(e);
        bytewise.update(encoded.bytes, encoded.size);
        EXPECT_EQ(d.value(), bytewise.digest()) << event_kind_name(e.kind) << " (" << encoded.size << " bytes)";
    }
}

TEST(TraceDigest, ChangingAnyFieldChangesTheDigest) {
    u64 const base = digest_of(one_of_each());
    std::vector<Event> const events = one_of_each();
    int changes = 0;
    for (usize i = 0; i < events.size(); ++i) {
        // The header fields.
        auto check = [&](auto mutate, char const* what) {
            std::vector<Event> changed = events;
            mutate(changed[i]);
            EXPECT_NE(digest_of(changed), base) << event_kind_name(events[i].kind) << ": " << what;
            ++changes;
        };
        check([](Event& e) { e.time += Ticks(1); }, "time");
        check([](Event& e) { e.serial += 1; }, "serial");
        check([](Event& e) { e.generation += 1; }, "generation");
        check([](Event& e) { e.kind = e.kind == EventKind::Started ? EventKind::GaveUp : EventKind::Started; }, "kind");
    }
    // Each kind's own fields.
    auto check_field = [&](usize index, auto mutate, char const* what) {
        std::vector<Event> changed = events;
        mutate(changed[index].fields);
        EXPECT_NE(digest_of(changed), base) << what;
        ++changes;
    };
    check_field(
        0, [](Event::Fields& f) { f.loaded.entry += 1; }, "loaded.entry");
    check_field(
        0, [](Event::Fields& f) { f.loaded.memory += 1; }, "loaded.memory");
    check_field(
        2, [](Event::Fields& f) { f.stopping.deadline += 1; }, "stopping.deadline");
    check_field(
        3, [](Event::Fields& f) { f.stopped.exit_code = 1; }, "stopped.exit_code");
    check_field(
        4, [](Event::Fields& f) { f.crashed.kind = CrashKind::Killed; }, "crashed.kind");
    check_field(
        4, [](Event::Fields& f) { f.crashed.exit_code = -1; }, "crashed.exit_code");
    check_field(
        4, [](Event::Fields& f) { f.crashed.pc += 1; }, "crashed.pc");
    check_field(
        4, [](Event::Fields& f) { f.crashed.address += 1; }, "crashed.address");
    check_field(
        5, [](Event::Fields& f) { f.respawn_scheduled.delay += 1; }, "respawn_scheduled.delay");
    check_field(
        6, [](Event::Fields& f) { f.respawned.generation += 1; }, "respawned.generation");
    check_field(
        8, [](Event::Fields& f) { f.limit_exceeded.resource = Resource::Threads; }, "resource");
    check_field(
        8, [](Event::Fields& f) { f.limit_exceeded.requested += 1; }, "requested");
    check_field(
        8, [](Event::Fields& f) { f.limit_exceeded.limit += 1; }, "limit");
    check_field(
        9, [](Event::Fields& f) { f.capability_denied.capability = CapabilityKind::Network; }, "capability");
    check_field(
        9, [](Event::Fields& f) { f.capability_denied.detail += 1; }, "detail");
    check_field(
        10, [](Event::Fields& f) { f.message_sent.to += 1; }, "message_sent.to");
    check_field(
        10, [](Event::Fields& f) { f.message_sent.tag += 1; }, "message_sent.tag");
    check_field(
        10, [](Event::Fields& f) { f.message_sent.priority += 1; }, "message_sent.priority");
    check_field(
        11, [](Event::Fields& f) { f.message_delivered.from += 1; }, "message_delivered.from");
    check_field(
        11, [](Event::Fields& f) { f.message_delivered.tag += 1; }, "message_delivered.tag");
    check_field(
        11, [](Event::Fields& f) { f.message_delivered.priority += 1; }, "message_delivered.priority");
    check_field(
        12, [](Event::Fields& f) { f.message_refused.to += 1; }, "message_refused.to");
    check_field(
        12, [](Event::Fields& f) { f.message_refused.tag += 1; }, "message_refused.tag");
    check_field(
        12, [](Event::Fields& f) { f.message_refused.priority += 1; }, "message_refused.priority");
    check_field(
        12, [](Event::Fields& f) { f.message_refused.reason = Refusal::TimedOut; }, "reason");
    EXPECT_EQ(changes, 13 * 4 + 25);

    // Order matters too.
    std::vector<Event> swapped = events;
    std::swap(swapped[0], swapped[1]);
    EXPECT_NE(digest_of(swapped), base);
}

TEST(EventRecorder, KeepsTheFirstEventsAndCountsTheRest) {
    EventRecorder<2> r;
    for (int i = 0; i < 5; ++i) r.on_event(Event::started(Ticks(static_cast<u64>(i)), GroveId{1, 1}));
    EXPECT_EQ(r.size(), 2u);
    EXPECT_EQ(r.dropped(), 3u);
    EXPECT_EQ(r[1].time, Ticks(1));
    EXPECT_EQ(r.count(EventKind::Started), 2u);
    EXPECT_EQ(r.last(EventKind::GaveUp), nullptr);
    r.clear();
    EXPECT_EQ(r.size(), 0u);
    EXPECT_EQ(r.dropped(), 0u);
}

TEST(Tracer, DigestsEveryEventAndForwardsToTheSink) {
    Tracer tracer;
    EventRecorder<8> recorder;
    tracer.emit(Event::started(Ticks(1), GroveId{1, 1})); // no sink yet: digested only
    tracer.set_sink(&recorder);
    tracer.emit(Event::gave_up(Ticks(2), GroveId{1, 1}));
    EXPECT_EQ(tracer.count(), 2u);
    EXPECT_EQ(recorder.size(), 1u);
    EXPECT_EQ(tracer.digest(),
              digest_of({Event::started(Ticks(1), GroveId{1, 1}), Event::gave_up(Ticks(2), GroveId{1, 1})}));
}

TEST(EventNames, AreSnakeCase) {
    EXPECT_STREQ(event_kind_name(EventKind::RespawnScheduled), "respawn_scheduled");
    EXPECT_STREQ(event_kind_name(EventKind::LimitExceeded), "limit_exceeded");
    EXPECT_STREQ(event_kind_name(EventKind::CapabilityDenied), "capability_denied");
    EXPECT_STREQ(event_kind_name(EventKind::MessageDelivered), "message_delivered");
    EXPECT_STREQ(crash_kind_name(CrashKind::LimitViolation), "limit");
    EXPECT_STREQ(resource_name(Resource::IpcRate), "ipc_rate");
    EXPECT_STREQ(capability_kind_name(CapabilityKind::PhysicalMemory), "physical_memory");
    static_assert(event_kind_name(EventKind::GaveUp)[0] == 'g');
}

TEST(EventFields, ListsTheFieldsOfAKindInEncodingOrder) {
    std::string text;
    auto append = [&](EventField const& f) {
        text += f.name;
        text += '=';
        switch (f.type) {
        case EventField::Type::Name: text += f.text; break;
        case EventField::Type::Signed: text += std::to_string(f.signed_value()); break;
        case EventField::Type::Unsigned:
        case EventField::Type::Hex:
        case EventField::Type::Grove: text += std::to_string(f.value); break;
        }
        text += ' ';
    };
    for_each_event_field(Event::crashed(Ticks(1), GroveId{1, 1}, Crash::exit(-3)), append);
    EXPECT_EQ(text, "kind=exit exit_code=-3 pc=0 address=0 ");
    text.clear();
    for_each_event_field(Event::limit_exceeded(Ticks(1), GroveId{1, 1}, Resource::Threads, 17, 16), append);
    EXPECT_EQ(text, "resource=threads requested=17 limit=16 ");
    text.clear();
    for_each_event_field(Event::started(Ticks(1), GroveId{1, 1}), append);
    EXPECT_EQ(text, "");
}

} // namespace
} // namespace grove
