#include <worldtree/format/object.hpp>
#include <worldtree/format/sha256.hpp>

namespace grove::worldtree {

bool parse_essence(char const* text, usize length, Essence* out) {
    for (u8 i = 0; i < EssenceCount; ++i) {
        char const* name = essence_name(Essence(i));
        if (string_length(name) == length && equal_bytes(name, text, length)) {
            *out = Essence(i);
            return true;
        }
    }
    return false;
}

bool is_valid_name(char const* text, usize length) {
    if (length == 0) return false;
    for (usize i = 0; i < length; ++i)
        if (text[i] <= ' ' || text[i] > '~') return false;
    return true;
}

bool is_valid_tag_key(char const* text, usize length) {
    if (length == 0) return false;
    for (usize i = 0; i < length; ++i) {
        char c = text[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
                  c == '.';
        if (!ok) return false;
    }
    return true;
}

bool is_valid_message(char const* text, usize length) {
    for (usize i = 0; i < length; ++i)
        if (text[i] < ' ' || text[i] > '~') return false;
    return true;
}

ContentHash hash_bytes(void const* data, usize length) {
    Sha256 sha;
    sha.update(data, length);
    ContentHash hash;
    sha.finish(hash.bytes);
    return hash;
}

void format_hash(ContentHash const& hash, char* out) {
    constexpr char Digits[] = "0123456789abcdef";
    copy_bytes(out, "sha256:", 7);
    for (usize i = 0; i < 32; ++i) {
        out[7 + 2 * i] = Digits[hash.bytes[i] >> 4];
        out[7 + 2 * i + 1] = Digits[hash.bytes[i] & 0xf];
    }
    out[HashTextLength] = '\0';
}

Tag const* Metadata::find_tag(char const* key, usize length) const {
    for (u8 i = 0; i < tag_count && i < MaxTags; ++i)
        if (tags[i].key.equals(key, length)) return &tags[i];
    return nullptr;
}

} // namespace grove::worldtree
