#include <core/base/hash.hpp>
#include <core/grove/layout.hpp>
#include <sim/metal/compact_trace.hpp>
#include <sim/metal/metal_runner.hpp>
#include <sim/scenario/image_search.hpp>
#include <sim/metal/plan_compiler.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <chrono>
#include <csignal>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

namespace grove::metal_host {

namespace {

namespace fs = std::filesystem;
using scenario::Diagnostic;
using scenario::Parsed;

constexpr int QemuSuccess = 33; // isa-debug-exit: (0x10 << 1) | 1
constexpr int QemuFailure = 35;
constexpr unsigned DebugSessionSeconds = 24 * 3600; // the bound on a boot under gdb (MetalOptions::gdb_port)

Diagnostic problem(MetalOptions const& options, std::string message) {
    return Diagnostic{options.name, 0, 0, std::move(message)};
}

std::optional<std::string> read_bytes(fs::path const& path) {
    std::ifstream file(path, std::ios::binary);
    if (!file) return std::nullopt;
    std::ostringstream contents;
    contents << file.rdbuf();
    return contents.str();
}

bool write_bytes(fs::path const& path, void const* data, usize size) {
    std::ofstream file(path, std::ios::binary | std::ios::trunc);
    file.write(static_cast<char const*>(data), static_cast<std::streamsize>(size));
    return static_cast<bool>(file);
}

// The files of one boot: the kernel, the plan and the images, in module order.
struct BootFiles {
    std::vector<u8> plan;
    std::vector<std::string> images; // names, module i + 1
    std::vector<fs::path> image_paths;
    std::string kernel; // bytes
    std::vector<std::string> image_bytes;
};

Parsed<BootFiles> gather(scenario::Scenario const& s, MetalOptions const& options) {
    if (auto reason = metal_unsupported_reason(s)) return problem(options, *reason);
    auto plan = compile_plan(s, options.name);
    if (!plan) return plan.error();
    BootFiles files;
    files.plan = plan.release_value();
    files.images = plan_module_images(s);
    auto kernel = read_bytes(options.kernel);
    if (!kernel)
        return problem(options,
                       fmt::format("cannot read the kernel {}; build it first (make build)", options.kernel.string()));
    files.kernel = std::move(*kernel);
    scenario::ImageSearch const search(options.image_dirs);
    for (std::string const& image : files.images) {
        auto const path = search.find(image);
        if (!path) return problem(options, search.missing(image));
        auto bytes = read_bytes(*path);
        if (!bytes) return problem(options, fmt::format("cannot read the grove image {}", path->string()));
        files.image_paths.push_back(*path);
        files.image_bytes.push_back(std::move(*bytes));
    }
    return files;
}

std::string content_hash(BootFiles const& files, std::string_view extra) {
    Fnv1a64 hash;
    auto add = [&](void const* data, usize size) {
        hash.update_u64(size);
        hash.update(data, size);
    };
    add(extra.data(), extra.size());
    add(files.kernel.data(), files.kernel.size());
    add(files.plan.data(), files.plan.size());
    for (usize i = 0; i < files.images.size(); ++i) {
        add(files.images[i].data(), files.images[i].size());
        add(files.image_bytes[i].data(), files.image_bytes[i].size());
    }
    return fmt::format("{:016x}", hash.digest());
}

std::string grub_config(BootFiles const& files) {
    std::string text = "set timeout=0\nset default=0\n\nmenuentry \"grove\" {\n    multiboot2 /boot/grove.elf\n"
                       "    module2 /boot/plan.bin plan\n";
    for (std::string const& image : files.images) text += fmt::format("    module2 /boot/{0}.elf {0}\n", image);
    text += "    boot\n}\n";
    return text;
}

// A child process with its stdout and stderr on one pipe.
struct Child {
    pid_t pid = -1;
    int output = -1;
};

std::optional<Child> start(std::vector<std::string> const& command) {
    int fds[2];
    if (pipe(fds) != 0) return std::nullopt;
    pid_t const pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return std::nullopt;
    }
    if (pid == 0) {
        dup2(fds[1], STDOUT_FILENO);
        dup2(fds[1], STDERR_FILENO);
        close(fds[0]);
        close(fds[1]);
        std::vector<char*> argv;
        argv.reserve(command.size() + 1);
        for (std::string const& a : command) argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        execvp(argv[0], argv.data());
        _exit(127);
    }
    close(fds[1]);
    return Child{pid, fds[0]};
}

struct Finished {
    bool timed_out = false;
    int status = -1; // exit status, or -signal
    std::string output;
};

// Reads everything the child writes until it exits; kills it after `timeout_seconds`.
Finished wait_for(Child child, unsigned timeout_seconds) {
    Finished result;
    auto const deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
    char buffer[4096];
    for (;;) {
        auto const left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            result.timed_out = true;
            kill(child.pid, SIGKILL);
            break;
        }
        pollfd fd{child.output, POLLIN, 0};
        int const ready = poll(&fd, 1, static_cast<int>(std::min<long long>(left.count(), 1000)));
        if (ready < 0 && errno != EINTR) break;
        if (ready <= 0) continue;
        ssize_t const n = read(child.output, buffer, sizeof buffer);
        if (n <= 0) break; // end of output: the child exited (or closed it)
        result.output.append(buffer, static_cast<usize>(n));
    }
    close(child.output);
    int status = 0;
    waitpid(child.pid, &status, 0);
    if (WIFEXITED(status)) result.status = WEXITSTATUS(status);
    else if (WIFSIGNALED(status)) result.status = -WTERMSIG(status);
    return result;
}

