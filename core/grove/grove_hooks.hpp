#pragma once
#include <core/abi/syscall.hpp>
#include <core/base/result.hpp>
#include <core/grove/grove.hpp>

namespace grove {

// What the GroveManager asks of the rest of the kernel (threads, endpoints, message delivery), which it does not
// own. The kernel implements it; tests implement what they need; every default does nothing. The hooks are called
// synchronously from inside manager operations: they may call the manager's accounting functions
// (reserve_thread, release_thread...) but must not load, start, stop, kill, restart or remove groves.
class GroveHooks {
public:
    virtual ~GroveHooks() = default;

    // An incarnation is loaded (grove.image holds its address space, entry, stack top and arguments) and about to
    // run: create its main thread (reserve_thread first). On failure, leave nothing behind and return the error;
    // the grove does not start.
    virtual Result<void> on_start(Grove const& grove, Ticks now) {
        (void)grove;
        (void)now;
        return {};
    }
    // A graceful stop was asked: tell the grove (a message on its endpoint). It has until grove.stop_deadline.
    virtual void on_stop_requested(Grove const& grove) { (void)grove; }
    // The incarnation ends: destroy its threads and contexts, close its endpoints and handles. Called before its
    // address space is destroyed; grove.id is still the ending incarnation's.
    virtual void on_teardown(Grove const& grove) { (void)grove; }
    // Deliver a crash or give-up notice (tag abi::NotifyCrashed or abi::NotifyGaveUp) to a subscribed grove.
    virtual void on_crash_notice(GroveId subscriber, u32 tag, abi::CrashNotice const& notice) {
        (void)subscriber;
        (void)tag;
        (void)notice;
    }

protected:
    GroveHooks() = default;
    GroveHooks(GroveHooks const&) = default;
    GroveHooks& operator=(GroveHooks const&) = default;
};

} // namespace grove
