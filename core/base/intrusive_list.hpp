#pragma once
#include <core/base/assert.hpp>
#include <core/base/std.hpp>

namespace grove {

// The links an object embeds to be on one IntrusiveList. An object is on at most one list per node it embeds;
// is_linked() says whether it is on one now.
struct IntrusiveListNode {
    IntrusiveListNode* prev = nullptr;
    IntrusiveListNode* next = nullptr;
    bool is_linked() const { return next != nullptr; }
};

// A doubly linked list threaded through a member node of T: O(1) push, pop and removal of any element,
// no allocation. The list does not own its elements; an element must be removed before it is destroyed.
template<typename T, IntrusiveListNode T::*Member>
class IntrusiveList {
public:
    IntrusiveList() { m_head.prev = m_head.next = &m_head; }
    IntrusiveList(IntrusiveList const&) = delete;
    IntrusiveList& operator=(IntrusiveList const&) = delete;

    bool is_empty() const { return m_head.next == &m_head; }
    usize size() const { return m_size; }

    void push_back(T& item) { insert_before(&m_head, node_of(item)); }
    void push_front(T& item) { insert_before(m_head.next, node_of(item)); }

    T* front() { return is_empty() ? nullptr : owner_of(m_head.next); }
    T* back() { return is_empty() ? nullptr : owner_of(m_head.prev); }
    T* pop_front() {
        T* item = front();
        if (item != nullptr) remove(*item);
        return item;
    }
    void remove(T& item) {
        IntrusiveListNode* n = node_of(item);
        GROVE_ASSERT(n->is_linked());
        n->prev->next = n->next;
        n->next->prev = n->prev;
        n->prev = n->next = nullptr;
        --m_size;
    }
    bool contains(T const& item) const {
        for (IntrusiveListNode const* n = m_head.next; n != &m_head; n = n->next)
            if (n == &(item.*Member)) return true;
        return false;
    }

    class Iterator {
    public:
        Iterator(IntrusiveListNode* n) : m_node(n) {}
        T& operator*() const { return *owner_of(m_node); }
        Iterator& operator++() {
            m_node = m_node->next;
            return *this;
        }
        bool operator!=(Iterator const& o) const { return m_node != o.m_node; }

    private:
        IntrusiveListNode* m_node;
    };
    Iterator begin() { return Iterator(m_head.next); }
    Iterator end() { return Iterator(&m_head); }

private:
    static IntrusiveListNode* node_of(T& item) { return &(item.*Member); }
    static T* owner_of(IntrusiveListNode* n) {
        return reinterpret_cast<T*>(reinterpret_cast<unsigned char*>(n) - member_offset());
    }
    // The offset of the node inside T, measured on suitably aligned storage (offsetof cannot take a
    // pointer-to-member). No T is constructed there; only the member's address is taken.
    static usize member_offset() {
        alignas(T) static unsigned char probe[sizeof(T)];
        auto* object = reinterpret_cast<T*>(probe);
        return static_cast<usize>(reinterpret_cast<unsigned char*>(&(object->*Member)) - probe);
    }
    void insert_before(IntrusiveListNode* at, IntrusiveListNode* n) {
        GROVE_ASSERT(!n->is_linked());
        n->next = at;
        n->prev = at->prev;
        at->prev->next = n;
        at->prev = n;
        ++m_size;
    }

    IntrusiveListNode m_head;
    usize m_size = 0;
};

} // namespace grove
