#include <tests/worldtree/store_helpers.hpp>
#include <core/base/prng.hpp>
#include <worldtree/format/query.hpp>

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

namespace grove::worldtree {
namespace {

Metadata object(char const* name, Essence essence, char const* creator, u64 created, u64 size,
                std::vector<std::pair<char const*, char const*>> tags = {}) {
    Metadata m;
    m.name = ObjectName::from(name).value();
    m.essence = essence;
    m.creator = CreatorName::from(creator).value();
    m.created = created;
    m.modified = created + 5;
    m.size = size;
    for (auto const& [k, v] : tags) m.tags[m.tag_count++] = testing::make_tag(k, v);
    return m;
}

bool query_matches(std::string const& text, Metadata const& meta) {
    auto q = Query::parse(text.data(), text.size());
    EXPECT_TRUE(q.has_value()) << text << ": column " << (q ? 0 : q.error().column) << " "
                               << (q ? "" : q.error().message);
    return q && q.value().matches(meta);
}

QueryError query_error(std::string const& text) {
    auto q = Query::parse(text.data(), text.size());
    EXPECT_FALSE(q.has_value()) << text;
    return q ? QueryError{} : q.error();
}

TEST(Query, MatchesTheIssuesExamples) {
    Metadata scroll = object("/docs/readme", Essence::Scroll, "forge", 100, 10, {{"lang", "en"}});
    Metadata rune = object("/bin/echo", Essence::Rune, "smith", 300, 4000);
    EXPECT_TRUE(query_matches("essence:Scroll AND creator:forge", scroll));
    EXPECT_FALSE(query_matches("essence:Scroll AND creator:forge", rune));
    EXPECT_TRUE(query_matches("created:>200", rune));
    EXPECT_FALSE(query_matches("created:>200", scroll));
    EXPECT_TRUE(query_matches("created:100..300", scroll));
    EXPECT_TRUE(query_matches("created:100..300", rune));
    EXPECT_FALSE(query_matches("created:101..299", scroll));
    EXPECT_TRUE(query_matches("name:/bin/*", rune));
    EXPECT_FALSE(query_matches("name:/bin/*", scroll));
    EXPECT_TRUE(query_matches("name:/bin/echo", rune));
    EXPECT_FALSE(query_matches("name:/bin/ech", rune));
    EXPECT_TRUE(query_matches("tag:lang=en", scroll));
    EXPECT_FALSE(query_matches("tag:lang=fr", scroll));
    EXPECT_TRUE(query_matches("tag:lang", scroll));
    EXPECT_FALSE(query_matches("tag:lang", rune));
    EXPECT_TRUE(query_matches("NOT tag:lang", rune));
    EXPECT_TRUE(query_matches("(essence:Rune OR essence:Scroll) AND NOT size:>=4000", scroll));
    EXPECT_FALSE(query_matches("(essence:Rune OR essence:Scroll) AND NOT size:>=4000", rune));
    EXPECT_TRUE(query_matches("essence:Melody OR (creator:sm* AND modified:305)", rune));
    EXPECT_TRUE(query_matches("size:<=10 AND size:<11 AND size:10", scroll));
}

TEST(Query, AndBindsTighterThanOr) {
    Metadata rune = object("/r", Essence::Rune, "smith", 1, 1);
    EXPECT_TRUE(query_matches("essence:Rune OR essence:Scroll AND creator:nobody", rune));
    EXPECT_FALSE(query_matches("(essence:Rune OR essence:Scroll) AND creator:nobody", rune));
}

TEST(Query, NamesTheColumnOfAMalformedQuery) {
    struct Case {
        char const* text;
        u32 column;
    };
    for (Case c : {Case{"", 1},
                   Case{"essence:Scroll AND", 19},
                   Case{"essence:Parchment", 9},
                   Case{"colour:red", 1},
                   Case{"name", 1},
                   Case{"name:", 6},
                   Case{"(name:a", 8},
                   Case{"name:a)", 7},
                   Case{"name:a name:b", 8},
                   Case{"created:>x", 10},
                   Case{"created:5..2", 9},
                   Case{"created:5..", 12},
                   Case{"created:99999999999999999999", 9},
                   Case{"name:a*b", 7},
                   Case{"tag:=v", 5},
                   Case{"tag:k=", 7},
                   Case{"NOT", 4},
                   Case{"AND name:a", 1},
                   Case{"()", 2},
                   Case{"name:a OR OR name:b", 11}}) {
        QueryError e = query_error(c.text);
        EXPECT_EQ(e.column, c.column) << "'" << c.text << "': " << (e.message ? e.message : "");
        EXPECT_NE(e.message, nullptr) << c.text;
    }
}

TEST(Query, RefusesNestingAndLengthBeyondItsTables) {
    std::string deep(20, '(');
    deep += "name:a";
    deep += std::string(20, ')');
    EXPECT_EQ(query_error(deep).column, 17u);
    std::string nots;
    for (int i = 0; i < 40; ++i) nots += "NOT ";
    EXPECT_NE(query_error(nots + "name:a").message, nullptr);
    std::string wide = "name:a";
    for (int i = 0; i < 30; ++i) wide += " OR name:a";
    EXPECT_NE(query_error(wide).message, nullptr);
}

// Random queries built as trees, written out with random spacing and redundant parentheses, must parse and agree
// with the tree's own evaluation on random objects.
struct Generated {
    std::string text;
    std::function<bool(Metadata const&)> evaluate;
};

Generated generate(Prng& prng, int depth) {
    static char const* const Names[] = {"/a", "/a/b", "/bin/echo", "/docs/x"};
    static char const* const Creators[] = {"forge", "smith", "scribe"};
    if (depth == 0 || prng.below(3) == 0) {
        switch (prng.below(6)) {
        case 0: {
            auto e = Essence(prng.below(EssenceCount));
            return {std::string("essence:") + essence_name(e), [e](Metadata const& m) { return m.essence == e; }};
        }
        case 1: {
            std::string c = Creators[prng.below(3)];
            return {"creator:" + c, [c](Metadata const& m) { return c == m.creator.c_str(); }};
        }
        case 2: {
            std::string n = Names[prng.below(4)];
            if (prng.below(2) == 0) {
                std::string prefix = n.substr(0, 1 + prng.below(n.size()));
                return {"name:" + prefix + "*",
                        [prefix](Metadata const& m) { return std::string(m.name.c_str()).rfind(prefix, 0) == 0; }};
            }
            return {"name:" + n, [n](Metadata const& m) { return n == m.name.c_str(); }};
        }
        case 3: {
            std::string v = std::to_string(prng.below(3));
            return {"tag:k=" + v, [v](Metadata const& m) {
                        Tag const* t = m.find_tag("k", 1);
                        return t != nullptr && v == t->value.c_str();
                    }};
        }
        case 4: {
            u64 a = prng.below(100), b = a + prng.below(100);
            return {"created:" + std::to_string(a) + ".." + std::to_string(b),
                    [a, b](Metadata const& m) { return m.created >= a && m.created <= b; }};
        }
        default: {
            u64 t = prng.below(200);
            return {"size:>" + std::to_string(t), [t](Metadata const& m) { return m.size > t; }};
        }
        }
    }
    switch (prng.below(3)) {
    case 0: {
        Generated inner = generate(prng, depth - 1);
        return {"NOT (" + inner.text + ")", [f = inner.evaluate](Metadata const& m) { return !f(m); }};
    }
    case 1: {
        Generated l = generate(prng, depth - 1), r = generate(prng, depth - 1);
        return {"(" + l.text + ") AND (" + r.text + ")",
                [f = l.evaluate, g = r.evaluate](Metadata const& m) { return f(m) && g(m); }};
    }
    default: {
        Generated l = generate(prng, depth - 1), r = generate(prng, depth - 1);
        std::string space = prng.below(2) == 0 ? " " : "  ";
        return {"(" + l.text + ")" + space + "OR" + space + "(" + r.text + ")",
                [f = l.evaluate, g = r.evaluate](Metadata const& m) { return f(m) || g(m); }};
    }
    }
}

TEST(Query, RandomQueriesAgreeWithTheirTrees) {
    Prng prng(7);
    static char const* const Names[] = {"/a", "/a/b", "/bin/echo", "/docs/x", "/other"};
    std::vector<Metadata> objects;
    for (int i = 0; i < 40; ++i) {
        std::string value = std::to_string(prng.below(3));
        objects.push_back(object(Names[prng.below(5)], Essence(prng.below(EssenceCount)),
                                 prng.below(2) == 0 ? "forge" : "smith", prng.below(200), prng.below(300)));
        if (prng.below(2) == 0) objects.back().tags[objects.back().tag_count++] = testing::make_tag("k", value.c_str());
    }
    int matched = 0, checked = 0;
    for (int round = 0; round < 400; ++round) {
        Generated g = generate(prng, 3);
        auto q = Query::parse(g.text.data(), g.text.size());
        if (!q) {
            // Deep random trees may pass the node or depth limits; anything else is a parser bug.
            EXPECT_TRUE(std::string(q.error().message).find("query") == 0) << g.text << ": " << q.error().message;
            continue;
        }
        for (Metadata const& m : objects) {
            bool expected = g.evaluate(m);
            EXPECT_EQ(q.value().matches(m), expected) << g.text << " on " << m.name.c_str();
            matched += expected;
            ++checked;
        }
    }
    EXPECT_GT(matched, checked / 10);
    EXPECT_LT(matched, checked - checked / 10);
}

TEST(Query, RandomInputNeverCrashesAndErrorsPointIntoIt) {
    Prng prng(11);
    static char const* const Pieces[] = {"name:", "essence:", "Scroll", "AND", "OR", "NOT", "(",
                                         ")",     " ",        "*",      "..",  ">",  "<=",  "=",
                                         "tag:",  "created:", "12",     "/x",  ":",  "\t"};
    for (int round = 0; round < 20000; ++round) {
        std::string text;
        usize pieces = prng.below(12);
        for (usize i = 0; i < pieces; ++i) {
            if (prng.below(8) == 0) text += char(prng.below(256));
            else text += Pieces[prng.below(sizeof(Pieces) / sizeof(Pieces[0]))];
        }
        auto q = Query::parse(text.data(), text.size());
        if (q) {
            // What parsed is a whole expression: negated it matches exactly the objects it does not match.
            std::string const negated = "NOT (" + text + ")";
            auto n = Query::parse(negated.data(), negated.size());
            ASSERT_TRUE(n.has_value()) << negated;
            for (auto const& meta :
                 {object("/x", Essence::Scroll, "forge", 12, 12), object("/y", Essence::Rune, "loom", 500, 900)})
                EXPECT_NE(q.value().matches(meta), n.value().matches(meta)) << text;
            continue;
        }
        EXPECT_GE(q.error().column, 1u) << text;
        EXPECT_LE(q.error().column, text.size() + 1) << text;
        EXPECT_NE(q.error().message, nullptr) << text;
    }
}

} // namespace
} // namespace grove::worldtree
