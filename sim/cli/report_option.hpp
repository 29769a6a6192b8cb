#pragma once
#include <CLI/CLI.hpp>

#include <string>

namespace grove::sim {

// --report FORMAT FILE (run, sweep): the format's name (json or junit, checked by the command) and the file.
inline void add_report_option(CLI::App& command, std::string& format, std::string& path, char const* one_case_per) {
    command
        .add_option(
            "--report",
            [&format, &path](CLI::results_t const& values) {
                format = values.at(0);
                path = values.at(1);
                return true;
            },
            std::string("Also write a report a machine reads: --report json FILE (seeds and digests as strings, exact "
                        "for jq) or --report junit FILE (JUnit XML, one test case per ") +
                one_case_per + ")")
        ->expected(2)
        ->type_name("json|junit FILE");
}

} // namespace grove::sim
