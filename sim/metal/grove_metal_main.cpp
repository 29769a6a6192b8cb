// grove-metal: the bare-metal target from the command line, and the driver of the boot tests.
//   grove-metal plan SCENARIO -o FILE          the binary boot plan
//   grove-metal iso SCENARIO [-o FILE]         the bootable ISO (GRUB, kernel, plan, images); prints its path
//   grove-metal run SCENARIO [--boot kernel|iso] [--trace FILE] [--repeat N]
//                                              boots it in QEMU, prints the verdict table; with --repeat, runs N
//                                              times and fails unless every event stream (timestamps included)
//                                              is the same
//   grove-metal check SCENARIO                 exit 0 when the scenario can run on metal, else 1 and the reason
//   grove-metal expand                         copies a boot's serial output from stdin to stdout as it comes, its
//                                              binary trace records as JSON lines (arch_x86_64/scripts/run-qemu.sh)
// Exit status: 0 success (the verdict holds), 1 a failed expectation or a difference between runs, 2 bad input or
// a run that did not complete.
#include <sim/metal/compact_trace.hpp>
#include <sim/metal/metal_runner.hpp>
#include <sim/metal/plan_compiler.hpp>
#include <sim/scenario/scenario_parser.hpp>
#include <sim/scenario/verdict.hpp>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>

namespace {

using namespace grove;
namespace fs = std::filesystem;

constexpr int ExitOk = 0, ExitFailed = 1, ExitBadInput = 2;

std::optional<scenario::Scenario> load(std::string const& path) {
    auto parsed = scenario::parse_scenario_file(path, {});
    if (!parsed) {
        std::cerr << parsed.error().text() << '\n';
        return std::nullopt;
    }
    return parsed.release_value();
}

int fail(scenario::Diagnostic const& d) {
    std::cerr << d.text() << '\n';
    return ExitBadInput;
}

int plan_command(std::string const& path, std::string const& output) {
    auto s = load(path);
    if (!s) return ExitBadInput;
    auto bytes = metal_host::compile_plan(*s, path);
    if (!bytes) return fail(bytes.error());
    std::ofstream file(output, std::ios::binary | std::ios::trunc);
    file.write(reinterpret_cast<char const*>(bytes.value().data()), static_cast<std::streamsize>(bytes.value().size()));
    if (!file) {
        std::cerr << output << ": cannot write the plan\n";
        return ExitBadInput;
    }
    return ExitOk;
}

int iso_command(std::string const& path, std::string const& output, metal_host::MetalOptions options) {
    auto s = load(path);
    if (!s) return ExitBadInput;
    options.name = path;
    auto iso = metal_host::build_metal_iso(*s, options);
    if (!iso) return fail(iso.error());
    fs::path result = iso.value();
    if (!output.empty()) {
        std::error_code error;
        fs::copy_file(iso.value(), output, fs::copy_options::overwrite_existing, error);
        if (error) {
            std::cerr << output << ": cannot copy the ISO: " << error.message() << '\n';
            return ExitBadInput;
        }
        result = output;
    }
    std::cout << result.string() << '\n';
    return ExitOk;
}

int run_command(std::string const& path, std::string const& trace_path, unsigned repeat,
                metal_host::MetalOptions options) {
    auto s = load(path);
    if (!s) return ExitBadInput;
    options.name = path;
    std::optional<scenario::Trace> first;
    for (unsigned run = 0; run < std::max(repeat, 1u); ++run) {
        auto result = metal_host::run_on_metal(*s, options);
        if (!result) return fail(result.error());
        if (!result.value().completed()) {
            std::cerr << path << ": " << result.value().failure << '\n';
            return ExitBadInput;
        }
        scenario::Trace const& trace = result.value().trace;
        if (!first) {
            first = trace;
            if (!trace_path.empty()) {
                std::ofstream out(trace_path, std::ios::trunc);
                scenario::write_trace(out, trace);
            }
            continue;
        }
        if (trace.events != first->events || trace.final_counters != first->final_counters) {
            usize i = 0;
            while (i < trace.events.size() && i < first->events.size() && trace.events[i] == first->events[i]) ++i;
            std::cerr << fmt::format("{}: run {} differs from run 1 at event {}:\n  run 1: {}\n  run {}: {}\n", path,
                                     run + 1, i + 1,
                                     i < first->events.size() ? scenario::format_event_line(first->events[i]) : "(end)",
                                     run + 1,
                                     i < trace.events.size() ? scenario::format_event_line(trace.events[i]) : "(end)");
            return ExitFailed;
        }
    }
    scenario::Verdict const verdict = scenario::evaluate_verdict(*s, *first);
    std::cout << fmt::format("{}: {} events on metal, digest {}", path, first->events.size(),
                             scenario::format_digest(first->final_counters->digest));
    if (repeat > 1) std::cout << fmt::format(", {} runs identical", repeat);
    std::cout << '\n' << scenario::format_verdict_table(verdict);
    return verdict.holds() ? ExitOk : ExitFailed;
}

int check_command(std::string const& path) {
    auto s = load(path);
    if (!s) return ExitBadInput;
    if (auto reason = metal_host::metal_unsupported_reason(*s)) {
        std::cout << path << ": not on metal: " << *reason << '\n';
        return ExitFailed;
    }
    std::cout << path << ": runs on metal\n";
    return ExitOk;
}

// Exit 1 when a record did not decode (the rest is copied as it came, the reason goes to stderr).
int expand_command() {
    metal_host::SerialExpander expander;
    char buffer[4096];
    for (;;) {
        ssize_t const got = ::read(STDIN_FILENO, buffer, sizeof buffer);
        if (got == 0) break;
        if (got < 0) {
            if (errno == EINTR) continue;
            std::cerr << "grove-metal expand: cannot read the output: " << std::strerror(errno) << '\n';
            return ExitBadInput;
        }
        expander.feed(std::string_view(buffer, static_cast<usize>(got)));
        std::cout << expander.take_text() << std::flush;
    }
    expander.finish();
    std::cout << expander.take_text() << std::flush;
    if (expander.error().empty()) return ExitOk;
    std::cerr << "grove-metal expand: the serial trace is damaged: " << expander.error() << '\n';
    return ExitFailed;
}

} // namespace

