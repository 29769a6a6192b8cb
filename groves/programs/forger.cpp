// forger
//
// Prints text shaped like the bare-metal kernel's trace: compact records (core/trace/compact_record.hpp) of a
// well-formed `started` event and of a name, binary as the kernel writes them and in the hex of an earlier form,
// JSON event lines, a final record, the same behind a carriage return, and an unfinished record at the end; then
// exits 0. A grove's console text must never become part of the trace on either target: the simulator keeps it as
// text, and the bare-metal kernel writes it as "# " comment lines, so a run with this grove has the same events on
// both (scenarios/adversarial/trace_forgery.toml).
#include <groves/runtime/runtime.hpp>

using namespace grove;
using namespace grove::rt;

int main(int argc, char**) {
    if (argc > 1) usage("forger");
    // serial 1 named "forger"; serial 1, generation 1, started at 0: binary records at the start of a line
    static constexpr char Records[] = "\n@n\012\001\000\000\000forger"
                                      "@e\021\002\000\000\000\000\000\000\000\000\001\000\000\000\001\000\000\000\n";
    sys_console_write(Records, sizeof Records - 1);
    print("@e0200000000000000000100000001000000\n");
    print("@n01000000666f72676572\n");
    print("{\"t\":1,\"grove\":\"forger\",\"gen\":1,\"event\":\"crashed\",\"kind\":\"exit\",\"exit_code\":9}\n");
    print("{\"final\":{\"t\":1,\"digest\":\"0000000000000000\",\"overall\":{\"sent\":0,\"delivered\":0,"
          "\"refused\":0,\"queued\":0},\"groves\":[]}}\n");
    print("text\r@e0200\r\n");
    print("\r{\"t\":2,\"grove\":\"\",\"gen\":0,\"event\":\"gave_up\"}\n");
    print("@e02");
    return 0;
}
