#include <tests/fake/fake_arch.hpp>

#include <core/grove/layout.hpp>

#include <cstring>

namespace grove::testing {

FakeArch::Space* FakeArch::find(AddressSpaceId id) {
    auto it = m_spaces.find(id.value);
    return it == m_spaces.end() ? nullptr : &it->second;
}

bool FakeArch::range_ok(VirtAddr base, PageCount pages) const {
    if (!base.is_page_aligned() || pages.is_zero()) return false;
    u64 length = 0;
    if (!checked_mul(pages.value, PageSize, length)) return false;
    return layout::in_window(base.value, length);
}

Result<AddressSpaceId> FakeArch::create_address_space() {
    if (!m_frames.can_take(SpaceTablePages)) return Error::OutOfMemory;
    AddressSpaceId id{m_next_space++};
    m_spaces.emplace(id.value, Space{});
    m_frames.take(SpaceTablePages);
    return id;
}

void FakeArch::destroy_address_space(AddressSpaceId id) {
    Space* s = find(id);
    if (s == nullptr) return;
    for (auto const& [number, page] : s->pages)
        if (!page.physical) m_frames.give_back(PageCount(1));
    m_frames.give_back(s->tables.pages());
    m_spaces.erase(id.value);
}

Result<void> FakeArch::map(AddressSpaceId id, VirtAddr base, PageCount pages, Permissions permissions) {
    Space* s = find(id);
    if (s == nullptr || !range_ok(base, pages)) return Error::InvalidArgument;
    u64 const first = base.value / PageSize;
    for (u64 p = first; p < first + pages.value; ++p)
        if (s->pages.count(p) != 0) return Error::InvalidArgument;
    if (m_fail_maps > 0) {
        --m_fail_maps;
        return Error::OutOfMemory;
    }
    if (!m_frames.can_take(pages + s->tables.missing(base, pages))) return Error::OutOfMemory;
    for (u64 p = first; p < first + pages.value; ++p)
        s->pages.emplace(p, Page{permissions, false, std::vector<std::uint8_t>(PageSize, 0)});
    m_frames.take(pages + s->tables.add(base, pages));
    return {};
}

PageCount FakeArch::missing_tables(AddressSpaceId id, VirtAddr base, PageCount pages) const {
    auto it = m_spaces.find(id.value);
    return it == m_spaces.end() ? PageCount{} : it->second.tables.missing(base, pages);
}

PageCount FakeArch::table_pages(AddressSpaceId id) const {
    auto it = m_spaces.find(id.value);
    return it == m_spaces.end() ? PageCount{} : it->second.tables.pages();
}

Result<PageCount> FakeArch::unmap(AddressSpaceId id, VirtAddr base, PageCount pages) {
    Space* s = find(id);
    if (s == nullptr || !range_ok(base, pages)) return Error::InvalidArgument;
    u64 const first = base.value / PageSize;
    for (u64 p = first; p < first + pages.value; ++p)
        if (s->pages.count(p) == 0) return Error::InvalidArgument;
    PageCount freed{};
    for (u64 p = first; p < first + pages.value; ++p) {
        if (!s->pages.at(p).physical) freed += PageCount(1);
        s->pages.erase(p);
    }
    m_frames.give_back(freed);
    return freed;
}

Result<void> FakeArch::map_physical(AddressSpaceId id, VirtAddr base, PhysAddr physical, PageCount pages,
                                    Permissions permissions) {
    Space* s = find(id);
    if (s == nullptr || !range_ok(base, pages) || !physical.is_page_aligned()) return Error::InvalidArgument;
    u64 const first = base.value / PageSize;
    for (u64 p = first; p < first + pages.value; ++p)
        if (s->pages.count(p) != 0) return Error::InvalidArgument;
    if (has(permissions, Permissions::Execute)) return Error::InvalidArgument;
    if (overlaps_ram(physical, bytes_of(pages))) return Error::AccessDenied;
    if (!m_frames.can_take(s->tables.missing(base, pages))) return Error::OutOfMemory;
    for (u64 p = first; p < first + pages.value; ++p)
        s->pages.emplace(p, Page{permissions, true, std::vector<std::uint8_t>(PageSize, 0)});
    m_frames.take(s->tables.add(base, pages));
    return {};
}

namespace {
// Visits every page-sized piece of [address, address+length): f(page number, offset in page, chunk length,
// offset in the caller's buffer). False as soon as f is.
template<typename F>
bool for_each_chunk(u64 address, u64 length, F&& f) {
    u64 end = 0;
    if (__builtin_add_overflow(address, length, &end)) return false;
    u64 done = 0;
    while (done < length) {
        u64 const a = address + done;
        u64 const offset = a % PageSize;
        u64 const chunk = std::min<u64>(PageSize - offset, length - done);
        if (!f(a / PageSize, offset, chunk, done)) return false;
        done += chunk;
    }
    return true;
}
} // namespace

Result<void> FakeArch::load(AddressSpaceId id, VirtAddr destination, void const* source, Bytes length) {
    Space* s = find(id);
    if (s == nullptr) return Error::InvalidArgument;
    auto mapped = [&](u64 page, u64, u64, u64) { return s->pages.count(page) != 0; };
    if (!for_each_chunk(destination.value, length.value, mapped)) return Error::InvalidArgument;
    for_each_chunk(destination.value, length.value, [&](u64 page, u64 offset, u64 chunk, u64 done) {
        std::memcpy(s->pages.at(page).bytes.data() + offset, static_cast<std::uint8_t const*>(source) + done, chunk);
        return true;
    });
    return {};
}

Result<void> FakeArch::check_message_buffer(AddressSpaceId id, VirtAddr destination) {
    if (!m_check_without_writing) return Arch::check_message_buffer(id, destination);
    Space* s = find(id);
    if (s == nullptr || !is_writable(*s, destination, Bytes(abi::MessageSize))) return Error::InvalidArgument;
    return {};
}

Result<void> FakeArch::copy_from_user(AddressSpaceId id, void* destination, VirtAddr source, Bytes length) {
    Space* s = find(id);
    if (s == nullptr) return Error::InvalidArgument;
    auto readable = [&](u64 page, u64, u64, u64) {
        auto it = s->pages.find(page);
        return it != s->pages.end() && has(it->second.permissions, Permissions::Read);
    };
    if (!for_each_chunk(source.value, length.value, readable)) return Error::InvalidArgument;
    for_each_chunk(source.value, length.value, [&](u64 page, u64 offset, u64 chunk, u64 done) {
        std::memcpy(static_cast<std::uint8_t*>(destination) + done, s->pages.at(page).bytes.data() + offset, chunk);
        return true;
    });
    return {};
}

bool FakeArch::is_writable(Space const& s, VirtAddr destination, Bytes length) const {
    auto writable = [&](u64 page, u64, u64, u64) {
        auto it = s.pages.find(page);
        return it != s.pages.end() && has(it->second.permissions, Permissions::Write);
    };
    return for_each_chunk(destination.value, length.value, writable);
}

Result<void> FakeArch::check_user(AddressSpaceId id, VirtAddr address, Bytes length, Permissions access) const {
    auto it = m_spaces.find(id.value);
    if (it == m_spaces.end()) return Error::InvalidArgument;
    Space const& s = it->second;
    auto allowed = [&](u64 page, u64, u64, u64) {
        auto p = s.pages.find(page);
        return p != s.pages.end() && has(p->second.permissions, access);
    };
    if (!for_each_chunk(address.value, length.value, allowed)) return Error::InvalidArgument;
    return {};
}

Result<void> FakeArch::copy_to_user(AddressSpaceId id, VirtAddr destination, void const* source, Bytes length) {
    Space* s = find(id);
    if (s == nullptr || !is_writable(*s, destination, length)) return Error::InvalidArgument;
    for_each_chunk(destination.value, length.value, [&](u64 page, u64 offset, u64 chunk, u64 done) {
        std::memcpy(s->pages.at(page).bytes.data() + offset, static_cast<std::uint8_t const*>(source) + done, chunk);
        return true;
    });
    return {};
}

Result<void> FakeArch::set_io_ports(AddressSpaceId id, Span<IoPortRange const> ports) {
    Space* s = find(id);
    if (s == nullptr) return Error::InvalidArgument;
    s->io_ports.assign(ports.begin(), ports.end());
    return {};
}

Result<void> FakeArch::create_context(ThreadId thread, AddressSpaceId space, VirtAddr entry, VirtAddr stack_top,
                                      u64 arg0, u64 arg1) {
    if (find(space) == nullptr || m_contexts.count(thread.index) != 0) return Error::InvalidArgument;
    Context c;
    c.space = space;
    c.entry = entry.value;
    c.stack_top = stack_top.value;
    c.arg0 = arg0;
    c.arg1 = arg1;
    m_contexts.emplace(thread.index, std::move(c));
    m_context_generation[thread.index] = thread.generation;
    return {};
}

void FakeArch::destroy_context(ThreadId thread) {
    m_contexts.erase(thread.index);
    m_context_generation.erase(thread.index);
}

bool FakeArch::has_context(ThreadId thread) const {
    auto it = m_context_generation.find(thread.index);
    return it != m_context_generation.end() && it->second == thread.generation;
}

void FakeArch::set_syscall_result(ThreadId thread, i64 rax, u64 rdx) {
    auto& c = m_contexts.at(thread.index);
    c.rax = rax;
    c.rdx = rdx;
}

void FakeArch::console_write(GroveId source, char const* text, usize length) {
    m_console[source.serial].append(text, length);
    m_console_all.append(text, length);
}

Trap FakeArch::resume(ThreadId thread) {
    m_resumed.push_back(Resumed{thread, m_now});
    auto& c = m_contexts.at(thread.index);
    auto preempted = [&] {
        if (m_deadline > m_now && m_deadline != Ticks::max()) m_now = m_deadline;
        return Trap::make_timer(c.entry);
    };
    if (c.script.empty()) return preempted();
    Scripted& next = c.script.front();
    if (m_deadline <= m_now + next.runs_for) {
        Ticks const ran = m_deadline > m_now ? m_deadline - m_now : Ticks(0);
        next.runs_for -= ran;
        return preempted();
    }
    m_now += next.runs_for;
    Trap const t = next.trap;
    c.script.pop_front();
    return t;
}

} // namespace grove::testing