std::string last_lines(std::string const& text, usize count) {
    usize position = text.size();
    for (usize n = 0; n <= count && position > 0; ++n) {
        usize const previous = text.rfind('\n', position - 1);
        if (previous == std::string::npos) return text;
        position = previous;
        if (n == count) return text.substr(position + 1);
    }
    return text;
}

// The trace lines of the serial output: those that start with '{'.
std::string trace_lines(std::string const& serial) {
    std::string lines;
    // A guest that was stopped may have left half a line: only whole lines count.
    std::istringstream in(serial.substr(0, serial.rfind('\n') == std::string::npos ? 0 : serial.rfind('\n') + 1));
    for (std::string line; std::getline(in, line);) {
        if (!line.empty() && line.front() == '{') {
            lines += line;
            lines += '\n';
        }
    }
    return lines;
}

// The kernel writes a grove's console text on COM1 as comment lines ("# " at the start of each line, a line ended
// before the next trace line) just before the `console` event of that write: each console event gets that text as
// its `text` field, as in the simulator. The event's `length` tells a newline the grove wrote from one the kernel
// added to end the line.
void attach_console_text(std::string const& serial, scenario::Trace& trace) {
    std::istringstream in(serial.substr(0, serial.rfind('\n') == std::string::npos ? 0 : serial.rfind('\n') + 1));
    std::string pending;
    usize event = 0;
    for (std::string line; std::getline(in, line) && event < trace.events.size();) {
        if (line.starts_with("# ")) {
            pending += line.substr(2);
            pending += '\n';
            continue;
        }
        if (line.empty() || line.front() != '{') continue;
        scenario::TraceEvent& current = trace.events[event++];
        scenario::FieldValue const* length = current.field("length");
        if (current.kind == "console" && length != nullptr && length->is_unsigned() &&
            current.field("text") == nullptr) {
            usize const size = static_cast<usize>(length->as_unsigned());
            if (pending.size() == size + 1 && pending.back() == '\n') pending.pop_back();
            if (size <= pending.size()) current.with("text", pending.substr(pending.size() - size));
        }
        pending.clear();
    }
}

// The per-run copies of the scenario's disk images, attached to QEMU as the ATA drive of the primary channel:
// -device isa-ide (ports 0x1F0-0x1F7 and 0x3F6, IRQ 14; on q35 `-drive if=ide` lands on AHCI, which has no legacy
// ports). The copies are removed when the run is over (finish()).
class RunDisks {
public:
    RunDisks(scenario::Scenario const& s, MetalOptions const& options) : m_scenario(s), m_options(options) {}
    RunDisks(RunDisks const&) = delete;
    RunDisks& operator=(RunDisks const&) = delete;
    ~RunDisks() {
        std::error_code ignored;
        for (fs::path const& copy : m_copies) fs::remove(copy, ignored);
    }

