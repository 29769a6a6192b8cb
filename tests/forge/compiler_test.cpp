// The Runic Forge as a library: what it accepts becomes an image the grove loader takes, in the grove layout; what
// it refuses comes back as errors with their line, column and what was expected; no input crashes or hangs it.
#include <forge/compiler.hpp>

#include <core/elf/elf_image.hpp>
#include <core/grove/layout.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace grove::forge {
namespace {

constexpr Bytes GroveMemory{1536 * 1024};

struct Error {
    u32 line;
    u32 column;
    std::string message;
};

class Forge {
public:
    bool compile(std::string const& source) { return m_compiler->compile(source.data(), source.size()); }
    std::vector<Error> errors() const {
        std::vector<Error> all;
        Diagnostics const& d = m_compiler->diagnostics();
        for (usize i = 0; i < d.count(); ++i) all.push_back({d[i].position.line, d[i].position.column, d[i].message});
        return all;
    }
    Span<u8 const> image() const { return m_compiler->image(); }

private:
    std::unique_ptr<Compiler> m_compiler = std::make_unique<Compiler>();
};

std::string const Factorial = R"(# the factorial of 10
chant factorial(n) then
    should n at most 1 then
        yield 1
    otherwise
        yield n * factorial(n - 1)
    end
end
factorial(10)
)";

TEST(Compiler, TurnsAProgramIntoAnImageTheLoaderAccepts) {
    Forge forge;
    ASSERT_TRUE(forge.compile(Factorial));
    EXPECT_TRUE(forge.errors().empty());
    ElfResult<ImagePlan> const plan = validate_elf_image(forge.image(), GroveMemory);
    ASSERT_TRUE(plan.has_value()) << elf_check_name(plan.error());
}

TEST(Compiler, LaysTheImageOutAsAGroveLinkDoes) {
    Forge forge;
    ASSERT_TRUE(forge.compile(Factorial));
    ElfResult<ImagePlan> const plan = validate_elf_image(forge.image(), GroveMemory);
    ASSERT_TRUE(plan.has_value());
    auto const& segments = plan.value().segments;
    ASSERT_EQ(segments.size(), 3u);
    EXPECT_EQ(segments[0].address.value, layout::WindowBase);
    EXPECT_EQ(segments[0].permissions, Permissions::Read);
    EXPECT_EQ(segments[1].permissions, Permissions::Read | Permissions::Execute);
    EXPECT_EQ(segments[2].permissions, Permissions::Read | Permissions::Write);
    EXPECT_EQ(plan.value().entry.value, segments[1].address.value); // _start is the code's first byte
    for (auto const& s : segments) EXPECT_EQ(s.address.value % PageSize, 0u);
}

TEST(Compiler, ReportsLineColumnAndWhatWasExpected) {
    Forge forge;
    EXPECT_FALSE(forge.compile("bind x to 1\nshould x is 1\n    print(x)\nend\n"));
    auto const errors = forge.errors();
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0].line, 3u);
    EXPECT_EQ(errors[0].column, 5u);
    EXPECT_EQ(errors[0].message, "expected 'then' after the condition of 'should', found 'print'");
}

TEST(Compiler, ReportsTheEndOfTheFileWhereABlockIsLeftOpen) {
    Forge forge;
    EXPECT_FALSE(forge.compile("whilst true then\n  1\n"));
    auto const errors = forge.errors();
    ASSERT_FALSE(errors.empty());
    EXPECT_EQ(errors[0].line, 3u);
    EXPECT_EQ(errors[0].message, "expected 'end', found the end of the file");
}

TEST(Compiler, RecoversAfterAnErrorAndReportsTheNextOne) {
    Forge forge;
    EXPECT_FALSE(forge.compile("bind to 3\nbind y to 4\nweave z 5\ny + )\n"));
    auto const errors = forge.errors();
    ASSERT_EQ(errors.size(), 3u);
    EXPECT_EQ(errors[0].line, 1u);
    EXPECT_EQ(errors[0].column, 6u);
    EXPECT_EQ(errors[1].line, 3u);
    EXPECT_EQ(errors[1].message, "expected 'as' after the name, found '5'");
    EXPECT_EQ(errors[2].line, 4u);
    EXPECT_EQ(errors[2].column, 5u);
}

TEST(Compiler, RefusesNamesItDoesNotKnow) {
    Forge forge;
    EXPECT_FALSE(forge.compile("chant f(a) then\n  yield a\nend\nbind x to 1\nset x to 2\nf(1, 2)\ng(1)\ny\n"));
    auto const errors = forge.errors();
    ASSERT_EQ(errors.size(), 4u);
    EXPECT_EQ(errors[0].line, 5u);
    EXPECT_NE(errors[0].message.find("cannot set 'x'"), std::string::npos);
    EXPECT_EQ(errors[1].message, "the chant 'f' takes 1 arguments, not 2");
    EXPECT_NE(errors[2].message.find("unknown chant 'g'"), std::string::npos);
    EXPECT_NE(errors[3].message.find("unknown name 'y'"), std::string::npos);
}

