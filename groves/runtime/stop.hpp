#pragma once
#include <core/base/std.hpp>

namespace grove::rt {

// Whether the kernel asked this grove to stop (a graceful stop): looks, without waiting, at the messages waiting
// on the grove's own endpoint and answers true when one is the kernel's NotifyStop. Other waiting messages are
// taken and dropped, so only groves that receive nothing else should ask.
bool stop_requested();

} // namespace grove::rt