    // Copies each image and adds its drive to `command`; an error text when one cannot be copied.
    std::string attach(std::vector<std::string>& command) {
        std::error_code error;
        fs::create_directories(m_options.cache_dir, error);
        for (usize i = 0; i < m_scenario.disks.size(); ++i) {
            fs::path const copy = m_options.cache_dir / fmt::format("{}.{}.disk{}.img", m_scenario.name, getpid(), i);
            fs::copy_file(m_scenario.disks[i].image, copy, fs::copy_options::overwrite_existing, error);
            if (error)
                return fmt::format("cannot copy the disk image '{}' to {}: {}", m_scenario.disks[i].image,
                                   copy.string(), error.message());
            m_copies.push_back(copy);
            command.insert(command.end(),
                           {"-device", "isa-ide,id=isaide", "-drive",
                            fmt::format("if=none,id=disk{},file={},format=raw,cache=unsafe", i, copy.string()),
                            "-device", fmt::format("ide-hd,drive=disk{},bus=isaide.0", i)});
        }
        return "";
    }

    // Each disk's hash as the guest left it, kept when asked.
    std::vector<MetalDisk> finish() const {
        std::vector<MetalDisk> disks;
        for (usize i = 0; i < m_copies.size(); ++i) {
            std::optional<std::string> const image = read_bytes(m_copies[i]);
            MetalDisk disk{m_scenario.disks[i].path, 0, ""};
            Fnv1a64 hash;
            if (image) hash.update(image->data(), image->size());
            disk.hash = hash.digest();
            if (m_options.keep_disks && image) {
                fs::path const kept = *m_options.keep_disks / fmt::format("{}.disk{}.img", m_scenario.name, i);
                std::error_code ignored;
                fs::create_directories(*m_options.keep_disks, ignored);
                disk.kept = write_bytes(kept, image->data(), image->size())
                                ? kept.string()
                                : fmt::format("(cannot write {})", kept.string());
            }
            disks.push_back(std::move(disk));
        }
        return disks;
    }

private:
    scenario::Scenario const& m_scenario;
    MetalOptions const& m_options;
    std::vector<fs::path> m_copies;
};

// With a disk the virtual clock follows the real one while the CPU halts (sleep=on): the drive's work (a write, a
// cache flush) completes on the host in real time, and with sleep=off a halted CPU's clock would jump straight to
// the next timer, past the drive's interrupt (a driver's IrqWait timing out). Without a disk idling costs nothing.
// The kernel's "grove: display <w>x<h>x<bpp> picture 0x<hash>" line (arch_x86_64/kernel/kernel_main.cpp), when it
// wrote one: the first such text at the start of a line (a grove's console text, "# grove: display ...", never is).
std::optional<MetalDisplay> display_line(std::string const& serial) {
    std::string_view constexpr Prefix = "grove: display ";
    usize at = serial.find(Prefix);
    while (at != std::string::npos && at != 0 && serial[at - 1] != '\n') at = serial.find(Prefix, at + 1);
    if (at == std::string::npos) return std::nullopt;
    unsigned width = 0, height = 0, bpp = 0;
    unsigned long long hash = 0;
    if (std::sscanf(serial.c_str() + at + Prefix.size(), "%ux%ux%u picture 0x%16llx", &width, &height, &bpp, &hash) !=
        4)
        return std::nullopt;
    return MetalDisplay{static_cast<u16>(width), static_cast<u16>(height), static_cast<u16>(bpp), hash};
}

std::vector<std::string> qemu_command(MetalOptions const& options, bool has_disks) {
    // qemu64 with UMIP, which QEMU's TCG emulates: the kernel turns it on (arch_x86_64/platform/descriptors.hpp).
    return {options.qemu,   "-machine",
            "q35",          "-cpu",
            "qemu64,+umip", "-m",
            "128M",         "-display",
            "none",         "-serial",
            "stdio",        "-monitor",
            "none",         "-no-reboot",
            "-device",      "isa-debug-exit,iobase=0xf4,iosize=0x04",
            "-icount",      has_disks ? "shift=0,sleep=on" : "shift=0,sleep=off"};
}

} // namespace

