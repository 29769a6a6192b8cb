#pragma once
#include <core/arch/arch.hpp>
#include <core/grove/admission.hpp>
#include <core/grove/crash_subscriptions.hpp>
#include <core/grove/grove_hooks.hpp>
#include <core/grove/ipc_admission.hpp>
#include <core/grove/registry.hpp>
#include <core/trace/tracer.hpp>

namespace grove {

// The Grove Manager: the registry, every grove's lifecycle, respawn decisions, resource limits, capability checks,
// crash subscriptions and the event stream, behind one object that the kernel calls into. It owns the Registry,
// the Tracer and the CrashSubscriptions; it borrows the Arch (address spaces) and the hooks (threads, endpoints,
// message delivery), which must outlive it.
//
// Time is always given by the caller (`now`, virtual time); nothing here reads a clock. Every operation checks
// first and then commits; an operation that fails returns the error and changes nothing, except where its comment
// says otherwise. Ids name one incarnation: every operation rejects a stale generation with NotFound.
// Operations that end an incarnation (kill, exit, crash, a limit with the Kill policy, tick) call
// GroveHooks::on_teardown before the address space goes.
class GroveManager {
public:
    explicit GroveManager(Arch& arch, GroveHooks* hooks = nullptr) : m_arch(arch), m_hooks(hooks) {}
    GroveManager(GroveManager const&) = delete;
    GroveManager& operator=(GroveManager const&) = delete;

    void set_hooks(GroveHooks* hooks) { m_hooks = hooks; }
    void set_sink(EventSink* sink) { m_tracer.set_sink(sink); }
    Tracer& tracer() { return m_tracer; }
    u64 digest() const { return m_tracer.digest(); }

    // --- lookups ----------------------------------------------------------------------------------------------
    Registry const& registry() const { return m_registry; }
    Grove const* find(GroveId id) const { return m_registry.find(id); }
    Grove const* find_by_name(char const* name, usize length) const { return m_registry.find_by_name(name, length); }
    StaticVector<GroveId, MaxGroves> list() const { return m_registry.list(); }
    CrashSubscriptions const& crash_subscriptions() const { return m_subscriptions; }
    // What the groves in the registry that may still run hold reserved (core/grove/admission.hpp): the sum of their
    // memory and thread limits, the quarantined ones excepted.
    Admission const& admission() const { return m_admission; }

    // --- lifecycle --------------------------------------------------------------------------------------------
    // Validates the spec (validate_spec: name, limits, budget, image; LimitExceeded when the image alone exceeds
    // the memory limit), checks the registry (NoCapacity, AlreadyExists), builds the address space (load_image;
    // the backend's error, with everything rolled back) and registers the grove in Loading. Emits `loaded`.
    Result<GroveId> load(GroveSpec const& spec, Ticks now);
    // Loading -> Running: calls GroveHooks::on_start (which creates the main thread), emits `started`. InvalidState
    // from any other state; the hook's error when it fails (the grove stays Loading).
    Result<void> start(GroveId id, Ticks now);
    // load, then start; when start fails the grove is removed again and the error comes back.
    Result<GroveId> spawn(GroveSpec const& spec, Ticks now);
    // A graceful stop. Running -> Stopping: emits `stopping` with deadline now + stop_timeout and calls
    // on_stop_requested; tick() kills the grove at the deadline. Loading -> Stopped at once (`stopped`). A grove
    // that is down with a respawn (or the start of a restart) pending has it cancelled. InvalidState otherwise.
    Result<void> stop(GroveId id, Ticks now);
    // Ends the incarnation as a crash of kind Killed (Loading, Running or Stopping; InvalidState otherwise). A
    // grove that was Stopping ends Stopped; otherwise its respawn policy decides.
    Result<void> kill(GroveId id, Ticks now);
    // A graceful restart: a stop, then a start. Running: the stop request goes out as stop() sends it (`stopping`
    // with its deadline) and the grove returns the current id; when that incarnation ends (its exit: `stopped`
    // with the code it gave; the deadline: `crashed` kind killed; a fault while stopping: `crashed`) the next
    // tick() loads it again (new generation, fresh address space, `loaded`) and starts it, whatever its respawn
    // policy. Stopping: the stop under way ends in that start. Stopped or Faulted: a scheduled respawn is
    // cancelled and the new incarnation is loaded and started at once; returns the new id, or the error when it
    // cannot be built or started (the grove left Stopped, or Faulted when on_start failed). A kill cancels a
    // pending restart. InvalidState from Loading or Quarantined.
    Result<GroveId> restart(GroveId id, Ticks now);
    // Forgets the grove. Loading, Stopped, Faulted or Quarantined (a Loading incarnation is torn down); InvalidState
    // when Running or Stopping.
    Result<void> remove(GroveId id);