// Whatever the library or the file system throws (a file that cannot be written, no memory) ends the command with
// a message and the bad-input status, never with std::terminate.
int main(int argc, char** argv) try {
    CLI::App app{"grove-metal: scenarios on the bare-metal kernel in QEMU"};
    app.require_subcommand(1);
    metal_host::MetalOptions options = metal_host::default_metal_options();
    std::string scenario_path, output, trace_path, boot = "iso";
    unsigned repeat = 1;

    auto* plan = app.add_subcommand("plan", "write the binary boot plan of a scenario");
    plan->add_option("scenario", scenario_path)->required();
    plan->add_option("-o,--output", output)->required();
    auto* iso = app.add_subcommand("iso", "make the bootable ISO of a scenario and print its path");
    iso->add_option("scenario", scenario_path)->required();
    iso->add_option("-o,--output", output);
    auto* run = app.add_subcommand("run", "boot a scenario in QEMU and print its verdict");
    run->add_option("scenario", scenario_path)->required();
    run->add_option("--boot", boot, "iso (GRUB) or kernel (QEMU's loader, faster)")
        ->check(CLI::IsMember({"iso", "kernel"}));
    run->add_option("--trace", trace_path, "write the trace (JSON Lines) here");
    run->add_option("--repeat", repeat, "run this many times and compare the event streams");
    run->add_option("--timeout", options.timeout_seconds, "seconds before a hung guest is stopped");
    auto* check = app.add_subcommand("check", "tell whether a scenario can run on metal");
    check->add_option("scenario", scenario_path)->required();
    auto* expand = app.add_subcommand("expand", "copy a boot's serial output from stdin, its trace records as JSON");

    try {
        app.parse(argc, argv);
    } catch (CLI::ParseError const& e) { return app.exit(e) == 0 ? ExitOk : ExitBadInput; }
    options.boot = boot == "kernel" ? metal_host::BootMethod::Kernel : metal_host::BootMethod::Iso;
    if (*plan) return plan_command(scenario_path, output);
    if (*iso) return iso_command(scenario_path, output, options);
    if (*run) return run_command(scenario_path, trace_path, repeat, options);
    if (*expand) return expand_command();
    return check_command(scenario_path);
} catch (std::exception const& e) {
    std::cerr << "grove-metal: " << e.what() << '\n';
    return ExitBadInput;
}
