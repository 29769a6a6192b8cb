#include <core/ipc/endpoint_table.hpp>

namespace grove {

// The kernel's table (endpoint_table.hpp declares it extern): its out-of-line operations are compiled here, once.
template class BasicEndpointTable<MessageQueue::Capacity>;

} // namespace grove
