#pragma once
#include <core/abi/syscall.hpp>
#include <core/base/assert.hpp>
#include <core/base/std.hpp>
#include <core/grove/ids.hpp>
#include <core/ipc/reply_token.hpp>

namespace grove {

// Where a queued message came from: the sending grove (for accounting) and, for a Call, the caller's reply token.
struct MessageOrigin {
    GroveSlot grove = 0;
    ReplyToken reply;
};

// A bounded priority queue of messages with its storage inline: QueueCapacity slots, 32 priority levels, served
// highest level first and FIFO within a level, every operation O(1).
//
// Each level is a singly linked FIFO threaded through the slots (head, tail, next); free slots form a stack
// threaded through the same links; bit p of m_levels is set exactly when level p is non-empty, so the level to
// serve is the highest set bit. Slot links are the narrowest unsigned type that holds every slot index and the
// end mark (its maximum value): u8 up to 255 slots, u16 above. Invariant (check): the level lists and the free
// stack partition the slots, size() counts the listed ones, and the bitmap matches the non-empty levels.
//
// The kernel's endpoints use MessageQueue (64 slots); other capacities exist for measurements and tests.
template<u32 QueueCapacity>
class BasicMessageQueue {
public:
    static constexpr u32 Capacity = QueueCapacity;
    static constexpr u32 Levels = abi::PriorityLevels;
    static_assert(Levels <= 32, "the level bitmap is a u32");
    static_assert(Capacity > 0 && Capacity <= 0xffff, "slot links are at most u16, with 0xffff as the end mark");
    using Link = std::conditional_t<(Capacity <= 0xff), u8, u16>;

    BasicMessageQueue() { reset(); }
    BasicMessageQueue(BasicMessageQueue const&) = delete;
    BasicMessageQueue& operator=(BasicMessageQueue const&) = delete;

    u32 size() const { return m_size; }
    bool is_empty() const { return m_levels == 0; }
    bool is_full() const { return m_size == Capacity; }

    // Stores `message` with its header flags replaced by `flags`, and its origin (the reply token only when
    // `flags` has the Call flag: pop() gives a null token otherwise). The caller guarantees !is_full() and
    // message.header.priority < Levels.
    void push(abi::Message const& message, u8 flags, MessageOrigin const& origin) {
        GROVE_ASSERT(m_free != End);
        Link const slot = m_free;
        m_free = m_next[slot];
        m_messages[slot] = message;
        // Only when they differ (the common message has no flags): a byte written into the header just stored
        // would keep the receive's 16-byte load of that header from being forwarded from the store buffer.
        if (message.header.flags != flags) [[unlikely]]
            m_messages[slot].header.flags = flags;
        m_groves[slot] = origin.grove;
        if ((flags & abi::MessageFlagCall) != 0) m_replies[slot] = origin.reply;
        m_next[slot] = End;
        u8 const level = message.header.priority;
        if (m_head[level] == End) {
            m_head[level] = slot;
            m_levels |= u32{1} << level;
        } else {
            m_next[m_tail[level]] = slot;
        }
        m_tail[level] = slot;
        ++m_size;
    }

    // The caller guarantees !is_empty(). Moves the oldest message of the highest non-empty level into `out`, its
    // reply token into `reply` (null unless the message is a Call), and returns the grove that sent it. The token
    // is written straight to `reply`: a returned origin went through a temporary that the compiler assembled from
    // two stores and read back whole, which the store buffer cannot forward.
    u8 pop(abi::Message& out, ReplyToken& reply) {
        GROVE_ASSERT(m_levels != 0);
        u32 const level = static_cast<u32>(std::bit_width(m_levels)) - 1;
        Link const slot = m_head[level];
        out = m_messages[slot];
        m_head[level] = m_next[slot];
        if (m_head[level] == End) m_levels &= ~(u32{1} << level);
        m_next[slot] = m_free;
        m_free = slot;
        --m_size;
        bool const is_call = (m_messages[slot].header.flags & abi::MessageFlagCall) != 0;
        reply = is_call ? m_replies[slot] : ReplyToken{};
        return m_groves[slot];
    }

    // The priority of the message pop() would return; the caller guarantees !is_empty().
    u8 top_priority() const {
        GROVE_ASSERT(m_levels != 0);
        return static_cast<u8>(std::bit_width(m_levels) - 1);
    }

    // Empties the queue (the caller has accounted for what it held).
    void reset() {
        for (u32 i = 0; i < Capacity; ++i) m_next[i] = static_cast<Link>(i + 1 < Capacity ? i + 1 : End);
        m_free = 0;
        for (u32 level = 0; level < Levels; ++level) m_head[level] = m_tail[level] = End;
        m_levels = 0;
        m_size = 0;
    }

    // Verifies the structural invariant; false means the queue is corrupt.
    bool check() const {
        bool seen[Capacity]{};
        u32 listed = 0;
        for (u32 level = 0; level < Levels; ++level) {
            bool const has_bit = (m_levels >> level & 1u) != 0;
            if (has_bit != (m_head[level] != End)) return false;
            Link last = End;
            for (Link slot = m_head[level]; slot != End; slot = m_next[slot]) {
                if (slot >= Capacity || seen[slot] || m_messages[slot].header.priority != level) return false;
                seen[slot] = true;
                last = slot;
                if (++listed > Capacity) return false;
            }
            if (has_bit && m_tail[level] != last) return false;
        }
        u32 free_count = 0;
        for (Link slot = m_free; slot != End; slot = m_next[slot]) {
            if (slot >= Capacity || seen[slot]) return false;
            seen[slot] = true;
            if (++free_count > Capacity) return false;
        }
        return listed == m_size && listed + free_count == Capacity;
    }

private:
    static constexpr Link End = std::numeric_limits<Link>::max();

    alignas(64) abi::Message m_messages[Capacity]{};
    ReplyToken m_replies[Capacity]{}; // meaningful only for messages with the Call flag
    GroveSlot m_groves[Capacity]{};
    Link m_next[Capacity]{};
    Link m_head[Levels]{};
    Link m_tail[Levels]{};
    u32 m_levels = 0;
    u32 m_size = 0;
    Link m_free = End;
};

// The queue of every kernel endpoint.
using MessageQueue = BasicMessageQueue<64>;

} // namespace grove
