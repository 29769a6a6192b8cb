#include <sim/backend/host_slabs.hpp>

#include <core/base/assert.hpp>

#include <sys/mman.h>

#include <algorithm>

namespace grove::sim {
namespace {
constexpr usize SlabBytes = HostSlabs::SlabPages * PageSize;
}

HostSlabs::~HostSlabs() {
    for (auto& [number, slab] : m_slabs) munmap(slab.bytes, SlabBytes);
}

bool HostSlabs::reserve(u64 first, u64 pages) {
    for (u64 s = first / SlabPages; s <= (first + pages - 1) / SlabPages; ++s) {
        if (m_slabs.count(s) != 0) continue;
        void* memory =
            mmap(nullptr, SlabBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (memory == MAP_FAILED) return false;
        m_slabs.emplace(s, Slab{static_cast<std::uint8_t*>(memory), 0});
    }
    return true;
}

std::uint8_t* HostSlabs::host(u64 page) const {
    return m_slabs.find(page / SlabPages)->second.bytes + (page % SlabPages) * PageSize;
}

void HostSlabs::hold(u64 first, u64 pages) {
    for (u64 page = first, end = first + pages; page < end;) {
        u64 const chunk = std::min(end, (page / SlabPages + 1) * SlabPages) - page;
        m_slabs.find(page / SlabPages)->second.held += chunk;
        page += chunk;
    }
}

void HostSlabs::release(u64 first, u64 pages) {
    for (u64 page = first, end = first + pages; page < end;) {
        u64 const chunk = std::min(end, (page / SlabPages + 1) * SlabPages) - page;
        auto it = m_slabs.find(page / SlabPages);
        GROVE_ASSERT(it->second.held >= chunk);
        it->second.held -= chunk;
        if (it->second.held == 0) {
            munmap(it->second.bytes, SlabBytes);
            m_slabs.erase(it);
        } else {
            // Zero on next use, and the host memory back now.
            madvise(it->second.bytes + (page % SlabPages) * PageSize, chunk * PageSize, MADV_DONTNEED);
        }
        page += chunk;
    }
}

void HostSlabs::drop_unused() {
    for (auto it = m_slabs.begin(); it != m_slabs.end();) {
        if (it->second.held != 0) {
            ++it;
            continue;
        }
        munmap(it->second.bytes, SlabBytes);
        it = m_slabs.erase(it);
    }
}

} // namespace grove::sim
