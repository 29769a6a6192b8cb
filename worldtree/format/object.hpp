#pragma once
#include <core/base/fixed_string.hpp>
#include <core/base/std.hpp>

namespace grove::worldtree {

// The kinds of object the origin names.
enum class Essence : u8 { Scroll = 0, Tapestry = 1, Melody = 2, Chronicle = 3, Rune = 4, Grove = 5 };
inline constexpr u8 EssenceCount = 6;

constexpr char const* essence_name(Essence essence) {
    switch (essence) {
    case Essence::Scroll: return "Scroll";
    case Essence::Tapestry: return "Tapestry";
    case Essence::Melody: return "Melody";
    case Essence::Chronicle: return "Chronicle";
    case Essence::Rune: return "Rune";
    case Essence::Grove: return "Grove";
    }
    return "?";
}

// The essence named exactly `text` (case matters); false when none is.
bool parse_essence(char const* text, usize length, Essence* out);

inline constexpr usize MaxNameLength = 63;
inline constexpr usize MaxCreatorLength = 31;
inline constexpr usize MaxTags = 4;
inline constexpr usize MaxTagKeyLength = 15;
inline constexpr usize MaxTagValueLength = 31;
inline constexpr usize MaxMessageLength = 127;
inline constexpr u64 MaxObjectSize = u64(16) << 20;

using ObjectName = FixedString<MaxNameLength>;
using CreatorName = FixedString<MaxCreatorLength>;
using CommitMessage = FixedString<MaxMessageLength>;

// Names, creators and tag values are printable ASCII without spaces (so a query can name them unquoted); tag keys
// are letters, digits, '_', '-' and '.'; a message is printable ASCII with spaces. None may be empty but a message.
bool is_valid_name(char const* text, usize length);
bool is_valid_tag_key(char const* text, usize length);
bool is_valid_message(char const* text, usize length);

// An object's content address: SHA-256 over its bytes, written "sha256:<64 hex digits>".
struct ContentHash {
    u8 bytes[32]{};
    bool operator==(ContentHash const&) const = default;
};
inline constexpr char const* HashName = "sha256";
inline constexpr usize HashTextLength = 7 + 64;
ContentHash hash_bytes(void const* data, usize length);
// Writes the text form and a NUL: HashTextLength + 1 bytes.
void format_hash(ContentHash const& hash, char* out);

struct Tag {
    FixedString<MaxTagKeyLength> key;
    FixedString<MaxTagValueLength> value;
};

// What World-Tree knows of one version of an object besides its bytes.
struct Metadata {
    ObjectName name;
    Essence essence = Essence::Scroll;
    CreatorName creator; // the grove that wrote this version
    u64 created = 0;     // the time of the commit that first put the object
    u64 modified = 0;    // the time of the commit of this version
    Tag tags[MaxTags];
    u8 tag_count = 0;
    u64 size = 0;
    ContentHash hash;

    // The value of tag `key`, or nullptr.
    Tag const* find_tag(char const* key, usize length) const;
};

} // namespace grove::worldtree