    // --- reports from the kernel ------------------------------------------------------------------------------
    // The grove exited with `code` (its last thread, or the Exit syscall). Running: code 0 is a clean exit
    // (`stopped`, state Stopped), anything else a crash of kind Exit (`crashed`, state Faulted); then the respawn
    // policy decides. Stopping: the stop completed (`stopped`, state Stopped, no respawn). InvalidState otherwise.
    Result<void> report_exit(GroveId id, i32 code, Ticks now);
    // The grove crashed (a fault, a watchdog...): emits `crashed`, notifies subscribers, tears the incarnation
    // down and applies the respawn policy (respawn_scheduled, or gave_up and Quarantined). An Exit crash is
    // report_exit. InvalidState unless Loading, Running or Stopping.
    Result<void> report_crash(GroveId id, Crash const& crash, Ticks now);
    // Feeds the grove's watchdog (spec.watchdog_timeout).
    Result<void> heartbeat(GroveId id, Ticks now);
    // Processes every deadline due at `now`, groves in serial order: stop timeouts (kill), watchdogs (crash of kind
    // Watchdog), the starts of restarts whose incarnation ended (`loaded`, then start) and scheduled respawns (new
    // generation, fresh address space, `respawned`, then start); a start that fails is a crash of kind
    // SpawnFailed, after which the respawn policy decides.
    void tick(Ticks now);
    // The earliest deadline tick() has to process, Ticks::max() when there is none. Kept from one call to the
    // next and recomputed after any operation that may move a deadline; tick(now) does nothing when now is
    // earlier.
    Ticks next_deadline() const;

    // --- limits (InvalidState when the grove has no live incarnation) -----------------------------------------
    // One more thread: LimitExceeded beyond the thread limit (`limit_exceeded`; Kill policy: the grove crashes).
    Result<void> reserve_thread(GroveId id, Ticks now);
    Result<void> release_thread(GroveId id);
    // Accounts `amount` more bytes of memory: LimitExceeded beyond the memory limit (as reserve_thread).
    Result<void> reserve_memory(GroveId id, Bytes amount, Ticks now);
    Result<void> release_memory(GroveId id, Bytes amount);
    // The MemoryMap syscall: needs MemoryManage (AccessDenied, `capability_denied`), a page-aligned base, whole
    // pages inside the grove window and not W+X (InvalidArgument), room under the memory limit for the pages and
    // the page tables they add (LimitExceeded); then maps zeroed pages (the backend's error, nothing accounted).
    Result<void> map_memory(GroveId id, VirtAddr base, Bytes length, Permissions permissions, Ticks now);
    // The MemoryUnmap syscall: needs MemoryManage; unmaps and gives back exactly the frames the backend freed
    // (none for physical pages, which were never charged; page tables stay charged until the incarnation ends).
    Result<void> unmap_memory(GroveId id, VirtAddr base, Bytes length, Ticks now);
    // The PhysicalMap syscall: needs a PhysicalMemory capability covering the range (AccessDenied,
    // `capability_denied` with the address); never Execute (InvalidArgument: device memory is data, and an alias
    // of it could be writable); never the machine's RAM (AccessDenied, Arch::overlaps_ram). Physical pages do not
    // count against the memory limit; the page tables mapping them do.
    Result<void> map_physical(GroveId id, VirtAddr base, PhysicalRange range, Permissions permissions, Ticks now);
    Result<void> reserve_file_handle(GroveId id, Ticks now);
    Result<void> release_file_handle(GroveId id);
    // One more live grant: LimitExceeded beyond the grants limit (as reserve_thread).
    Result<void> reserve_grant(GroveId id, Ticks now);
    Result<void> release_grant(GroveId id);
    // May the grove send one message now? Takes a token from its bucket (Allow), else answers by policy: Deny ->
    // Refuse, Throttle -> Throttle until the next token, Kill -> Refuse and the grove crashes (LimitViolation).
    // `limit_exceeded` is emitted once per episode of being over the rate.
    Result<IpcAdmission> admit_ipc(GroveId id, Ticks now);
    // The scheduler throttled the grove: it used `used` ticks of its `budget` in the current CPU period. Emits
    // `limit_exceeded` (resource cpu); under the Kill policy the grove crashes (LimitViolation) and LimitExceeded
    // comes back. The throttling itself is the scheduler's (core/sched).
    Result<void> report_cpu_exhausted(GroveId id, Ticks used, Ticks budget, Ticks now);

