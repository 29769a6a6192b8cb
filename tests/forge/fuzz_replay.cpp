// A short, deterministic run of the forge harness (fuzz/forge_fuzzer.cpp) in the main build: every program of the
// corpus as it is, then mutations of them drawn from a fixed seed (bytes flipped, inserted, deleted, duplicated,
// words of the language inserted, two programs spliced). The harness aborts on a broken property.
//   forge_fuzz_replay CORPUS_DIRECTORY [ROUNDS]
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size);

namespace {

void run(std::string const& source) {
    LLVMFuzzerTestOneInput(reinterpret_cast<std::uint8_t const*>(source.data()), source.size());
}

std::string mutate(std::string source, std::vector<std::string> const& corpus, std::mt19937_64& random) {
    static char const* const words[] = {"bind ",
                                        "weave ",
                                        "set ",
                                        " to ",
                                        " as ",
                                        "should ",
                                        " then\n",
                                        "otherwise\n",
                                        "end\n",
                                        "whilst ",
                                        "for each i in range(",
                                        "match ",
                                        " with\n",
                                        "when ",
                                        "chant f(",
                                        "yield ",
                                        "(",
                                        ")",
                                        ",",
                                        "-",
                                        "not ",
                                        " is not ",
                                        " at least ",
                                        "\"",
                                        "#",
                                        "\n",
                                        "9223372036854775808",
                                        "-9223372036854775808"};
    std::size_t const edits = 1 + random() % 8;
    for (std::size_t e = 0; e < edits; ++e) {
        std::size_t const at = source.empty() ? 0 : random() % (source.size() + 1);
        switch (random() % 6) {
        case 0:
            if (at < source.size()) source[at] = static_cast<char>(source[at] ^ (1 << (random() % 8)));
            break;
        case 1: source.insert(at, 1, static_cast<char>(random() % 256)); break;
        case 2: source.erase(at, random() % 16); break;
        case 3: source.insert(at, source.substr(at, random() % 64)); break;
        case 4: source.insert(at, words[random() % (sizeof words / sizeof words[0])]); break;
        default: {
            std::string const& other = corpus[random() % corpus.size()];
            std::size_t const from = other.empty() ? 0 : random() % other.size();
            source.insert(at, other.substr(from, random() % 256));
        }
        }
    }
    return source;
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: forge_fuzz_replay CORPUS_DIRECTORY [ROUNDS]\n");
        return 2;
    }
    std::vector<std::string> corpus;
    std::vector<std::filesystem::path> paths;
    for (auto const& entry : std::filesystem::directory_iterator(argv[1]))
        if (entry.path().extension() == ".gw") paths.push_back(entry.path());
    std::sort(paths.begin(), paths.end()); // the same order, so the same mutations, on every machine
    for (auto const& path : paths) {
        std::ifstream file(path, std::ios::binary);
        corpus.emplace_back(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
    }
    if (corpus.empty()) {
        std::fprintf(stderr, "forge_fuzz_replay: no .gw file in %s\n", argv[1]);
        return 2;
    }
    for (std::string const& source : corpus) run(source);
    unsigned long const rounds = argc > 2 ? std::stoul(argv[2]) : 20000;
    std::mt19937_64 random(15);
    for (unsigned long i = 0; i < rounds; ++i) run(mutate(corpus[random() % corpus.size()], corpus, random));
    std::printf("forge_fuzz_replay: %zu programs and %lu mutations, every property held\n", corpus.size(), rounds);
    return 0;
}