MetalOptions default_metal_options() {
    MetalOptions options;
    options.kernel = GROVE_METAL_KERNEL;
    options.image_dirs = {GROVE_METAL_IMAGE_DIR};
    options.cache_dir = GROVE_METAL_CACHE_DIR;
    if (std::string_view(GROVE_METAL_QEMU).size() > 0) options.qemu = GROVE_METAL_QEMU;
    if (std::string_view(GROVE_METAL_GRUB_MKRESCUE).size() > 0) options.grub_mkrescue = GROVE_METAL_GRUB_MKRESCUE;
    return options;
}

std::optional<std::string> metal_unsupported_reason(scenario::Scenario const& s) {
    // QEMU's isa-ide has one channel, the primary, as the simulator's bus has one drive's ports.
    if (s.disks.size() > 1) return std::string("it has more than one disk ([[disks]]); the primary channel holds one");
    // The scheduler is the core's on both targets, but the boot plan does not carry its perturbation yet.
    if (s.explore.quantum_jitter_percent != 0 || s.explore.change_per_mille != 0)
        return std::string("it perturbs the schedule ([explore] quantum_jitter_percent, change_per_mille), which the "
                           "boot plan does not carry");
    for (scenario::Disk const& disk : s.disks)
        if (disk.seeded_timing)
            return fmt::format("its disk '{}' has seeded_timing: QEMU's drive keeps its own timing, which no seed "
                               "governs",
                               disk.path);
    for (scenario::Fault const& f : s.faults) {
        if (f.action != FaultAction::FloodStart) continue;
        for (scenario::GroveSpec const& g : s.groves)
            if (g.name == f.grove && g.image != "flooder")
                return fmt::format("fault 'flood-start' names grove '{}', whose image is '{}'; a flood needs a grove "
                                   "with image = \"flooder\"",
                                   f.grove, g.image);
    }
    return std::nullopt;
}

Parsed<fs::path> build_metal_iso(scenario::Scenario const& s, MetalOptions const& options) {
    auto gathered = gather(s, options);
    if (!gathered) return gathered.error();
    BootFiles const& files = gathered.value();
    std::string const config = grub_config(files);
    fs::path const iso = options.cache_dir / (content_hash(files, config) + ".iso");
    std::error_code error;
    if (fs::exists(iso, error)) return iso;

    fs::path const root = options.cache_dir / (iso.stem().string() + ".root");
    fs::remove_all(root, error);
    fs::create_directories(root / "boot" / "grub", error);
    if (error) return problem(options, fmt::format("cannot create {}: {}", root.string(), error.message()));
    bool written = write_bytes(root / "boot" / "grove.elf", files.kernel.data(), files.kernel.size()) &&
                   write_bytes(root / "boot" / "plan.bin", files.plan.data(), files.plan.size()) &&
                   write_bytes(root / "boot" / "grub" / "grub.cfg", config.data(), config.size());
    for (usize i = 0; i < files.images.size(); ++i)
        written = written && write_bytes(root / "boot" / (files.images[i] + ".elf"), files.image_bytes[i].data(),
                                         files.image_bytes[i].size());
    if (!written) return problem(options, fmt::format("cannot write the ISO's files under {}", root.string()));

    fs::path const partial = options.cache_dir / (iso.stem().string() + ".partial.iso");
    auto child = start({options.grub_mkrescue, "-o", partial.string(), root.string()});
    if (!child) return problem(options, fmt::format("cannot start {}", options.grub_mkrescue));
    Finished const made = wait_for(*child, 120);
    fs::remove_all(root, error);
    if (made.timed_out || made.status != 0)
        return problem(options, fmt::format("{} failed (status {}): {}", options.grub_mkrescue, made.status,
                                            last_lines(made.output, 10)));
    fs::rename(partial, iso, error);
    if (error) return problem(options, fmt::format("cannot move the ISO to {}: {}", iso.string(), error.message()));
    return iso;
}

