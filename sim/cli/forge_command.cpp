// grovesim forge FILE.gw -o OUT.elf [--run]: compiles a Glimmer-Weave program with the Runic Forge (forge/) into a
// grove image and, with --run, runs it alone in the simulator and prints what it wrote to the console.
#include <sim/cli/commands.hpp>
#include <sim/cli/exit_status.hpp>
#include <sim/cli/read_file.hpp>

#include <forge/compiler.hpp>
#include <sim/runner/scenario_runner.hpp>

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

namespace grove::sim {

namespace {

struct ForgeOptions {
    std::string source;
    std::string output;
    bool run = false;
    u64 milliseconds = 1000;
};

int exited_with(scenario::FieldValue const* code) {
    fmt::print("program: exited with code {}\n", code != nullptr ? code->to_string() : "?");
    return ExitFailure;
}

// Runs the image `path` (<dir>/<name>.elf) as the grove "program" for `duration`; prints its console text, then how
// it ended when that was not an exit with code 0. ExitSuccess exactly when it exited with code 0.
int run_image(std::filesystem::path const& path, Ticks duration) {
    scenario::Scenario s;
    s.name = "forge";
    s.duration = duration;
    scenario::GroveSpec grove;
    grove.name = "program";
    grove.image = path.stem().string();
    grove.limits.cpu_percent = 100;
    s.groves.push_back(grove);
    runner::RunOptions options;
    options.image_directories.push_back(path.parent_path().empty() ? std::filesystem::path(".") : path.parent_path());
    runner::RunResult const result = runner::run_scenario(s, options);
    if (!result.error.empty()) {
        fmt::print(stderr, "grovesim forge: {}\n", result.error);
        return ExitBadInput;
    }
    std::string trap;
    for (scenario::TraceEvent const& event : result.trace.events) {
        if (event.grove != grove.name) continue;
        if (event.kind == "console") {
            if (scenario::FieldValue const* text = event.field("text"); text != nullptr && text->is_text())
                fmt::print("{}", text->as_text());
        } else if (event.kind == "fault") {
            if (scenario::FieldValue const* t = event.field("trap"); t != nullptr && t->is_text()) trap = t->as_text();
        } else if (event.kind == "stopped") {
            scenario::FieldValue const* code = event.field("exit_code");
            bool const clean = code != nullptr && !code->is_text() && !code->is_negative() && code->as_unsigned() == 0;
            return clean ? ExitSuccess : exited_with(code);
        } else if (event.kind == "crashed") {
            // A non-zero exit counts as a crash of kind exit; any other kind is a fault, a kill or a limit.
            scenario::FieldValue const* kind = event.field("kind");
            scenario::FieldValue const* code = event.field("exit_code");
            scenario::FieldValue const* pc = event.field("pc");
            std::string const kind_text = kind != nullptr ? kind->to_string() : "?";
            if (kind_text == "exit") return exited_with(code);
            bool const has_pc = pc != nullptr && !pc->is_text() && !pc->is_negative();
            fmt::print("program: crashed ({}{}{}) at pc {:#x}\n", kind_text, trap.empty() ? "" : ": ", trap,
                       has_pc ? pc->as_unsigned() : 0);
            return ExitFailure;
        }
    }
    fmt::print("program: still running after {} ms of virtual time\n", duration.value / 1'000'000);
    return ExitFailure;
}

int forge(ForgeOptions const& o) {
    FileContents const source = read_regular_file(o.source, forge::MaxSourceBytes);
    if (!source.ok()) {
        fmt::print(stderr, "grovesim forge: {}\n", source.error);
        return ExitBadInput;
    }
    auto compiler = std::make_unique<forge::Compiler>();
    if (!compiler->compile(reinterpret_cast<char const*>(source.bytes.data()), source.bytes.size())) {
        forge::Diagnostics const& errors = compiler->diagnostics();
        for (usize i = 0; i < errors.count(); ++i)
            fmt::print(stderr, "{}:{}:{}: error: {}\n", o.source, errors[i].position.line, errors[i].position.column,
                       errors[i].message);
        if (errors.is_full()) fmt::print(stderr, "{}: too many errors; the rest were not reported\n", o.source);
        return ExitBadInput;
    }
    std::filesystem::path const output(o.output);
    if (o.run && output.extension() != ".elf") {
        fmt::print(stderr, "grovesim forge: --run needs an output file named NAME.elf (images are found by name)\n");
        return ExitBadInput;
    }
    Span<u8 const> const image = compiler->image();
    std::ofstream file(output, std::ios::binary | std::ios::trunc);
    file.write(reinterpret_cast<char const*>(image.data), static_cast<std::streamsize>(image.size));
    file.close();
    if (!file) {
        fmt::print(stderr, "grovesim forge: cannot write {}\n", o.output);
        return ExitBadInput;
    }
    if (!o.run) return ExitSuccess;
    return run_image(output, milliseconds(o.milliseconds));
}

} // namespace

void add_forge_command(CLI::App& app, int& exit_status) {
    auto o = std::make_shared<ForgeOptions>();
    CLI::App* command =
        app.add_subcommand("forge", "Compile a Glimmer-Weave program into a grove image (the Runic Forge)");
    command->add_option("source", o->source, "The program, FILE.gw")->required();
    command->add_option("-o,--output", o->output, "The image to write, OUT.elf")->required();
    command->add_flag("--run", o->run, "Run the image alone in the simulator and print its console output");
    command->add_option("--time", o->milliseconds, "With --run: how long it may run, in ms of virtual time")
        ->default_val(1000);
    command->callback([o, &exit_status] { exit_status = forge(*o); });
}

} // namespace grove::sim
