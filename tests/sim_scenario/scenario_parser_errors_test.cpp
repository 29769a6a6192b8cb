#include <sim/scenario/scenario_parser.hpp>
#include <tests/sim_scenario/parser_error_cases.hpp>

#include <gtest/gtest.h>

#include <string>

namespace grove::scenario {
namespace {

TEST(ScenarioParserErrors, UnknownTopLevelKeySuggestsTheKnownOne) {
    EXPECT_EQ(error_of("name = \"t\"\nduration = \"1s\"\ngrove = 1\n"),
              "bad.toml:3:1: unknown key 'grove' in the scenario (did you mean 'groves'?); the keys here are name, "
              "description, seed, duration, timing_independent, groves, faults, expect, disks, random_faults or "
              "explore");
}

TEST(ScenarioParserErrors, UnknownKeyDeepInsideAGrove) {
    EXPECT_EQ(error_of(with_head("[groves.limits]\nthreads = 2\nmemroy = \"1MiB\"\n")),
              "bad.toml:8:1: unknown key 'memroy' in the limits of grove 'a' (did you mean 'memory'?); the keys here "
              "are memory, threads, cpu_percent, file_handles, ipc_rate, ipc_burst, on_violation or grants");
}

TEST(ScenarioParserErrors, ReportsTheFirstUnknownKeyInFileOrder) {
    EXPECT_EQ(error_of(with_head("zzz = 1\naaa = 2\n")).substr(0, 31), "bad.toml:6:1: unknown key 'zzz'");
}

TEST(ScenarioParserErrors, UnknownKeyInsideACountRange) {
    EXPECT_EQ(error_of(with_head("[expect]\ncounts = [{ grove = \"a\", crashes = { min = 1, most = 2 } }]\n")),
              "bad.toml:7:47: unknown key 'most' in 'crashes' in the counts of 'a'; the keys here are min or max");
}

TEST(ScenarioParserErrors, WrongTypeNamesBothTypes) {
    EXPECT_EQ(error_of(with_head("[groves.limits]\nthreads = \"16\"\n")),
              "bad.toml:7:11: 'threads' in the limits of grove 'a' must be an integer, not a string; write a whole "
              "number from 1 to 256");
    EXPECT_EQ(error_of(with_head("priority = 1.5\n")),
              "bad.toml:6:12: 'priority' in grove 'a' must be an integer, not a float; write a whole number from 0 to "
              "31");
    EXPECT_EQ(error_of(with_head("[groves.capabilities]\nnetwork = \"yes\"\n")),
              "bad.toml:7:11: 'network' in the capabilities of grove 'a' must be a boolean, not a string; write "
              "network = true or network = false");
}

TEST(ScenarioParserErrors, ARangeWithTheMachinesOwnPortsIsRefused) {
    EXPECT_EQ(error_of(with_head("[groves.capabilities]\nio_ports = [[0x60, 0x64], [0x3f0, 0x3f8]]\n")),
              "bad.toml:7:27: the port range [0x3f0, 0x3f8] in 'io_ports' in the capabilities of grove 'a' includes "
              "ports 0x3f8 to 0x3ff, which the machine keeps for itself (the interrupt controllers, the exit device, "
              "COM1 with the trace): no grove is given them");
}

TEST(ScenarioParserErrors, APhysicalRangeOverTheMachinesOwnIsRefused) {
    EXPECT_EQ(error_of(with_head("[groves.capabilities]\nphysical = [[0xfee00000, \"4KiB\"]]\n")),
              "bad.toml:7:13: the physical range at 0xfee00000 in 'physical' in the capabilities of grove 'a' "
              "overlaps 0xfec00000 to 0xfeffffff, the machine's own interrupt controllers and timers: no grove is "
              "given them");
}

TEST(ScenarioParserErrors, NumberOutOfRange) {
    EXPECT_EQ(error_of(with_head("limits = { cpu_percent = 150 }\n")),
              "bad.toml:6:26: 'cpu_percent' in the limits of grove 'a' is 150, out of range; use a whole number from "
              "1 to 100");
    EXPECT_EQ(error_of(with_head("[groves.capabilities]\nio_ports = [[0x2f8, 70000]]\n")),
              "bad.toml:7:21: a port number is 70000, out of range; use a whole number from 0 to 65535");
    EXPECT_EQ(error_of(with_head("limits = { memory = \"1GiB\" }\n")),
              "bad.toml:6:21: 'memory' in the limits of grove 'a' is 1GiB, out of range; use a size from 4KiB to "
              "96MiB");
    EXPECT_EQ(error_of(with_head("[explore]\nquantum_jitter_percent = 91\n")),
              "bad.toml:7:26: 'quantum_jitter_percent' in [explore] is 91, out of range; use a whole number from 0 to "
              "90");
    EXPECT_EQ(error_of(with_head("[explore]\nchange_per_mille = 1001\n")),
              "bad.toml:7:20: 'change_per_mille' in [explore] is 1001, out of range; use a whole number from 0 to "
              "1000");
    // Admission could never reserve more threads than the kernel holds (core/grove/admission.hpp).
    EXPECT_EQ(error_of(with_head("limits = { threads = 257 }\n")),
              "bad.toml:6:22: 'threads' in the limits of grove 'a' is 257, out of range; use a whole number from 1 to "
              "256");
}

TEST(ScenarioParserErrors, ImageNameThatLeavesTheImageDirectory) {
    EXPECT_EQ(error_of("name = \"t\"\nduration = \"1s\"\n[[groves]]\nname = \"a\"\nimage = \"../echo\"\n"),
              "bad.toml:5:9: '../echo' is not a valid image name for grove 'a'; use 1 to 64 letters, digits, '-', "
              "'_' or '.', not starting with '.' or '-' (the file <images dir>/<image>.elf)");
    for (char const* image : {"", "a/b", ".hidden", "-x", "two words"})
        EXPECT_NE(error_of(std::string("name = \"t\"\nduration = \"1s\"\n[[groves]]\nname = \"a\"\nimage = \"") +
                           image + "\"\n")
                      .find("is not a valid image name"),
                  std::string::npos)
            << image;
}

TEST(ScenarioParserErrors, DuplicateGroveNamesPointAtTheSecond) {
    EXPECT_EQ(error_of(with_head("[[groves]]\nname = \"a\"\nimage = \"client\"\n")),
              "bad.toml:7:8: grove 'a' is declared twice (first at line 4); give each grove its own name");
}

TEST(ScenarioParserErrors, InvalidGroveName) {
    EXPECT_EQ(error_of("name = \"t\"\nduration = \"1s\"\n[[groves]]\nname = \"Echo 1\"\nimage = \"echo\"\n"),
              "bad.toml:4:8: 'Echo 1' is not a valid grove name; use 1 to 31 lower-case letters, digits, '-' or "
              "'_', starting with a letter");
}

TEST(ScenarioParserErrors, UndeclaredGroveInAFault) {
    EXPECT_EQ(error_of(with_head("[[faults]]\nat = \"1ms\"\naction = \"crash\"\ngrove = \"b\"\n")),
              "bad.toml:9:9: 'grove' in fault 1 names grove 'b', which is not declared; use one of a");
}

TEST(ScenarioParserErrors, UndeclaredGroveInExpectations) {
    EXPECT_EQ(error_of(with_head("[expect]\nfinal_state = { a = \"running\", aa = \"stopped\" }\n")),
              "bad.toml:7:32: 'final_state' in [expect] names grove 'aa', which is not declared (did you mean "
              "'a'?); use one of a");
    EXPECT_EQ(error_of(with_head("[expect]\nabsent = [{ event = \"crashed\", grove = \"x\" }]\n")),
              "bad.toml:7:40: 'grove' in an event matcher in 'absent' names grove 'x', which is not declared; use "
              "one of a");
    EXPECT_EQ(error_of(with_head("[expect]\ncounts = [{ grove = \"z\", crashes = 1 }]\n")),
              "bad.toml:7:21: 'grove' in an entry of 'counts' in [expect] names grove 'z', which is not declared; "
              "use one of a");
}

TEST(ScenarioParserErrors, UndeclaredGroveInAnIpcCapability) {
    EXPECT_EQ(error_of(with_head("[groves.capabilities]\nipc_send = [\"*\", \"b\"]\n")),
              "bad.toml:7:18: 'ipc_send' in the capabilities of grove 'a' names grove 'b', which is not declared; "
              "use one of a or \"*\"");
}

TEST(ScenarioParserErrors, BadDurationsAndSizes) {
    EXPECT_EQ(error_of("name = \"t\"\nduration = \"2 s\"\n"),
              "bad.toml:2:12: 'duration' in the scenario is \"2 s\", not a duration; write a whole number and a unit "
              "(ns, us, ms or s) like \"250ms\", or an integer of nanoseconds");
    EXPECT_EQ(error_of("name = \"t\"\nduration = -5\n"),
              "bad.toml:2:12: 'duration' in the scenario is -5, a negative duration; write a whole number and a "
              "unit (ns, us, ms or s) like \"250ms\", or an integer of nanoseconds");
    EXPECT_EQ(error_of("name = \"t\"\nduration = 0\n"),
              "bad.toml:2:12: 'duration' in the scenario is 0ns, too short; use at least 1ns");
    EXPECT_EQ(error_of(with_head("[groves.limits]\nmemory = \"64MB\"\n")),
              "bad.toml:7:10: 'memory' in the limits of grove 'a' is \"64MB\", not a size; write a whole number and "
              "a unit (B, KiB, MiB or GiB) like \"64MiB\", or an integer of bytes");
    EXPECT_EQ(error_of(with_head("[groves.limits]\nmemory = 100\n")),
              "bad.toml:7:10: 'memory' in the limits of grove 'a' is 100B, out of range; use a size from 4KiB to "
              "96MiB");
}

TEST(ScenarioParserErrors, TimesAfterTheEnd) {
    EXPECT_EQ(error_of(with_head("[[faults]]\nat = \"1s\"\naction = \"crash\"\ngrove = \"a\"\n")),
              "bad.toml:7:6: 'at' in fault 1 is 1s, not before the end of the scenario (duration = 1s); make it "
              "earlier or lengthen the duration");
}

TEST(ScenarioParserErrors, MissingRequiredKeysPointAtTheirTable) {
    EXPECT_EQ(error_of("duration = \"1s\"\n"), "bad.toml:1:1: the scenario has no 'name'; add name = \"my-scenario\"");
    EXPECT_EQ(error_of("name = \"t\"\nduration = \"1s\"\n[[groves]]\nname = \"a\"\n"),
              "bad.toml:3:1: grove 'a' has no 'image'; add image = \"echo\"");
    EXPECT_EQ(error_of(with_head("[[faults]]\nat = \"1ms\"\ngrove = \"a\"\n")),
              "bad.toml:6:1: fault 1 has no 'action'; add action = \"crash\" (one of crash, kill, hang, memory-spike, "
              "flood-start, flood-stop, stop, restart or power-cut)");
}

TEST(ScenarioParserErrors, ActionSpecificFields) {
    EXPECT_EQ(error_of(with_head("[[faults]]\nat = 0\naction = \"crash\"\ngrove = \"a\"\nbytes = \"1MiB\"\n")),
              "bad.toml:10:9: 'bytes' in fault 1 applies only to action = \"memory-spike\"; remove it");
    EXPECT_EQ(error_of(with_head("[[faults]]\nat = 0\naction = \"memory-spike\"\ngrove = \"a\"\n")),
              "bad.toml:6:1: fault 1 has no 'bytes'; add bytes = \"16MiB\" (how much memory-spike allocates)");
    EXPECT_EQ(error_of(with_head("[[faults]]\nat = 0\naction = \"flood-start\"\ngrove = \"a\"\n")),
              "bad.toml:6:1: fault 1 has no 'target'; add target = \"...\" (the grove to flood)");
    EXPECT_EQ(error_of(with_head("[[faults]]\nat = 0\naction = \"explode\"\ngrove = \"a\"\n")),
              "bad.toml:8:10: 'action' in fault 1 is \"explode\"; use one of crash, kill, hang, memory-spike, "
              "flood-start, flood-stop, stop, restart or power-cut");
}

TEST(ScenarioParserErrors, RespawnConsistency) {
    EXPECT_EQ(error_of(with_head("[groves.respawn]\npolicy = \"limited\"\n")),
              "bad.toml:6:1: the respawn policy of grove 'a' is \"limited\" but has no 'max'; add max = 3 (respawns "
              "allowed)");
    EXPECT_EQ(error_of(with_head("[groves.respawn]\npolicy = \"always\"\nmax = 3\n")),
              "bad.toml:8:7: 'max' in the respawn policy of grove 'a' applies only to policy = \"limited\"; remove "
              "it or set policy = \"limited\"");
    EXPECT_EQ(error_of(with_head("[groves.respawn]\npolicy = \"on_failure\"\n")),
              "bad.toml:7:10: 'policy' in the respawn policy of grove 'a' is \"on_failure\" (did you mean "
              "'on-failure'?); use one of never, always, on-failure or limited");
    EXPECT_EQ(error_of(with_head("[groves.respawn]\nbackoff_base = \"10ms\"\nbackoff_cap = \"1ms\"\n")),
              "bad.toml:8:15: backoff_cap (1ms) is shorter than backoff_base (10ms) in the respawn policy of grove "
              "'a'; make the cap at least the base");
}

// An expectation on a kind that no run emits could never fail (an `absent`) or never pass (a `sequence`).
TEST(ScenarioParserErrors, ExpectationNamingANeverEmittedEventKindIsAnError) {
    std::string const error = error_of(with_head("[expect]\nabsent = [{ event = \"exited\" }]\n"));
    EXPECT_TRUE(error.starts_with("bad.toml:7:21: 'exited' is not an event kind")) << error;
}

// The kernel emits an event for every step of every message, so expectations may name them.
TEST(ScenarioParserErrors, ExpectationsMayNameMessageEvents) {
    for (std::string const kind : {"message_sent", "message_delivered", "message_refused"}) {
        std::string const text =
            with_head("[expect]\nabsent = [{ event = \"" + kind + "\", reason = \"queue_full\" }]\n");
        EXPECT_TRUE(parse_scenario_string(text, "ok.toml", ParseOptions{}).has_value()) << kind;
    }
}

TEST(ScenarioParserErrors, ServedNeedsADeclaredGroveAndAPositiveBound) {
    EXPECT_NE(error_of(with_head("[expect]\nserved = [{ grove = \"nobody\", within = \"5ms\" }]\n")).find("nobody"),
              std::string::npos);
    EXPECT_NE(error_of(with_head("[expect]\nserved = [{ grove = \"a\" }]\n")).find("within"), std::string::npos);
    EXPECT_NE(error_of(with_head("[expect]\nserved = [{ grove = \"a\", within = \"0ms\" }]\n")).find("within"),
              std::string::npos);
}

TEST(ScenarioParserErrors, ExpectationShapes) {
    EXPECT_EQ(error_of(with_head("[expect]\nsequence = [[{ event = \"crashd\" }]]\n")),
              "bad.toml:7:24: 'crashd' is not an event kind (did you mean 'crashed'?); use one of loaded, started, "
              "stopping, stopped, crashed, respawn_scheduled, respawned, gave_up, limit_exceeded, "
              "capability_denied, message_sent, message_delivered, message_refused, fault, console, grant_created, "
              "grant_revoked, grant_copied, grant_refused, interrupt, service_control, killed, hung, "
              "throttled, fault_injected, memory_spike, "
              "flood_started, flood_stopped, power_cut, swarm_choice, fault_planned, invariant_violated or "
              "schedule_perturbed");
    EXPECT_EQ(error_of(with_head("[expect]\nsequence = [[]]\n")),
              "bad.toml:7:13: sequence 1 in [expect] must be a non-empty array of event matchers, like [{ event = "
              "\"crashed\", grove = \"x\" }, ...]");
    EXPECT_EQ(error_of(with_head("[expect]\nabsent = [{ event = \"crashed\", fatal = true }]\n")),
              "bad.toml:7:40: the field 'fatal' of an event matcher in 'absent' must be a string or an integer, not "
              "a boolean");
    EXPECT_EQ(error_of(with_head("[expect]\ndigest = \"abc\"\n")),
              "bad.toml:7:10: 'digest' in [expect] is \"abc\", not a digest; write the 16 hex digits the run prints");
    EXPECT_EQ(error_of(with_head("[expect]\ncounts = [{ grove = \"a\", crashes = { min = 3, max = 1 } }]\n")),
              "bad.toml:7:36: 'crashes' in the counts of 'a' has min = 3 above max = 1; make min <= max");
    EXPECT_EQ(error_of(with_head("[expect]\nfinal_state = { a = \"dead\" }\n")),
              "bad.toml:7:21: the final state of 'a' is \"dead\"; use one of loading, running, stopping, stopped, "
              "faulted or quarantined");
}

TEST(ScenarioParserErrors, InvalidTomlNamesThePlace) {
    EXPECT_EQ(error_of("name = \"t\"\nduration = \n").substr(0, 28), "bad.toml:2:12: invalid TOML:");
    std::string const text = error_of("name = \"t\"\nname = \"u\"\n");
    EXPECT_EQ(text, "bad.toml:2:8: invalid TOML: Error while parsing key-value pair: cannot redefine existing string "
                    "'name'; fix the syntax here");
}

TEST(ScenarioParserErrors, MissingFileNamesTheFile) {
    auto const parsed = parse_scenario_file("/nonexistent/scenario.toml", ParseOptions{});
    ASSERT_FALSE(parsed.has_value());
    EXPECT_EQ(parsed.error().text(), "/nonexistent/scenario.toml: no such scenario file; check the path");
    auto const folder = parse_scenario_file(GROVE_SOURCE_DIR, ParseOptions{});
    ASSERT_FALSE(folder.has_value());
    EXPECT_EQ(folder.error().message, "is a directory, not a scenario file; name a .toml file");
}

} // namespace
} // namespace grove::scenario