namespace {

// The kernel's ELF for gdb: the same file, but its sections that hold no code and overlap the grove window (the
// kernel's .bss reaches past 0x400000) lose SHF_ALLOC. gdb gives a pc to the loaded section that holds it, and the
// kernel's data there is never mapped in a grove's address space; without the flag gdb leaves those sections out of
// its map, while their symbols keep their addresses. Nothing when the bytes are not a well-formed ELF64 file.
std::optional<std::string> kernel_for_gdb(std::string kernel) {
    constexpr u64 ShfAlloc = 0x2;
    constexpr u64 ShfExecinstr = 0x4;
    auto read = [&](usize offset, auto& value) {
        if (offset > kernel.size() || kernel.size() - offset < sizeof value) return false;
        std::memcpy(&value, kernel.data() + offset, sizeof value);
        return true;
    };
    u64 table = 0;
    u16 entry_size = 0, count = 0;
    if (kernel.size() < 64 ||
        kernel.compare(0, 4,
                       "\x7f"
                       "ELF") != 0 ||
        kernel[4] != 2 || !read(0x28, table) || !read(0x3a, entry_size) || !read(0x3c, count) || entry_size < 64)
        return std::nullopt;
    for (u16 i = 0; i < count; ++i) {
        usize const header = static_cast<usize>(table) + usize{i} * entry_size;
        u64 flags = 0, address = 0, size = 0;
        if (!read(header + 0x08, flags) || !read(header + 0x10, address) || !read(header + 0x20, size))
            return std::nullopt;
        bool const overlaps = address < layout::WindowEnd && address + size > layout::WindowBase;
        if ((flags & ShfAlloc) == 0 || (flags & ShfExecinstr) != 0 || !overlaps) continue;
        flags &= ~ShfAlloc;
        std::memcpy(kernel.data() + header + 0x08, &flags, sizeof flags);
    }
    return kernel;
}

} // namespace

Parsed<fs::path> write_gdb_script(scenario::Scenario const& s, MetalOptions const& options) {
    if (!options.gdb_port) return problem(options, "no gdb port was given");
    auto gathered = gather(s, options);
    if (!gathered) return gathered.error();
    BootFiles const& files = gathered.value();
    std::error_code error;
    fs::create_directories(options.cache_dir, error);
    auto const kernel = kernel_for_gdb(files.kernel);
    fs::path const kernel_path = options.cache_dir / (s.name + ".kernel.elf");
    if (!kernel) return problem(options, fmt::format("the kernel {} is not an ELF64 file", options.kernel.string()));
    if (!write_bytes(kernel_path, kernel->data(), kernel->size()))
        return problem(options, fmt::format("cannot write {}", kernel_path.string()));
    std::string script = fmt::format(
        "# gdb -x {0}.gdb: the scenario {0} on metal, QEMU halted before the firmware on 127.0.0.1:{1}.\n"
        "# Symbols: the kernel's, and each grove image's at the address it is linked and loaded at (the grove\n"
        "# window; every grove has its own address space there, so a breakpoint stops every grove that runs its\n"
        "# address). Code is read from the files: a grove's pages are not mapped before it is loaded. The kernel is\n"
        "# {2} with its data over the grove window left out of gdb's section map (its symbols stay).\n"
        "set pagination off\nset confirm off\nset architecture i386:x86-64\nset trust-readonly-sections on\n"
        "symbol-file {3}\n",
        s.name, *options.gdb_port, fs::absolute(options.kernel).string(), fs::absolute(kernel_path).string());
    std::vector<std::string> added;
    for (usize i = 0; i < files.images.size(); ++i) {
        if (std::find(added.begin(), added.end(), files.images[i]) != added.end()) continue;
        added.push_back(files.images[i]);
        script += fmt::format("add-symbol-file {} -o 0\n", fs::absolute(files.image_paths[i]).string());
    }
    script += fmt::format("target remote 127.0.0.1:{}\n", *options.gdb_port);
    fs::path const path = options.cache_dir / (s.name + ".gdb");
    if (!write_bytes(path, script.data(), script.size()))
        return problem(options, fmt::format("cannot write the gdb script {}", path.string()));
    return path;
}

