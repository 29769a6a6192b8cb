// grovesim: the simulator's command line (and the bare-metal target's, with --target metal). It only parses the command line and hands over to a subcommand.
#include <sim/cli/commands.hpp>
#include <sim/cli/exit_status.hpp>
#include <sim/cli/version.hpp>

#include <exception>
#include <initializer_list>
#include <iostream>

int main(int argc, char** argv) try {
    using namespace grove::sim;
    CLI::App app{"grovesim: the Grove simulator (grove images, scenarios, traces)", "grovesim"};
    app.require_subcommand(1);
    app.set_version_flag(
        "--version", [] { return version_text(); },
        "Print grovesim's version, its source commit and the Unicorn, Capstone and QEMU versions, then "
        "exit");

    int exit_status = ExitSuccess;
    for (AddCommand add :
         {add_inspect_command, add_run_command, add_list_command, add_diff_command, add_sweep_command,
          add_shrink_command, add_divergence_command, add_disk_command, add_forge_command, add_completion_command})
        add(app, exit_status);

    try {
        app.parse(argc, argv);
    } catch (CLI::ParseError const& error) {
        // --help prints and succeeds; anything else is a command line grovesim cannot use.
        int const status = app.exit(error);
        return status == 0 ? ExitSuccess : ExitBadInput;
    }
    return exit_status;
} catch (std::exception const& e) {
    // An error no subcommand turned into a message (a file system or allocation failure): reported, not aborted.
    std::cerr << "grovesim: " << e.what() << '\n';
    return grove::sim::ExitBadInput;
}