namespace grove::scenario {
namespace {

TEST(ScenarioParserErrors, AFaultRangeThatEndsBeforeItBegins) {
    std::string const error =
        error_of(with_head("[[faults]]\nat = \"20ms..10ms\"\naction = \"crash\"\ngrove = \"a\"\n"));
    EXPECT_NE(error.find("bad.toml:7:"), std::string::npos) << error;
    EXPECT_NE(error.find("ends before it begins"), std::string::npos) << error;
}

TEST(ScenarioParserErrors, AFaultRangeThatIsNotDurations) {
    std::string const error =
        error_of(with_head("[[faults]]\nat = \"10ms..soon\"\naction = \"crash\"\ngrove = \"a\"\n"));
    EXPECT_NE(error.find("not a range of durations"), std::string::npos) << error;
}

TEST(ScenarioParserErrors, AFaultRangePastTheEnd) {
    std::string const error = error_of(with_head("[[faults]]\nat = \"10ms..2s\"\naction = \"crash\"\ngrove = \"a\"\n"));
    EXPECT_NE(error.find("not before the end of the scenario"), std::string::npos) << error;
}

TEST(ScenarioParserErrors, ARandomFaultActionItCannotTake) {
    std::string const error =
        error_of(with_head("[[random_faults]]\nactions = [\"crash\", \"flood-stop\"]\ngroves = [\"a\"]\ncount = 2\n"));
    EXPECT_NE(error.find("bad.toml:7:"), std::string::npos) << error;
    EXPECT_NE(error.find("cannot take"), std::string::npos) << error;
    std::string const unknown =
        error_of(with_head("[[random_faults]]\nactions = [\"crsh\"]\ngroves = [\"a\"]\ncount = 2\n"));
    EXPECT_NE(unknown.find("crash"), std::string::npos) << unknown;
}

TEST(ScenarioParserErrors, ARandomRuleNeedsCountOrRate) {
    std::string const neither = error_of(with_head("[[random_faults]]\nactions = [\"crash\"]\ngroves = [\"a\"]\n"));
    EXPECT_NE(neither.find("exactly one of count"), std::string::npos) << neither;
    std::string const both =
        error_of(with_head("[[random_faults]]\nactions = [\"crash\"]\ngroves = [\"a\"]\ncount = 1\nrate = 5\n"));
    EXPECT_NE(both.find("exactly one of count"), std::string::npos) << both;
}

TEST(ScenarioParserErrors, ARandomFloodNeedsAFlooder) {
    std::string const error =
        error_of(with_head("[[random_faults]]\nactions = [\"flood\"]\ngroves = [\"a\"]\ncount = 1\ntarget = \"a\"\n"));
    EXPECT_NE(error.find("none of its groves has image = \"flooder\""), std::string::npos) << error;
}

TEST(ScenarioParserErrors, ASpikeSizeRangeBackwards) {
    std::string const error = error_of(with_head(
        "[[random_faults]]\nactions = [\"memory-spike\"]\ngroves = [\"a\"]\ncount = 1\nbytes = \"1MiB..4KiB\"\n"));
    EXPECT_NE(error.find("not a range of sizes"), std::string::npos) << error;
}

TEST(ScenarioParserErrors, RandomFaultsBeyondWhatAPlanHolds) {
    std::string const error =
        error_of(with_head("[[random_faults]]\nactions = [\"crash\"]\ngroves = [\"a\"]\nrate = 1000\n"));
    EXPECT_NE(error.find("a rule draws 1 to 256"), std::string::npos) << error;
}

TEST(ScenarioParserErrors, ProvidesNamesServicesOnlyAndEachOnce) {
    std::string const unknown = error_of(with_head("provides = \"disk\"\n"));
    EXPECT_EQ(unknown.substr(0, 14), "bad.toml:6:12:") << unknown;
    EXPECT_NE(unknown.find("'provides' in grove 'a' names \"disk\", not a service; use \"filesystem\", \"graphics\" or "
                           "\"network\""),
              std::string::npos)
        << unknown;
    std::string const twice = error_of(with_head("provides = [\"network\", \"network\"]\n"));
    EXPECT_EQ(twice.substr(0, 14), "bad.toml:6:24:") << twice;
    EXPECT_NE(twice.find("names \"network\" twice"), std::string::npos) << twice;
    EXPECT_EQ(error_of(with_head("provides = 1\n")).substr(0, 14), "bad.toml:6:12:");
}

} // namespace
} // namespace grove::scenario