    // --- capabilities (AccessDenied and `capability_denied` when not held) ---------------------------------
    Result<void> require_capability(GroveId id, CapabilityKind kind, Ticks now);
    Result<void> require_io_port(GroveId id, u16 port, Ticks now);
    Result<void> require_irq(GroveId id, u64 line, Ticks now);
    Result<void> require_physical(GroveId id, PhysicalRange range, Ticks now);
    Result<void> require_send_to(GroveId id, char const* peer, usize length, Ticks now);
    // May the live grove `id` control the grove of that name (ServiceManage)? The denial's `capability_denied`
    // has the named grove's serial as detail (0 when no grove has the name).
    Result<void> require_manage(GroveId id, char const* name, usize length, Ticks now);
    // Refuses the live grove `id` a capability of `kind` it does not hold (AccessDenied and `capability_denied` with
    // `detail`), for checks the kernel makes itself, such as a spawn spec asking for more than its spawner holds.
    Result<void> refuse_capability(GroveId id, CapabilityKind kind, u64 detail, Ticks now);
    // The live grove `id` may control the grove of that name from now on (its ServiceManage set grows, for every
    // later incarnation too): nothing to do when it already may; NoCapacity when its list is full.
    Result<void> add_managed(GroveId id, GroveName const& name);
    // May the live grove `receiver` receive messages from grove `sender`? The denial's `capability_denied` names
    // the receiver, with the sender's serial as detail. NotFound when the sender is not registered.
    Result<void> require_receive_from(GroveId receiver, u32 sender, Ticks now);
    // May the live grove `sender` send to or call the grove `recipient`? It must hold every service capability the
    // recipient provides (GroveSpec::provides). The denial's `capability_denied` names the sender and the first
    // service it lacks, with the recipient's serial as detail. NotFound when the recipient is not registered.
    Result<void> require_service_of(GroveId sender, GroveId recipient, Ticks now);

    // --- crash notices ------------------------------------------------------------------------------------------
    // The incarnation `id` hears (GroveHooks::on_crash_notice) about every later crash and give-up of the other
    // groves its CrashWatch capability names, until it ends. AccessDenied (and `capability_denied`) without that
    // capability; NoCapacity when MaxGroves groves are subscribed.
    Result<void> subscribe_crashes(GroveId id, Ticks now);

private:
    Result<Grove*> find_mutable(GroveId id);
    Result<Grove*> find_live(GroveId id);
    // Emits the event, and notifies the subscribers whose CrashWatch capability names its grove.
    void emit(Event const& event);
    bool may_watch(GroveId subscriber, u32 watched) const;
    // A grove's state, stop deadline, heartbeat or respawn time is about to change: next_deadline recomputes.
    void invalidate_deadline() { m_deadline_known = false; }
    Ticks compute_next_deadline() const;
    Result<void> start_incarnation(Grove& g, Ticks now);
    Result<void> reincarnate(Grove& g, Ticks now, EventKind announce);
    void install_image(Grove& g, LoadedImage const& image, Ticks now);
    void teardown(Grove& g);
    void end_incarnation(Grove& g, Crash const& crash, Ticks now);
    void decide_after_ending(Grove& g, Crash const& crash, Ticks now);
    // Running -> Stopping: `stopping` with the deadline, and the stop request.
    void begin_stop(Grove& g, Ticks now);
    // A new incarnation of a grove that is down, announced by `announce` (Respawned for a respawn, Loaded for the
    // start of a restart); a failure is a crash of kind SpawnFailed and the respawn policy decides.
    void start_again(Grove& g, Ticks now, EventKind announce);
    void violation(Grove& g, Resource resource, u64 requested, u64 limit, Ticks now);
    Result<void> deny(Grove& g, CapabilityKind kind, u64 detail, Ticks now);
    template<typename Q>
    Result<void> reserve(GroveId id, Quota<Q> ResourceUsage::*quota, Resource resource, Q amount, Ticks now);
    template<typename Q>
    Result<void> release(GroveId id, Quota<Q> ResourceUsage::*quota, Q amount);
    // Reserves `charge` of the grove's memory (LimitExceeded as reserve_memory), then runs `map`; gives the charge
    // back when the map fails.
    template<typename Map>
    Result<void> charged_map(Grove& g, Bytes charge, Ticks now, Map&& map);

    Arch& m_arch;
    GroveHooks* m_hooks;
    Registry m_registry;
    Tracer m_tracer;
    CrashSubscriptions m_subscriptions;
    Admission m_admission;
    // next_deadline()'s value while m_deadline_known; every change to what it reads calls invalidate_deadline().
    mutable Ticks m_next_deadline = Ticks::max();
    mutable bool m_deadline_known = false;
};

} // namespace grove
