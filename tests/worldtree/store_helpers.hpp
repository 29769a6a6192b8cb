#pragma once
#include <worldtree/format/store.hpp>

#include <gtest/gtest.h>

#include <initializer_list>
#include <memory>
#include <string>
#include <utility>

namespace grove::worldtree::testing {

inline Tag make_tag(char const* key, char const* value) {
    return Tag{FixedString<MaxTagKeyLength>::from(key).value(), FixedString<MaxTagValueLength>::from(value).value()};
}

// Writes `bytes` as a blob and stages a Put of it.
inline StoreResult<void> stage_text(Store& store, char const* name, std::string const& bytes,
                                    Essence essence = Essence::Scroll, char const* creator = "forge",
                                    std::initializer_list<std::pair<char const*, char const*>> tags = {}) {
    auto blob = store.write_blob(bytes.data(), bytes.size());
    if (!blob) return blob.error();
    PutSpec spec;
    spec.name = name;
    spec.essence = essence;
    spec.creator = creator;
    for (auto const& [key, value] : tags) spec.tags[spec.tag_count++] = make_tag(key, value);
    return store.stage_put(spec, blob.value());
}

// The whole content of version `index`, read in pieces of `piece` bytes.
inline std::string read_all(Store& store, u32 index, usize piece = 1000) {
    std::string out;
    std::string buffer(piece, '\0');
    for (;;) {
        auto n = store.read(index, out.size(), buffer.data(), buffer.size());
        EXPECT_TRUE(n.has_value());
        if (!n || n.value() == 0) break;
        out.append(buffer.data(), n.value());
    }
    return out;
}

inline std::string current_text(Store& store, char const* name) {
    auto index = store.find_current(name, std::string(name).size());
    if (!index) return "<" + std::string(store_error_name(index.error())) + ">";
    return read_all(store, index.value());
}

} // namespace grove::worldtree::testing