TEST(Compiler, RefusesNumbersPastSixtyFourBits) {
    Forge forge;
    EXPECT_TRUE(forge.compile("-9223372036854775808\n"));
    EXPECT_TRUE(forge.compile("9223372036854775807\n"));
    EXPECT_FALSE(forge.compile("9223372036854775808\n"));
    EXPECT_FALSE(forge.compile("-9223372036854775809\n"));
    EXPECT_FALSE(forge.compile("99999999999999999999999\n"));
}

TEST(Compiler, TreatsDeepNestingAsAnErrorNotAStackOverflow) {
    Forge forge;
    EXPECT_FALSE(forge.compile(std::string(30000, '(') + "1"));
    ASSERT_FALSE(forge.errors().empty());
    EXPECT_NE(forge.errors()[0].message.find("nested more than"), std::string::npos);

    std::string blocks;
    for (int i = 0; i < 3000; ++i) blocks += "should true then\n";
    EXPECT_FALSE(forge.compile(blocks));
    EXPECT_NE(forge.errors()[0].message.find("nested more than"), std::string::npos);

    EXPECT_FALSE(forge.compile(std::string(30000, '-') + "1"));
    std::string nots;
    for (int i = 0; i < 5000; ++i) nots += "not ";
    EXPECT_FALSE(forge.compile(nots + "1\n"));
}

TEST(Compiler, TreatsALongOperatorChainAsAnErrorPastItsDepth) {
    Forge forge;
    std::string sum = "1";
    for (usize i = 0; i < MaxExpressionDepth - 1; ++i) sum += " + 1";
    EXPECT_TRUE(forge.compile(sum + "\n"));
    EXPECT_FALSE(forge.compile(sum + " + 1 + 1\n"));
    EXPECT_NE(forge.errors()[0].message.find("operators deep"), std::string::npos);
}

TEST(Compiler, StopsAfterTheMostErrorsItKeeps) {
    Forge forge;
    std::string source;
    for (int i = 0; i < 1000; ++i) source += "$\n";
    EXPECT_FALSE(forge.compile(source));
    EXPECT_EQ(forge.errors().size(), MaxDiagnostics);
}

TEST(Compiler, RefusesASourceLargerThanItsLimit) {
    Forge forge;
    EXPECT_FALSE(forge.compile(std::string(MaxSourceBytes + 1, ' ')));
    EXPECT_NE(forge.errors()[0].message.find("at most"), std::string::npos);
}

TEST(Compiler, RefusesAProgramTooLargeForTheCodeLimit) {
    Forge forge;
    std::string source = "weave x as 0\n";
    for (int i = 0; i < 1900; ++i) source += "set x to x * 3\n"; // 4 nodes, 28 bytes of code each
    EXPECT_FALSE(forge.compile(source));
    EXPECT_NE(forge.errors()[0].message.find("exceeds"), std::string::npos);
}

// Random soups of the language's own words and symbols, and random bytes: each compiles to an image the loader
// accepts or to errors that point into the source.
TEST(Compiler, NeverFailsOnRandomInputAndEveryImageLoads) {
    static char const* const words[] = {
        "bind", "weave",   "set",   "to",    "as",    "should", "then",  "otherwise",
        "end",  "whilst",  "for",   "each",  "in",    "range",  "match", "with",
        "when", "chant",   "yield", "true",  "false", "and",    "or",    "not",
        "is",   "greater", "less",  "than",  "at",    "least",  "most",  "x",
        "y",    "f",       "print", "sleep", "(",     ")",      ",",     "+",
        "-",    "*",       "/",     "%",     "<",     "<=",     ">",     ">=",
        "1",    "0",       "42",    "\"t\"", "\n",    "\n",     "#c\n",  "9223372036854775808"};
    std::mt19937_64 random(15);
    Forge forge;
    usize compiled = 0;
    for (int round = 0; round < 3000; ++round) {
        std::string source;
        usize const length = random() % 60;
        for (usize i = 0; i < length; ++i) {
            if (random() % 50 == 0) source += static_cast<char>(random() % 256);
            else source += std::string(words[random() % (sizeof words / sizeof words[0])]) + " ";
        }
        if (forge.compile(source)) {
            ++compiled;
            ElfResult<ImagePlan> const plan = validate_elf_image(forge.image(), GroveMemory);
            ASSERT_TRUE(plan.has_value()) << source;
        } else {
            for (Error const& e : forge.errors()) {
                EXPECT_GE(e.line, 1u) << source;
                EXPECT_LE(e.line, 1 + static_cast<u32>(std::count(source.begin(), source.end(), '\n'))) << source;
                EXPECT_FALSE(e.message.empty()) << source;
            }
        }
    }
    EXPECT_GT(compiled, 0u);
}

} // namespace
} // namespace grove::forge
