#include <core/grove/image_loader.hpp>
#include <core/grove/layout.hpp>

namespace grove {

namespace {

using layout::PageRange;

// The whole pages a segment touches; false when it is empty or its end overflows.
bool page_range_of(ImageSegment const& s, PageRange& out) {
    u64 last = 0;
    if (s.memory_size.is_zero() || !checked_add(s.address.value, s.memory_size.value, last)) return false;
    u64 end = 0;
    if (!checked_add(last, PageSize - 1, end)) return false;
    out = PageRange::covering(s.address.value, s.memory_size.value);
    return true;
}

bool is_valid_segment(ImageSegment const& s, PageRange& pages) {
    if (!page_range_of(s, pages)) return false;
    if (s.file_bytes.size > s.memory_size.value) return false;
    if (!s.file_bytes.is_empty() && s.file_bytes.data == nullptr) return false;
    if (has(s.permissions, Permissions::Write) && has(s.permissions, Permissions::Execute)) return false;
    if (!pages.is_in_window()) return false;
    for (PageRange const reserved : layout::ReservedRanges)
        if (pages.overlaps(reserved)) return false;
    return true;
}

constexpr usize ArgumentsBufferSize = (MaxArguments + 2) * sizeof(u64) + (MaxArguments + 1) * (MaxArgumentLength + 1);
static_assert(ArgumentsBufferSize <= PageSize);

void put_u64(u8* at, u64 v) {
    for (usize i = 0; i < 8; ++i) at[i] = static_cast<u8>(v >> (8 * i));
}

// Lays out argv in the arguments page: argc+1 pointers (the last null), then the NUL-terminated strings.
usize build_arguments(GroveSpec const& spec, u8 (&buffer)[ArgumentsBufferSize], u64& argc) {
    argc = 1 + spec.arguments.size();
    usize text = (argc + 1) * sizeof(u64);
    auto add = [&](usize index, char const* s, usize length) {
        put_u64(buffer + index * sizeof(u64), layout::ArgumentsPage + text);
        copy_bytes(buffer + text, s, length);
        buffer[text + length] = 0;
        text += length + 1;
    };
    add(0, spec.name.c_str(), spec.name.length());
    for (usize i = 0; i < spec.arguments.size(); ++i) add(i + 1, spec.arguments[i].c_str(), spec.arguments[i].length());
    put_u64(buffer + argc * sizeof(u64), 0);
    return text;
}

Result<void> build_space(Arch& arch, AddressSpaceId space, GroveSpec const& spec, LoadedImage& image) {
    for (auto const& segment : spec.image.segments) {
        PageRange pages;
        MUST(page_range_of(segment, pages)); // validate_spec checked every segment
        TRY(arch.map(space, VirtAddr{pages.first}, pages.pages(), segment.permissions));
        if (!segment.file_bytes.is_empty())
            TRY(arch.load(space, segment.address, segment.file_bytes.data, Bytes(segment.file_bytes.size)));
    }
    TRY(arch.map(space, VirtAddr{layout::MainStackBase}, layout::MainStackPages,
                 Permissions::Read | Permissions::Write));
    TRY(arch.map(space, VirtAddr{layout::ArgumentsPage}, PageCount(1), Permissions::Read));
    u8 buffer[ArgumentsBufferSize]{};
    usize const size = build_arguments(spec, buffer, image.argc);
    TRY(arch.load(space, VirtAddr{layout::ArgumentsPage}, buffer, Bytes(size)));
    TRY(arch.set_io_ports(space, spec.capabilities.io_ports()));
    return {};
}

} // namespace

Result<Bytes> validate_image(ImagePlan const& plan) {
    if (plan.segments.is_empty()) return Error::InvalidArgument;
    PageRange ranges[MaxImageSegments];
    bool entry_ok = false;
    u64 pages = layout::MainStackPages.value + 1;
    for (usize i = 0; i < plan.segments.size(); ++i) {
        ImageSegment const& s = plan.segments[i];
        if (!is_valid_segment(s, ranges[i])) return Error::InvalidArgument;
        for (usize j = 0; j < i; ++j)
            if (ranges[i].overlaps(ranges[j])) return Error::InvalidArgument;
        if (has(s.permissions, Permissions::Execute) && plan.entry.value >= s.address.value &&
            plan.entry.value - s.address.value < s.memory_size.value)
            entry_ok = true;
        pages += ranges[i].pages().value; // cannot wrap: each range is inside the window and they are disjoint
    }
    if (!entry_ok) return Error::InvalidArgument;
    return bytes_of(PageCount(pages));
}

Result<Bytes> validate_spec(GroveSpec const& spec) {
    if (!is_valid_grove_name(spec.name.c_str(), spec.name.length())) return Error::InvalidArgument;
    TRY(spec.limits.validate());
    TRY(spec.restart_budget.validate());
    Bytes const memory = TRY(validate_image(spec.image));
    if (memory > spec.limits.memory) return Error::LimitExceeded;
    return memory;
}

Result<LoadedImage> load_image(Arch& arch, GroveSpec const& spec) {
    AddressSpaceId const space = TRY(arch.create_address_space());
    LoadedImage image;
    image.space = space;
    image.entry = spec.image.entry;
    image.stack_top = VirtAddr{layout::MainStackTop};
    image.argv = VirtAddr{layout::ArgumentsPage};
    Result<void> built = build_space(arch, space, spec, image);
    image.memory = validate_image(spec.image).value_or(Bytes{});
    image.tables = bytes_of(arch.table_pages(space));
    if (built.has_value() && image.charged() > spec.limits.memory) built = Error::LimitExceeded;
    if (built.is_error()) {
        arch.destroy_address_space(space);
        return built.error();
    }
    return image;
}

void unload_image(Arch& arch, LoadedImage const& image) { arch.destroy_address_space(image.space); }

} // namespace grove
