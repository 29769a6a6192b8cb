#include <core/trace/event.hpp>
#include <sim/scenario/trace.hpp>
#include <sim/scenario/verdict.hpp>

#include <gtest/gtest.h>

#include <iterator>
#include <sstream>

namespace grove::scenario {
namespace {

Trace sample_trace() {
    Trace trace;
    trace.events.push_back(TraceEvent{Ticks(0), "crasher", 1, "loaded", {}}.with("image", "crasher"));
    trace.events.push_back(TraceEvent{Ticks(10), "crasher", 1, "started", {}});
    trace.events.push_back(TraceEvent{milliseconds(5), "crasher", 1, "crashed", {}}
                               .with("kind", "fault")
                               .with("pc", u64{0x401000})
                               .with("code", FieldValue::integer(-11))
                               .with("big", ~u64{0}));
    trace.events.push_back(TraceEvent{milliseconds(6), "", 0, "console", {}}.with("text", "tab\t\"quote\" \\ ü"));
    FinalCounters counters;
    counters.end_time = seconds(2);
    counters.digest = 0x0123456789abcdefULL;
    counters.groves.push_back(GroveCounters{"crasher", GroveState::Quarantined, 3, 2, IpcCounters{4, 2, 1, 1}});
    counters.groves.push_back(GroveCounters{"warden", GroveState::Running, 0, 0, IpcCounters{}});
    counters.overall = IpcCounters{7, 5, 1, 1};
    trace.final_counters = counters;
    return trace;
}

TEST(Trace, WritesKeysInTheFixedOrder) {
    Trace const trace = sample_trace();
    EXPECT_EQ(format_event_line(trace.events[0]),
              R"({"t":0,"grove":"crasher","gen":1,"event":"loaded","image":"crasher"})");
    EXPECT_EQ(format_event_line(trace.events[2]),
              R"({"t":5000000,"grove":"crasher","gen":1,"event":"crashed","kind":"fault","pc":4198400,"code":-11,)"
              R"("big":18446744073709551615})");
    EXPECT_EQ(format_event_line(trace.events[3]),
              R"({"t":6000000,"grove":"","gen":0,"event":"console","text":"tab\t\"quote\" \\ ü"})");
    EXPECT_EQ(format_final_line(*trace.final_counters),
              R"({"final":{"t":2000000000,"digest":"0123456789abcdef","overall":{"sent":7,"delivered":5,)"
              R"("refused":1,"queued":1},"groves":[{"grove":"crasher","state":"quarantined","crashes":3,)"
              R"("respawns":2,"sent":4,"delivered":2,"refused":1,"queued":1},{"grove":"warden","state":"running",)"
              R"("crashes":0,"respawns":0,"sent":0,"delivered":0,"refused":0,"queued":0}]}})");
}

TEST(Trace, RoundTripsThroughJsonLines) {
    Trace const trace = sample_trace();
    std::string const text = format_trace(trace);
    auto const read = read_trace_string(text, "run.jsonl");
    ASSERT_TRUE(read.has_value()) << read.error().text();
    EXPECT_EQ(read.value(), trace);
    EXPECT_EQ(format_trace(read.value()), text);
}

// A simulator trace's step stamps are written after the fields and read back, and stay out of the canonical line
// (and so out of every digest).
TEST(Trace, StepStampsRoundTripOutsideTheCanonicalLine) {
    Trace trace = sample_trace();
    trace.stamps.assign(trace.events.size(), StepStamp{3, 4});
    trace.stamps[1] = StepStamp{12, 0xfedcba9876543210ULL};
    trace.final_counters->steps = StepStamp{40, 0x1ULL};
    EXPECT_EQ(format_event_line(trace.events[1]), R"({"t":10,"grove":"crasher","gen":1,"event":"started"})");
    EXPECT_EQ(format_stamped_event_line(trace.events[1], &trace.stamps[1]),
              R"({"t":10,"grove":"crasher","gen":1,"event":"started","run_step":12,"run_hash":"fedcba9876543210"})");
    u64 const digest = trace_digest(trace.events);
    auto const read = read_trace_string(format_trace(trace), "stamped.jsonl");
    ASSERT_TRUE(read.has_value()) << read.error().text();
    EXPECT_EQ(read.value(), trace);
    EXPECT_EQ(trace_digest(read.value().events), digest);
    auto const half = read_trace_string(R"({"t":1,"grove":"","gen":0,"event":"started","run_step":3})", "half.jsonl");
    ASSERT_FALSE(half.has_value());
    EXPECT_NE(half.error().text().find("only one of \"run_step\" and \"run_hash\""), std::string::npos);
    auto const some = read_trace_string("{\"t\":1,\"grove\":\"\",\"gen\":0,\"event\":\"started\"}\n"
                                        "{\"t\":2,\"grove\":\"\",\"gen\":0,\"event\":\"started\",\"run_step\":3,"
                                        "\"run_hash\":\"0000000000000001\"}\n",
                                        "some.jsonl");
    ASSERT_FALSE(some.has_value());
    EXPECT_NE(some.error().text().find("on some events and not on others"), std::string::npos);
}

// Metal's final record carries the machine's frames, for its verdict's memory accounting row.
TEST(Trace, MemoryCountersOfAFinalRecordRoundTripAndMakeTheAccountingRow) {
    Trace trace = sample_trace();
    trace.final_counters->memory = MemoryCounters{31756, 31727, 29};
    std::string const text = format_trace(trace);
    EXPECT_NE(text.find("\"memory\":{\"frames\":31756,\"free\":31727,\"held\":29}"), std::string::npos);
    auto const read = read_trace_string(text, "serial");
    ASSERT_TRUE(read.has_value()) << read.error().text();
    EXPECT_EQ(read.value(), trace);
    EXPECT_TRUE(memory_accounting_row(*read.value().final_counters->memory).passed);
    EXPECT_FALSE(memory_accounting_row(MemoryCounters{31756, 31727, 28}).passed);
}

TEST(Trace, WritingIsByteIdenticalEveryTime) {
    std::ostringstream first;
    std::ostringstream second;
    write_trace(first, sample_trace());
    write_trace(second, sample_trace());
    EXPECT_EQ(first.str(), second.str());
    EXPECT_EQ(first.str(), format_trace(sample_trace()));
    EXPECT_EQ(trace_digest(sample_trace().events), trace_digest(sample_trace().events));
}

TEST(Trace, DigestChangesWithAnyEventChange) {
    Trace trace = sample_trace();
    u64 const before = trace_digest(trace.events);
    trace.events[1].time = Ticks(11);
    EXPECT_NE(trace_digest(trace.events), before);
    EXPECT_EQ(trace_digest({}), 0xcbf29ce484222325ULL); // FNV-1a of nothing
}

TEST(Trace, InvalidUtf8IsReplacedNotRejected) {
    TraceEvent const event = TraceEvent{Ticks(1), "a", 1, "console", {}}.with("text", std::string("x\xffy"));
    EXPECT_EQ(format_event_line(event),
              "{\"t\":1,\"grove\":\"a\",\"gen\":1,\"event\":\"console\",\"text\":\"x\xef\xbf\xbdy\"}");
}

TEST(Trace, ReadsATraceWithoutFinalRecordAndSkipsEmptyLines) {
    auto const read = read_trace_string("\n{\"t\":1,\"grove\":\"a\",\"gen\":1,\"event\":\"started\"}\r\n\n", "x");
    ASSERT_TRUE(read.has_value());
    EXPECT_EQ(read.value().events.size(), 1u);
    EXPECT_FALSE(read.value().final_counters.has_value());
}

std::string read_error(std::string_view text) {
    auto const read = read_trace_string(text, "run.jsonl");
    EXPECT_FALSE(read.has_value());
    return read.has_value() ? "(read)" : read.error().text();
}

TEST(Trace, ReaderRejectsMalformedLinesWithTheirPosition) {
    std::string const good = "{\"t\":1,\"grove\":\"a\",\"gen\":1,\"event\":\"started\"}\n";
    EXPECT_EQ(read_error(good + "{\"t\":2,\"grove\":\"a\",\"gen\":1}\n"),
              "run.jsonl:2:1: an event has no \"event\"; add it");
    EXPECT_EQ(read_error(good + "{\"t\":-2,\"grove\":\"a\",\"gen\":1,\"event\":\"x\"}\n"),
              "run.jsonl:2:1: \"t\" in an event must be a non-negative integer");
    EXPECT_EQ(read_error(good + "{\"t\":2,\"grove\":\"a\",\"gen\":1,\"event\":\"x\",\"f\":1.5}\n"),
              "run.jsonl:2:1: field \"f\" must be a string or an integer");
    EXPECT_EQ(read_error("{\"t\":2,\"grove\":\"a\",\"gen\":1,\"event\":\"x\",\"t\":3}\n"),
              "run.jsonl:1:1: the key \"t\" appears twice in one object; keep one");
    EXPECT_EQ(read_error("[1]\n"), "run.jsonl:1:1: each line must be a JSON object");
    EXPECT_EQ(read_error("{\"t\":1,\"grove\":\"a\",\"gen\":4294967296,\"event\":\"x\"}\n"),
              "run.jsonl:1:1: \"gen\" is 4294967296, more than a generation can be (at most 4294967295)");
    std::string const invalid = read_error(good + good + "{\"t\":1,}\n");
    EXPECT_EQ(invalid, "run.jsonl:3:8: invalid JSON: syntax error while parsing object key - unexpected '}'; expected "
                       "string literal");
}

TEST(Trace, ReaderRejectsABadFinalRecord) {
    std::string const final_line = format_final_line(*sample_trace().final_counters);
    EXPECT_EQ(read_error(final_line + "\n" + final_line + "\n"),
              "run.jsonl:2:1: a line after the final record; the final record ends a trace");
    EXPECT_EQ(read_error("{\"final\":{\"t\":1,\"digest\":\"xyz\",\"overall\":{},\"groves\":[]}}\n"),
              "run.jsonl:1:1: \"digest\" must be 16 hex digits");
    EXPECT_EQ(read_error("{\"final\":{\"t\":1,\"digest\":\"0000000000000000\",\"overall\":{\"sent\":0,"
                         "\"delivered\":0,\"refused\":0,\"queued\":0},\"groves\":[{\"grove\":\"a\",\"state\":"
                         "\"zombie\"}]}}\n"),
              "run.jsonl:1:1: unknown grove state \"zombie\"");
    EXPECT_EQ(read_error("{\"final\":{\"t\":1,\"digest\":\"0000000000000000\",\"extra\":1}}\n"),
              "run.jsonl:1:1: unknown key \"extra\" in the final record");
}

TEST(Trace, ReadingAMissingFileNamesIt) {
    auto const read = read_trace_file("/nonexistent/run.jsonl");
    ASSERT_FALSE(read.has_value());
    EXPECT_EQ(read.error().text(),
              "/nonexistent/run.jsonl: cannot open the trace file; check the path and its permissions");
}

TEST(Trace, DigestTextRoundTrips) {
    EXPECT_EQ(format_digest(0xabcULL), "0000000000000abc");
    EXPECT_EQ(parse_digest_text("0000000000000ABC"), 0xabcULL);
    EXPECT_FALSE(parse_digest_text("abc").has_value());
    EXPECT_FALSE(parse_digest_text("000000000000000g").has_value());
}

TEST(Trace, FieldValuesCompareByNumberWhateverTheirOrigin) {
    EXPECT_EQ(FieldValue::integer(5), FieldValue::unsigned_integer(5));
    EXPECT_NE(FieldValue::integer(-5), FieldValue::unsigned_integer(5));
    EXPECT_NE(FieldValue::text("5"), FieldValue::unsigned_integer(5));
    EXPECT_EQ(FieldValue::integer(-5).to_string(), "-5");
}

TEST(Trace, KnownEventKindsIncludeTheLifecycle) {
    for (char const* kind : {"loaded", "started", "stopping", "stopped", "crashed", "respawn_scheduled", "respawned",
                             "gave_up", "limit_exceeded", "capability_denied", "fault", "throttled", "console"})
        EXPECT_TRUE(is_known_event_kind(kind)) << kind;
    EXPECT_FALSE(is_known_event_kind("exploded"));
}

TEST(Trace, KnownEventKindsAreExactlyTheEmittedOnes) {
    EXPECT_FALSE(is_known_event_kind("exited")) << "exited is emitted by nothing";
    for (char const* kind : {"message_sent", "message_delivered", "message_refused"})
        EXPECT_TRUE(is_known_event_kind(kind)) << kind << " is emitted for every message";
    usize core_kinds = 0;
    for (unsigned value = 0; value < 256; ++value) {
        auto const kind = static_cast<EventKind>(value);
        if (std::string_view(event_kind_name(kind)) == "unknown") continue;
        EXPECT_EQ(is_known_event_kind(event_kind_name(kind)), is_emitted_kind(kind)) << event_kind_name(kind);
        core_kinds += is_emitted_kind(kind) ? 1 : 0;
    }
    for (std::string_view kind : RunnerEventKinds) EXPECT_TRUE(is_known_event_kind(kind)) << kind;
    EXPECT_EQ(known_event_kinds().size(), core_kinds + std::size(RunnerEventKinds));
}

} // namespace
} // namespace grove::scenario