Parsed<MetalRun> run_on_metal(scenario::Scenario const& s, MetalOptions const& options) {
    std::vector<std::string> command = qemu_command(options, !s.disks.empty());
    if (options.gdb_port)
        command.insert(command.end(), {"-gdb", fmt::format("tcp:127.0.0.1:{}", *options.gdb_port), "-S"});
    if (options.boot == BootMethod::Iso) {
        auto iso = build_metal_iso(s, options);
        if (!iso) return iso.error();
        command.insert(command.end(), {"-cdrom", iso.value().string()});
    } else {
        auto gathered = gather(s, options);
        if (!gathered) return gathered.error();
        BootFiles const& files = gathered.value();
        std::error_code error;
        fs::create_directories(options.cache_dir, error);
        fs::path const plan = options.cache_dir / (content_hash(files, "plan") + ".plan");
        if (!fs::exists(plan, error) && !write_bytes(plan, files.plan.data(), files.plan.size()))
            return problem(options, fmt::format("cannot write the plan to {}", plan.string()));
        // -initrd takes "file arguments,file arguments": the module's name is the whole entry.
        std::string modules = plan.string() + " plan";
        for (usize i = 0; i < files.images.size(); ++i)
            modules += fmt::format(",{} {}", files.image_paths[i].string(), files.images[i]);
        command.insert(command.end(), {"-kernel", options.kernel.string(), "-initrd", modules});
    }

    RunDisks disks(s, options);
    if (std::string const error = disks.attach(command); !error.empty()) return problem(options, error);

    auto child = start(command);
    if (!child) return problem(options, fmt::format("cannot start {}", options.qemu));
    unsigned const bound = options.gdb_port ? DebugSessionSeconds : options.timeout_seconds;
    Finished const finished = wait_for(*child, bound);
    MetalRun run;
    run.disks = disks.finish();
    // The kernel ends every line it writes with "\r\n" (a grove's '\n' included): the expansion writes "\n", a
    // grove's own '\r' stays part of its console text.
    ExpandedSerial expanded = expand_compact_records(finished.output);
    run.serial = std::move(expanded.serial);
    run.display = display_line(run.serial);
    if (finished.timed_out) {
        run.outcome = MetalOutcome::TimedOut;
        run.failure = fmt::format("the guest did not finish within {} s and was stopped; the last serial lines:\n{}",
                                  bound, last_lines(run.serial, 12));
    } else if (finished.status != QemuSuccess) {
        run.outcome = MetalOutcome::KernelFailed;
        run.failure = fmt::format("{} (QEMU exit status {}); the last serial lines:\n{}",
                                  finished.status == QemuFailure ? "the kernel reported failure"
                                                                 : "QEMU did not end with the kernel's verdict",
                                  finished.status, last_lines(run.serial, 12));
    }
    if (!expanded.error.empty()) {
        if (run.completed()) return problem(options, "the serial trace is damaged: " + expanded.error);
        run.failure += "\nand the serial trace is damaged: " + expanded.error;
    }
    // A damaged record ends what can be read: the events before it.
    std::string const readable = run.serial.substr(0, expanded.readable);
    auto trace = scenario::read_trace_string(trace_lines(readable), options.name + " (serial)");
    if (!trace) {
        if (!run.completed()) return run; // cut short: the failure says why, no events
        return trace.error();
    }
    run.trace = trace.release_value();
    attach_console_text(readable, run.trace);
    if (run.completed() && !run.trace.final_counters) {
        run.outcome = MetalOutcome::Incomplete;
        run.failure = "the serial trace has no final record; the run did not complete";
    } else if (run.completed() && run.trace.final_counters->digest != expanded.digest) {
        // Every kernel event is a compact record (the runner's own lines are in no digest): a record lost or
        // changed on the way shows here.
        return problem(options, fmt::format("the serial trace lost events: the kernel's digest is {}, its {} "
                                            "event records give {}",
                                            scenario::format_digest(run.trace.final_counters->digest), expanded.events,
                                            scenario::format_digest(expanded.digest)));
    }
    return run;
}

} // namespace grove::metal_host
