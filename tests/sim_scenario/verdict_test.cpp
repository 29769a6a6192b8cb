#include <sim/scenario/scenario_parser.hpp>
#include <sim/scenario/verdict.hpp>

#include <gtest/gtest.h>

#include <string>

namespace grove::scenario {
namespace {

// Two groves and the given [expect] section.
Scenario scenario_expecting(std::string_view expect) {
    std::string const text = std::string("name = \"v\"\nduration = \"1s\"\n"
                                         "[[groves]]\nname = \"crasher\"\nimage = \"crasher\"\n"
                                         "[[groves]]\nname = \"warden\"\nimage = \"warden\"\n[expect]\n") +
                             std::string(expect);
    auto parsed = parse_scenario_string(text, "v.toml", ParseOptions{});
    EXPECT_TRUE(parsed.has_value()) << (parsed.has_value() ? "" : parsed.error().text());
    return parsed.has_value() ? parsed.release_value() : Scenario{};
}

// A run: crasher crashes twice, is respawned once, then given up; warden hears of it.
Trace recorded_run() {
    Trace trace;
    auto add = [&](u64 ms, char const* grove, u32 generation, char const* kind) -> TraceEvent& {
        trace.events.push_back(TraceEvent{milliseconds(ms), grove, generation, kind, {}});
        return trace.events.back();
    };
    add(0, "crasher", 1, "started");
    add(0, "warden", 1, "started");
    add(5, "crasher", 1, "crashed").with("kind", "fault").with("code", FieldValue::integer(-11));
    add(5, "crasher", 1, "respawn_scheduled").with("delay", u64{1'000'000});
    add(6, "crasher", 2, "respawned");
    add(11, "crasher", 2, "crashed").with("kind", "limit");
    add(11, "crasher", 2, "gave_up");
    add(11, "warden", 1, "message_delivered").with("from", "kernel");
    FinalCounters counters;
    counters.end_time = seconds(1);
    counters.digest = 0x1122334455667788ULL;
    counters.groves = {GroveCounters{"crasher", GroveState::Quarantined, 2, 1, IpcCounters{0, 0, 0, 0}},
                       GroveCounters{"warden", GroveState::Running, 0, 0, IpcCounters{5, 3, 1, 1}}};
    counters.overall = IpcCounters{7, 5, 1, 1};
    trace.final_counters = counters;
    return trace;
}

std::vector<VerdictRow> rows_for(std::string_view expect, Trace const& trace = recorded_run()) {
    return evaluate_verdict(scenario_expecting(expect), trace).rows;
}

TEST(Verdict, FinalStates) {
    EXPECT_EQ(rows_for("final_state = { crasher = \"quarantined\", warden = \"stopped\" }"),
              (std::vector<VerdictRow>{{"final state of crasher", true, "quarantined", "quarantined"},
                                       {"final state of warden", false, "stopped", "running"}}));
}

TEST(Verdict, CountsExactAndRanges) {
    EXPECT_EQ(rows_for("counts = [{ grove = \"crasher\", crashes = 2, respawns = 3 },\n"
                       "  { grove = \"warden\", messages_sent = { min = 6 }, messages_delivered = { max = 3 }, "
                       "messages_refused = { min = 1, max = 2 }, messages_queued = 0 }]"),
              (std::vector<VerdictRow>{{"crashes of crasher", true, "2", "2"},
                                       {"respawns of crasher", false, "3", "1"},
                                       {"messages_sent of warden", false, ">= 6", "5"},
                                       {"messages_delivered of warden", true, "<= 3", "3"},
                                       {"messages_refused of warden", true, "1..2", "1"},
                                       {"messages_queued of warden", false, "0", "1"}}));
}

TEST(Verdict, SequencePasses) {
    EXPECT_EQ(rows_for("sequence = [[{ event = \"crashed\", grove = \"crasher\", kind = \"fault\" },\n"
                       "  { event = \"respawned\", gen = 2 }, { event = \"gave_up\", grove = \"crasher\" }]]"),
              (std::vector<VerdictRow>{{"sequence 1", true,
                                        "crashed(grove=crasher, kind=fault) -> respawned(gen=2) -> "
                                        "gave_up(grove=crasher)",
                                        "all 3 in order, the last at 11ms"}}));
}

TEST(Verdict, SequenceReportsTheFirstMissingStep) {
    // gave_up happens, but not after a third crash: step 3 is the one missing.
    EXPECT_EQ(rows_for("sequence = [[{ event = \"crashed\", grove = \"crasher\", code = -11 },\n"
                       "  { event = \"crashed\", grove = \"crasher\" }, { event = \"crashed\" }, "
                       "{ event = \"gave_up\" }]]"),
              (std::vector<VerdictRow>{{"sequence 1", false,
                                        "crashed(grove=crasher, code=-11) -> crashed(grove=crasher) -> crashed -> "
                                        "gave_up",
                                        "step 3 of 4, crashed, not found after crashed(grove=crasher, gen=2) at "
                                        "11ms"}}));
}

TEST(Verdict, SequenceOrderMatters) {
    EXPECT_EQ(rows_for("sequence = [[{ event = \"gave_up\" }, { event = \"respawned\" }]]")[0].seen,
              "step 2 of 2, respawned, not found after gave_up(grove=crasher, gen=2) at 11ms");
    EXPECT_EQ(rows_for("sequence = [[{ event = \"hung\" }, { event = \"crashed\" }]]")[0].seen,
              "step 1 of 2, hung, never occurs");
}

TEST(Verdict, AbsentEvents) {
    EXPECT_EQ(rows_for("absent = [{ event = \"crashed\", grove = \"warden\" },\n"
                       "  { event = \"crashed\", kind = \"limit\" }]"),
              (std::vector<VerdictRow>{{"never crashed(grove=warden)", true, "no occurrence", "none"},
                                       {"never crashed(kind=limit)", false, "no occurrence",
                                        "at 11ms: crashed(grove=crasher, gen=2, kind=limit)"}}));
}

TEST(Verdict, ServedHoldsWhenNoGapBetweenDeliveriesIsLongerThanTheBound) {
    Trace trace = recorded_run();
    trace.final_counters->end_time = milliseconds(20);
    trace.events.push_back(TraceEvent{milliseconds(15), "warden", 1, "message_delivered", {}});
    EXPECT_EQ(rows_for("served = [{ grove = \"warden\", within = \"5ms\" }]", trace),
              (std::vector<VerdictRow>{{"warden served", true, "every 5ms or sooner", "longest gap 5ms (from 15ms)"}}));
}

TEST(Verdict, ServedFailsOnTheLongestGapAndForAGroveNeverServed) {
    Trace trace = recorded_run();
    trace.final_counters->end_time = milliseconds(20);
    trace.events.push_back(TraceEvent{milliseconds(13), "warden", 1, "message_delivered", {}});
    EXPECT_EQ(rows_for("served = [{ grove = \"warden\", within = \"5ms\" }, { grove = \"crasher\", within = \"1s\" }]",
                       trace),
              (std::vector<VerdictRow>{{"warden served", false, "every 5ms or sooner", "longest gap 7ms (from 13ms)"},
                                       {"crasher served", false, "every 1s or sooner", "never served"}}));
}

TEST(Verdict, IpcAccountingPerGroveAndOverall) {
    EXPECT_EQ(rows_for("ipc_accounting = true"),
              (std::vector<VerdictRow>{
                  {"IPC accounting of crasher", true, "sent = delivered + refused + queued", "0 = 0 + 0 + 0"},
                  {"IPC accounting of warden", true, "sent = delivered + refused + queued", "5 = 3 + 1 + 1"},
                  {"IPC accounting overall", true, "sent = delivered + refused + queued", "7 = 5 + 1 + 1"}}));
    Trace unbalanced = recorded_run();
    unbalanced.final_counters->groves[1].ipc.queued = 0;
    unbalanced.final_counters->overall.refused = 9;
    std::vector<VerdictRow> const rows = rows_for("ipc_accounting = true", unbalanced);
    ASSERT_EQ(rows.size(), 3u);
    EXPECT_EQ(rows[1],
              (VerdictRow{"IPC accounting of warden", false, "sent = delivered + refused + queued", "5 != 3 + 1 + 0"}));
    EXPECT_EQ(rows[2],
              (VerdictRow{"IPC accounting overall", false, "sent = delivered + refused + queued", "7 != 5 + 9 + 1"}));
}

TEST(Verdict, Digest) {
    EXPECT_EQ(rows_for("digest = \"1122334455667788\""),
              (std::vector<VerdictRow>{{"trace digest", true, "1122334455667788", "1122334455667788"}}));
    EXPECT_EQ(rows_for("digest = \"1122334455667789\""),
              (std::vector<VerdictRow>{{"trace digest", false, "1122334455667789", "1122334455667788"}}));
}

TEST(Verdict, WithoutFinalCountersTheCounterExpectationsFail) {
    Trace trace = recorded_run();
    trace.final_counters.reset();
    std::vector<VerdictRow> const rows =
        rows_for("final_state = { warden = \"running\" }\ncounts = [{ grove = \"warden\", crashes = 0 }]\n"
                 "ipc_accounting = true\ndigest = \"1122334455667788\"\nabsent = [{ event = \"hung\" }]",
                 trace);
    std::string const none = "no final counters (the run did not complete)";
    EXPECT_EQ(rows, (std::vector<VerdictRow>{{"final state of warden", false, "running", none},
                                             {"crashes of warden", false, "0", none},
                                             {"never hung", true, "no occurrence", "none"},
                                             {"IPC accounting", false, "sent = delivered + refused + queued", none},
                                             {"trace digest", false, "1122334455667788", none}}));
}

TEST(Verdict, AGroveMissingFromTheCountersFails) {
    Trace trace = recorded_run();
    trace.final_counters->groves.pop_back();
    EXPECT_EQ(rows_for("final_state = { warden = \"running\" }", trace),
              (std::vector<VerdictRow>{{"final state of warden", false, "running", "not in the final counters"}}));
}

TEST(Verdict, HoldsOnlyWhenEveryRowPasses) {
    Verdict const passing =
        evaluate_verdict(scenario_expecting("final_state = { warden = \"running\" }"), recorded_run());
    EXPECT_TRUE(passing.holds());
    EXPECT_EQ(passing.failures(), 0u);
    Verdict const failing =
        evaluate_verdict(scenario_expecting("final_state = { warden = \"faulted\" }"), recorded_run());
    EXPECT_FALSE(failing.holds());
    EXPECT_EQ(failing.failures(), 1u);
    EXPECT_TRUE(evaluate_verdict(scenario_expecting(""), recorded_run()).holds());
}

TEST(Verdict, TableAlignsItsColumns) {
    Verdict const verdict = evaluate_verdict(
        scenario_expecting(
            "final_state = { crasher = \"quarantined\" }\ncounts = [{ grove = \"crasher\", crashes = 3 }]"),
        recorded_run());
    EXPECT_EQ(format_verdict_table(verdict), "RESULT  EXPECTATION             EXPECTED     SEEN\n"
                                             "PASS    final state of crasher  quarantined  quarantined\n"
                                             "FAIL    crashes of crasher      3            2\n"
                                             "verdict: FAIL (1 of 2 expectations failed)\n");
    EXPECT_EQ(format_verdict_table(Verdict{}), "RESULT  EXPECTATION  EXPECTED  SEEN\n"
                                               "verdict: PASS (0 of 0 expectations hold)\n");
}

TEST(Verdict, TableWrapsLongCellsOntoContinuationLines) {
    Verdict verdict;
    verdict.rows.push_back(VerdictRow{"sequence 1", true, std::string(60, 'a') + " " + std::string(30, 'b'), "ok"});
    EXPECT_EQ(format_verdict_table(verdict),
              "RESULT  EXPECTATION  " + std::string("EXPECTED") + std::string(56, ' ') + "  SEEN\n" +
                  "PASS    sequence 1   " + std::string(60, 'a') + std::string(4, ' ') + "  ok\n" +
                  "                     " + std::string(30, 'b') + "\n" + "verdict: PASS (1 of 1 expectations hold)\n");
}

TEST(Verdict, MatcherDescriptionsQuoteAwkwardText) {
    EventMatcher matcher{"console",
                         "warden",
                         3,
                         {{"text", FieldValue::text("hello, world")}, {"n", FieldValue::integer(-1)}}};
    EXPECT_EQ(describe_matcher(matcher), "console(grove=warden, gen=3, text=\"hello, world\", n=-1)");
    EXPECT_EQ(describe_matcher(EventMatcher{"stopped", std::nullopt, std::nullopt, {{"why", FieldValue::text("")}}}),
              "stopped(why=\"\")");
}

TEST(Verdict, MatchingNeedsEveryNamedField) {
    TraceEvent const event = TraceEvent{Ticks(1), "a", 2, "crashed", {}}.with("kind", "fault").with("pc", u64{16});
    EXPECT_TRUE(matches(EventMatcher{"crashed", std::nullopt, std::nullopt, {}}, event));
    EXPECT_TRUE(matches(EventMatcher{"crashed", "a", 2, {{"pc", FieldValue::integer(16)}}}, event));
    EXPECT_FALSE(matches(EventMatcher{"crashed", "b", std::nullopt, {}}, event));
    EXPECT_FALSE(matches(EventMatcher{"crashed", "a", 1, {}}, event));
    EXPECT_FALSE(matches(EventMatcher{"crashed", "a", 2, {{"pc", FieldValue::text("16")}}}, event));
    EXPECT_FALSE(matches(EventMatcher{"crashed", "a", 2, {{"addr", FieldValue::integer(0)}}}, event));
    EXPECT_FALSE(matches(EventMatcher{"respawned", std::nullopt, std::nullopt, {}}, event));
}

} // namespace
} // namespace grove::scenario
