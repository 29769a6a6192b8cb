// grovesim disk: World-Tree images offline, with the very format code the world-tree grove runs
// (worldtree/format/, FORMAT.md): make an image, put and get objects, list history, restore, run queries, check.
#include <sim/cli/commands.hpp>
#include <sim/cli/exit_status.hpp>
#include <sim/cli/read_file.hpp>

#include <worldtree/format/query.hpp>
#include <worldtree/format/store.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <unistd.h>
#include <vector>

namespace grove::sim {

namespace {

namespace wt = grove::worldtree;

// A World-Tree image in a regular file, a whole number of sectors; flush is fsync.
class FileDevice final : public wt::BlockDevice {
public:
    ~FileDevice() {
        if (m_file != nullptr) std::fclose(m_file);
    }
    // Opens `path` for reading and writing; an empty string on success, else why not.
    std::string open(std::string const& path) {
        m_file = std::fopen(path.c_str(), "r+b");
        if (m_file == nullptr) return fmt::format("{}: cannot open the image (make it with grovesim disk make)", path);
        std::error_code error;
        auto size = std::filesystem::file_size(path, error);
        if (error || size % wt::SectorSize != 0 || size < 4 * wt::SectorSize)
            return fmt::format("{}: not an image: its size is not a whole number (at least 4) of 512-byte sectors",
                               path);
        m_sectors = size / wt::SectorSize;
        return "";
    }
    u64 sector_count() const override { return m_sectors; }
    bool read(u64 lba, u32 count, void* buffer) override {
        if (lba > m_sectors || count > m_sectors - lba) return false;
        return std::fseek(m_file, long(lba * wt::SectorSize), SEEK_SET) == 0 &&
               std::fread(buffer, wt::SectorSize, count, m_file) == count;
    }
    bool write(u64 lba, u32 count, void const* buffer) override {
        if (lba > m_sectors || count > m_sectors - lba) return false;
        return std::fseek(m_file, long(lba * wt::SectorSize), SEEK_SET) == 0 &&
               std::fwrite(buffer, wt::SectorSize, count, m_file) == count;
    }
    bool flush() override { return std::fflush(m_file) == 0 && ::fsync(fileno(m_file)) == 0; }

private:
    std::FILE* m_file = nullptr;
    u64 m_sectors = 0;
};

// An image opened and mounted, or the exit status and message of why not.
struct OpenStore {
    FileDevice device;
    std::unique_ptr<wt::Store> store;
};

int report_store_error(std::string const& image, wt::StoreError error, wt::Store const& store) {
    if (error == wt::StoreError::Corrupt || error == wt::StoreError::IndexFull) {
        wt::Problem p = store.problem();
        fmt::print(stderr, "grovesim disk: {}: {} at sector {}: {}\n", image, wt::store_error_name(error), p.sector,
                   p.what != nullptr ? p.what : "");
        fmt::print(stderr, "  run grovesim disk check {} for the full check\n", image);
    } else {
        fmt::print(stderr, "grovesim disk: {}: {}\n", image, wt::store_error_name(error));
    }
    return ExitFailure;
}

// Opens and mounts `image`; on failure prints why and returns false with `status` set.
bool open_store(std::string const& image, OpenStore& open, int& status) {
    std::string error = open.device.open(image);
    if (!error.empty()) {
        fmt::print(stderr, "grovesim disk: {}\n", error);
        status = ExitBadInput;
        return false;
    }
    open.store = std::make_unique<wt::Store>(open.device);
    auto mounted = open.store->mount();
    if (!mounted) {
        status = report_store_error(image, mounted.error(), *open.store);
        return false;
    }
    return true;
}

std::string hash_text(wt::ContentHash const& hash) {
    char text[wt::HashTextLength + 1];
    wt::format_hash(hash, text);
    return text;
}

std::string tags_text(wt::Metadata const& meta) {
    std::string text;
    for (u8 i = 0; i < meta.tag_count; ++i)
        text += fmt::format("{}{}={}", i == 0 ? "" : ",", meta.tags[i].key.c_str(), meta.tags[i].value.c_str());
    return text.empty() ? "-" : text;
}

char const* kind_text(wt::disk::ChangeKind kind) {
    switch (kind) {
    case wt::disk::ChangeKind::Put: return "put";
    case wt::disk::ChangeKind::Remove: return "remove";
    case wt::disk::ChangeKind::Restore: return "restore";
    }
    return "?";
}

void print_object_line(wt::Version const& v) {
    fmt::print("{:<40} {:<9} {:<12} v{:<3} {:>9} created {} modified {} tags {}\n", v.meta.name.c_str(),
               wt::essence_name(v.meta.essence), v.meta.creator.c_str(), v.number, v.meta.size, v.meta.created,
               v.meta.modified, tags_text(v.meta));
}

struct PutOptions {
    std::string essence = "Scroll";
    std::string creator = "grovesim";
    std::vector<std::string> tags;
    std::string message;
    u64 time = 0;
};

// Fills a PutSpec from the options; an empty string or why they are not valid.
std::string put_spec(PutOptions const& o, std::string const& name, wt::PutSpec& spec) {
    spec.name = name.c_str();
    spec.creator = o.creator.c_str();
    if (!wt::parse_essence(o.essence.data(), o.essence.size(), &spec.essence))
        return fmt::format("--essence {}: not one of Scroll, Tapestry, Melody, Chronicle, Rune, Grove", o.essence);
    if (o.tags.size() > wt::MaxTags) return fmt::format("at most {} tags", wt::MaxTags);
    for (auto const& tag : o.tags) {
        auto equals = tag.find('=');
        auto key = FixedString<wt::MaxTagKeyLength>::from(tag.substr(0, equals).c_str());
        auto value = equals == std::string::npos ? Result<FixedString<wt::MaxTagValueLength>>(Error::InvalidArgument)
                                                 : FixedString<wt::MaxTagValueLength>::from(tag.c_str() + equals + 1);
        if (!key || !value)
            return fmt::format("--tag {}: expected key=value (key up to 15, value up to 31 characters)", tag);
        spec.tags[spec.tag_count++] = wt::Tag{key.value(), value.value()};
    }
    return "";
}

// Writes the blobs and stages puts for `files` (object name, file path); prints why one failed.
bool stage_files(wt::Store& store, PutOptions const& o, std::vector<std::pair<std::string, std::string>> const& files,
                 int& status) {
    for (auto const& [name, path] : files) {
        FileContents contents = read_regular_file(path, wt::MaxObjectSize);
        if (!contents.ok()) {
            fmt::print(stderr, "grovesim disk: {}\n", contents.error);
            status = ExitBadInput;
            return false;
        }
        wt::PutSpec spec;
        std::string invalid = put_spec(o, name, spec);
        if (!invalid.empty()) {
            fmt::print(stderr, "grovesim disk: {}\n", invalid);
            status = ExitBadInput;
            return false;
        }
        auto blob = store.write_blob(contents.bytes.data(), contents.bytes.size());
        auto staged = blob ? store.stage_put(spec, blob.value()) : wt::StoreResult<void>(blob.error());
        if (!staged) {
            fmt::print(stderr, "grovesim disk: put {} from {}: {}{}\n", name, path,
                       wt::store_error_name(staged.error()),
                       staged.error() == wt::StoreError::InvalidArgument
                           ? " (names, creators and tag values: 1 to 63 printable characters without spaces)"
                           : "");
            status = staged.error() == wt::StoreError::InvalidArgument ? ExitBadInput : ExitFailure;
            return false;
        }
    }
    return true;
}

bool commit(wt::Store& store, PutOptions const& o, std::string const& message, int& status) {
    auto committed = store.commit(o.creator.c_str(), o.time, message.c_str());
    if (!committed) {
        fmt::print(stderr, "grovesim disk: commit: {}\n", wt::store_error_name(committed.error()));
        status = committed.error() == wt::StoreError::InvalidArgument ? ExitBadInput : ExitFailure;
        return false;
    }
    fmt::print("commit {}: {} change(s)\n", committed.value(), store.commit_info(committed.value() - 1).change_count);
    return true;
}

int make_image(std::string const& image, u64 sectors) {
    if (sectors < 4) {
        fmt::print(stderr, "grovesim disk make: --sectors must be at least 4\n");
        return ExitBadInput;
    }
    {
        std::ofstream out(image, std::ios::binary | std::ios::trunc);
        if (!out) {
            fmt::print(stderr, "grovesim disk make: {}: cannot create the file\n", image);
            return ExitBadInput;
        }
    }
    std::filesystem::resize_file(image, sectors * wt::SectorSize);
    FileDevice device;
    std::string error = device.open(image);
    if (!error.empty()) {
        fmt::print(stderr, "grovesim disk make: {}\n", error);
        return ExitBadInput;
    }
    wt::Store store(device);
    if (!store.format()) {
        fmt::print(stderr, "grovesim disk make: {}: the format failed to write\n", image);
        return ExitFailure;
    }
    fmt::print("{}: an empty World-Tree store of {} sectors\n", image, sectors);
    return ExitSuccess;
}

// Whether the current version of `name` already holds the bytes of the file at `path` with the metadata `o` gives
// (a file that cannot be read, or options that are not valid, count as changed: staging reports them).
bool is_unchanged(wt::Store const& store, PutOptions const& o, std::string const& name, std::string const& path) {
    auto current = store.find_current(name.data(), name.size());
    wt::PutSpec spec;
    if (!current || !put_spec(o, name, spec).empty()) return false;
    wt::Metadata const& meta = store.version(current.value()).meta;
    if (meta.essence != spec.essence || std::string(meta.creator.c_str()) != spec.creator ||
        meta.tag_count != spec.tag_count)
        return false;
    for (u8 i = 0; i < meta.tag_count; ++i)
        if (std::string(meta.tags[i].key.c_str()) != spec.tags[i].key.c_str() ||
            std::string(meta.tags[i].value.c_str()) != spec.tags[i].value.c_str())
            return false;
    FileContents contents = read_regular_file(path, wt::MaxObjectSize);
    return contents.ok() && meta.size == contents.bytes.size() &&
           wt::hash_bytes(contents.bytes.data(), contents.bytes.size()) == meta.hash;
}

enum class Unchanged : u8 { Put, Skip };

// Puts `files` (object name, file path) in commits of at most MaxStaged changes; with Unchanged::Skip, a file its
// object's current version already holds is left out, and nothing at all to put is no commit.
int put_files(std::string const& image, PutOptions const& o, std::vector<std::pair<std::string, std::string>> files,
              Unchanged unchanged = Unchanged::Put) {
    OpenStore open;
    int status = ExitSuccess;
    if (!open_store(image, open, status)) return status;
    if (unchanged == Unchanged::Skip) {
        usize const before = files.size();
        std::erase_if(files, [&](auto const& file) { return is_unchanged(*open.store, o, file.first, file.second); });
        if (files.size() != before) fmt::print("{} file(s) unchanged\n", before - files.size());
        if (files.empty()) return ExitSuccess;
    }
    // A commit holds at most MaxStaged changes: a larger tree becomes several commits.
    for (usize first = 0; first < files.size(); first += wt::MaxStaged) {
        std::vector<std::pair<std::string, std::string>> batch(files.begin() + long(first),
                                                               files.begin() +
                                                                   long(std::min(files.size(), first + wt::MaxStaged)));
        std::string message = o.message.empty() ? fmt::format("put {}", batch.front().first) : o.message;
        if (!stage_files(*open.store, o, batch, status) || !commit(*open.store, o, message, status)) return status;
    }
    return ExitSuccess;
}

int import_tree(std::string const& image, std::string const& directory, PutOptions const& o) {
    std::error_code error;
    if (!std::filesystem::is_directory(directory, error)) {
        fmt::print(stderr, "grovesim disk import: {}: not a directory\n", directory);
        return ExitBadInput;
    }
    std::vector<std::pair<std::string, std::string>> files;
    for (auto const& entry : std::filesystem::recursive_directory_iterator(directory)) {
        if (!entry.is_regular_file()) continue;
        std::string relative = std::filesystem::relative(entry.path(), directory).generic_string();
        files.emplace_back("/" + relative, entry.path().string());
    }
    std::sort(files.begin(), files.end());
    if (files.empty()) {
        fmt::print(stderr, "grovesim disk import: {}: no files\n", directory);
        return ExitBadInput;
    }
    return put_files(image, o, files, Unchanged::Skip);
}

// The version to read: the current one, or `number` when given.
bool find(wt::Store& store, std::string const& name, u32 number, u32& index, int& status) {
    auto found = number == 0 ? store.find_current(name.data(), name.size())
                             : store.find_version(name.data(), name.size(), number);
    if (!found || store.version(found.value()).is_removal()) {
        fmt::print(stderr, "grovesim disk: {}{}: not found{}\n", name, number == 0 ? "" : fmt::format(" v{}", number),
                   found ? " (that version removed it)" : "");
        status = ExitFailure;
        return false;
    }
    index = found.value();
    return true;
}

bool copy_out(wt::Store& store, u32 index, std::FILE* out) {
    std::vector<u8> buffer(64 * 1024);
    for (u64 offset = 0;;) {
        auto n = store.read(index, offset, buffer.data(), buffer.size());
        if (!n) return false;
        if (n.value() == 0) return true;
        if (std::fwrite(buffer.data(), 1, n.value(), out) != n.value()) return false;
        offset += n.value();
    }
}

int get_object(std::string const& image, std::string const& name, u32 number, std::string const& output) {
    OpenStore open;
    int status = ExitSuccess;
    u32 index = 0;
    if (!open_store(image, open, status) || !find(*open.store, name, number, index, status)) return status;
    std::FILE* out = output.empty() || output == "-" ? stdout : std::fopen(output.c_str(), "wb");
    if (out == nullptr) {
        fmt::print(stderr, "grovesim disk get: {}: cannot write\n", output);
        return ExitBadInput;
    }
    bool copied = copy_out(*open.store, index, out);
    if (out != stdout) std::fclose(out);
    if (!copied) {
        fmt::print(stderr, "grovesim disk get: {}: reading failed\n", name);
        return ExitFailure;
    }
    return ExitSuccess;
}

// The version of `object` the tree showed after commit number `commit` (0: the newest), or NoIndex when it did not
// hold the object yet.
u32 version_at(wt::Store const& store, u32 object, u32 commit) {
    for (u32 v = store.object_latest(object); v != wt::NoIndex; v = store.version(v).previous)
        if (commit == 0 || store.commit_info(store.version(v).commit).number <= commit) return v;
    return wt::NoIndex;
}

// Where the object `name` goes below the export directory: its name without the leading '/', lexically normal; empty
// when that is no file inside the directory ("/", "/..", "/a/../..", "/a/").
std::filesystem::path export_path(std::string const& name) {
    auto first = name.find_first_not_of('/');
    if (first == std::string::npos) return {};
    std::filesystem::path relative = std::filesystem::path(name.substr(first)).lexically_normal();
    if (!relative.has_filename() || relative == "." || *relative.begin() == "..") return {};
    return relative;
}

// Writes the objects live after commit number `commit` (0: the newest) as files under `directory`. An object whose
// name is no file path there, or whose path another object already takes as a file or needs as a directory (/a
// beside /a/b: the one met later, in the index's order), is skipped with the reason, and the exit status is 1.
int export_tree(std::string const& image, std::string const& directory, u32 commit) {
    OpenStore open;
    int status = ExitSuccess;
    if (!open_store(image, open, status)) return status;
    wt::Store& store = *open.store;
    if (commit > store.commit_count()) {
        fmt::print(stderr, "grovesim disk export: --commit {}: the store has {} commit(s)\n", commit,
                   store.commit_count());
        return ExitBadInput;
    }
    struct Planned {
        std::filesystem::path path;
        u32 version;
    };
    std::vector<Planned> planned;
    std::map<std::filesystem::path, std::string> files;       // path -> the object written there
    std::map<std::filesystem::path, std::string> directories; // path -> an object below it
    auto skip = [&status](std::string const& name, std::string const& why) {
        fmt::print(stderr, "grovesim disk export: {}: {}; skipped\n", name, why);
        status = ExitFailure;
    };
    for (u32 object = 0; object < store.object_count(); ++object) {
        u32 const index = version_at(store, object, commit);
        if (index == wt::NoIndex || store.version(index).is_removal()) continue;
        std::string const name = store.version(index).meta.name.c_str();
        std::filesystem::path const path = export_path(name);
        if (path.empty()) {
            skip(name, fmt::format("not a file path inside {}", directory));
            continue;
        }
        if (auto taken = files.find(path); taken != files.end()) {
            skip(name, fmt::format("{} is written to the same file", taken->second));
            continue;
        }
        if (auto below = directories.find(path); below != directories.end()) {
            skip(name, fmt::format("{} needs {} as a directory", below->second, path.generic_string()));
            continue;
        }
        std::string parent_file;
        for (std::filesystem::path parent = path.parent_path(); !parent.empty(); parent = parent.parent_path())
            if (auto taken = files.find(parent); taken != files.end()) parent_file = taken->second;
        if (!parent_file.empty()) {
            skip(name, fmt::format("{} is a file, so it cannot also be a directory", parent_file));
            continue;
        }
        files.emplace(path, name);
        for (std::filesystem::path parent = path.parent_path(); !parent.empty(); parent = parent.parent_path())
            directories.emplace(parent, name);
        planned.push_back({path, index});
    }
    u32 exported = 0;
    for (Planned const& p : planned) {
        std::string const name = store.version(p.version).meta.name.c_str();
        std::filesystem::path const path = std::filesystem::path(directory) / p.path;
        std::error_code error;
        std::filesystem::create_directories(path.parent_path(), error);
        std::FILE* out = error ? nullptr : std::fopen(path.c_str(), "wb");
        bool copied = out != nullptr && copy_out(store, p.version, out);
        if (out != nullptr && std::fclose(out) != 0) copied = false;
        if (!copied) {
            skip(name, fmt::format("cannot write {}", path.string()));
            continue;
        }
        ++exported;
    }
    std::string const when = commit == 0 ? "" : fmt::format(" as of commit {}", commit);
    fmt::print("exported {} object(s){} to {}\n", exported, when, directory);
    return status;
}

// Prints the live objects `query` matches (every one without a query), then how many.
int list_objects(std::string const& image, wt::Query const* query) {
    OpenStore open;
    int status = ExitSuccess;
    if (!open_store(image, open, status)) return status;
    u32 matched = 0;
    for (u32 object = 0; object < open.store->object_count(); ++object) {
        wt::Version const& v = open.store->version(open.store->object_latest(object));
        if (v.is_removal() || (query != nullptr && !query->matches(v.meta))) continue;
        print_object_line(v);
        ++matched;
    }
    fmt::print("{} object(s){}\n", matched, query != nullptr ? " match" : "");
    return ExitSuccess;
}

int history(std::string const& image, std::string const& name) {
    OpenStore open;
    int status = ExitSuccess;
    if (!open_store(image, open, status)) return status;
    wt::Store& store = *open.store;
    auto newest = store.find_newest(name.data(), name.size());
    if (!newest) {
        fmt::print(stderr, "grovesim disk history: {}: no such object\n", name);
        return ExitFailure;
    }
    // Versions newest first, as the index links them.
    for (u32 index = newest.value(); index != wt::NoIndex; index = store.version(index).previous) {
        wt::Version const& v = store.version(index);
        wt::CommitInfo const& c = store.commit_info(v.commit);
        std::string restored = v.restored_from != 0 ? fmt::format(" of v{}", v.restored_from) : "";
        fmt::print("v{:<3} {}{} commit {} time {} by {} \"{}\": {} {} bytes {} {} tags {}\n", v.number,
                   kind_text(v.kind), restored, c.number, c.time, c.author.c_str(), c.message.c_str(),
                   wt::essence_name(v.meta.essence), v.meta.size, hash_text(v.meta.hash), v.meta.creator.c_str(),
                   tags_text(v.meta));
    }
    return ExitSuccess;
}

int commit_log(std::string const& image) {
    OpenStore open;
    int status = ExitSuccess;
    if (!open_store(image, open, status)) return status;
    wt::Store& store = *open.store;
    for (u32 i = 0; i < store.commit_count(); ++i) {
        wt::CommitInfo const& c = store.commit_info(i);
        fmt::print("commit {} time {} by {} \"{}\" (sector {})\n", c.number, c.time, c.author.c_str(),
                   c.message.c_str(), c.sector);
        for (u32 k = 0; k < c.change_count; ++k) {
            wt::Version const& v = store.version(c.first_version + k);
            fmt::print("  {:<7} {} v{} {}\n", kind_text(v.kind), v.meta.name.c_str(), v.number, hash_text(v.meta.hash));
        }
    }
    return ExitSuccess;
}

int change(std::string const& image, std::string const& name, u32 number, PutOptions const& o) {
    OpenStore open;
    int status = ExitSuccess;
    if (!open_store(image, open, status)) return status;
    auto staged = number == 0 ? open.store->stage_remove(name.data(), name.size())
                              : open.store->stage_restore(name.data(), name.size(), number);
    if (!staged) {
        fmt::print(stderr, "grovesim disk: {} {}{}: {}\n", number == 0 ? "rm" : "restore", name,
                   number == 0 ? "" : fmt::format(" v{}", number), wt::store_error_name(staged.error()));
        return ExitFailure;
    }
    std::string message = !o.message.empty() ? o.message
                          : number == 0      ? fmt::format("remove {}", name)
                                             : fmt::format("restore {} v{}", name, number);
    return commit(*open.store, o, message, status) ? ExitSuccess : status;
}

int query(std::string const& image, std::string const& text) {
    auto parsed = wt::Query::parse(text.data(), text.size());
    if (!parsed) {
        fmt::print(stderr, "grovesim disk query: column {}: {}\n  {}\n  {:>{}}\n", parsed.error().column,
                   parsed.error().message, text, "^", parsed.error().column);
        return ExitBadInput;
    }
    return list_objects(image, &parsed.value());
}

int check(std::string const& image) {
    FileDevice device;
    std::string error = device.open(image);
    if (!error.empty()) {
        fmt::print(stderr, "grovesim disk check: {}\n", error);
        return ExitBadInput;
    }
    auto store = std::make_unique<wt::Store>(device);
    auto report = store->check();
    if (!report) {
        wt::Problem p = store->problem();
        fmt::print("{}: NOT CLEAN: {} at sector {}: {}\n", image, wt::store_error_name(report.error()), p.sector,
                   p.what != nullptr ? p.what : "");
        return ExitFailure;
    }
    wt::MountReport const& r = report.value();
    fmt::print("{}: clean: generation {}, {} of 2 superblocks intact, log end sector {} of {}, {} records ({} blobs, "
               "{} bytes; {} commits), {} objects, {} versions\n",
               image, r.generation, r.valid_superblocks, r.log_end, device.sector_count(), r.records, r.blobs,
               r.blob_bytes, r.commits, store->object_count(), store->version_count());
    return ExitSuccess;
}

void add_put_options(CLI::App* command, PutOptions& o) {
    command->add_option("--essence", o.essence, "Scroll, Tapestry, Melody, Chronicle, Rune or Grove")
        ->default_val("Scroll");
    command->add_option("--creator", o.creator, "The grove that writes (also the commit's author)")
        ->default_val("grovesim");
    command->add_option("--tag", o.tags, "key=value (up to 4)");
    command->add_option("--message,-m", o.message, "The commit message");
    command->add_option("--time", o.time, "The commit's time (virtual nanoseconds)")->default_val(0);
}

} // namespace

void add_disk_command(CLI::App& app, int& exit_status) {
    CLI::App* disk = app.add_subcommand("disk", "World-Tree images: make, put, get, history, restore, query, check");
    disk->require_subcommand(1);
    struct Options {
        std::string image, name, file, directory, text, output;
        u64 sectors = 16384;
        u32 version = 0;
        PutOptions put;
    };
    auto o = std::make_shared<Options>();
    auto image = [&o](CLI::App* command) { command->add_option("image", o->image, "The image file")->required(); };

    CLI::App* make = disk->add_subcommand("make", "Create IMAGE holding an empty store");
    image(make);
    make->add_option("--sectors", o->sectors, "Its size in 512-byte sectors")->default_val(16384);
    make->callback([o, &exit_status] { exit_status = make_image(o->image, o->sectors); });

    CLI::App* put = disk->add_subcommand("put", "Store FILE's bytes as the next version of NAME (one commit)");
    image(put);
    put->add_option("name", o->name, "The object's name, e.g. /groves/echo")->required();
    put->add_option("file", o->file, "The file to store")->required();
    add_put_options(put, o->put);
    put->callback([o, &exit_status] { exit_status = put_files(o->image, o->put, {{o->name, o->file}}); });

    CLI::App* import = disk->add_subcommand(
        "import",
        "Store every file under DIRECTORY as /<its relative path> (a file its object holds already: skipped)");
    image(import);
    import->add_option("directory", o->directory, "The tree to store")->required();
    add_put_options(import, o->put);
    import->callback([o, &exit_status] { exit_status = import_tree(o->image, o->directory, o->put);
});

CLI::App* exp = disk->add_subcommand("export", "Write every live object to DIRECTORY/<its name>");
image(exp);
exp->add_option("directory", o->directory, "Where to write")->required();
exp->add_option("--commit", o->version, "The tree as it was after commit N (see log; default: the newest)");
exp->callback([o, &exit_status] { exit_status = export_tree(o->image, o->directory, o->version); });

CLI::App* get = disk->add_subcommand("get", "Write an object's bytes (the current version, or --version N)");
image(get);
get->add_option("name", o->name, "The object's name")->required();
get->add_option("--version", o->version, "The version number (see history)");
get->add_option("-o,--output", o->output, "The file to write (default: standard output)");
get->callback([o, &exit_status] { exit_status = get_object(o->image, o->name, o->version, o->output); });

CLI::App* ls = disk->add_subcommand("ls", "List the live objects with their metadata");
image(ls);
ls->callback([o, &exit_status] { exit_status = list_objects(o->image, nullptr); });

CLI::App* hist = disk->add_subcommand("history", "List every version of NAME, newest first");
image(hist);
hist->add_option("name", o->name, "The object's name")->required();
hist->callback([o, &exit_status] { exit_status = history(o->image, o->name); });

CLI::App* log = disk->add_subcommand("log", "List every commit and its changes");
image(log);
log->callback([o, &exit_status] { exit_status = commit_log(o->image); });

CLI::App* rm = disk->add_subcommand("rm", "Remove NAME (one commit; its history stays)");
image(rm);
rm->add_option("name", o->name, "The object's name")->required();
add_put_options(rm, o->put);
rm->callback([o, &exit_status] { exit_status = change(o->image, o->name, 0, o->put); });

CLI::App* restore = disk->add_subcommand("restore", "Make version N of NAME its newest version (one commit)");
image(restore);
restore->add_option("name", o->name, "The object's name")->required();
restore->add_option("version", o->version, "The version to restore")->required()->check(CLI::PositiveNumber);
add_put_options(restore, o->put);
restore->callback([o, &exit_status] { exit_status = change(o->image, o->name, o->version, o->put); });

CLI::App* q = disk->add_subcommand("query", "List the live objects a query matches (FORMAT.md, Queries)");
image(q);
q->add_option("query", o->text, "e.g. 'essence:Scroll AND creator:forge'")->required();
q->callback([o, &exit_status] { exit_status = query(o->image, o->text); });

CLI::App* chk = disk->add_subcommand("check", "fsck: replay the log, verify every checksum and content address");
image(chk);
chk->callback([o, &exit_status] { exit_status = check(o->image); });
} // namespace grove::sim

} // namespace grove::sim
