#pragma once
// Helpers shared by the IPC tests: building messages, draining WakeLists, naming typed tests.
#include <core/ipc/ipc_waiter.hpp>

#include <string>
#include <vector>

namespace grove::test {

// A message whose payload carries `id` in its first eight bytes, so a test can tell messages apart.
inline abi::Message make_message(u8 priority, u64 id, u8 sender_grove = 0) {
    abi::Message m{};
    m.header.sender = sender_grove;
    m.header.priority = priority;
    m.header.length = 8;
    copy_bytes(m.payload, &id, sizeof id);
    return m;
}

inline u64 id_of(abi::Message const& m) {
    u64 id = 0;
    copy_bytes(&id, m.payload, sizeof id);
    return id;
}

// Names the instances of a typed test after the capacity of the queue or endpoint type: "Capacity1024".
struct CapacityName {
    template<typename T>
    static std::string GetName(int) {
        return "Capacity" + std::to_string(T::Capacity);
    }
};

// Empties a WakeList into a vector, in wake order.
inline std::vector<IpcWaiter*> drain(WakeList& woken) {
    std::vector<IpcWaiter*> out;
    while (IpcWaiter* w = woken.pop_front()) out.push_back(w);
    return out;
}

} // namespace grove::test
