#include <core/ipc/endpoint.hpp>

namespace grove {

// The kernel's endpoint (endpoint.hpp declares it extern): its out-of-line operations are compiled here, once.
template class BasicEndpoint<MessageQueue::Capacity>;

} // namespace grove
