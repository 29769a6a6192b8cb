#include <core/grove/grove_manager.hpp>
#include <core/grove/image_loader.hpp>
#include <core/grove/layout.hpp>

namespace grove {

namespace {

bool has_incarnation(GroveState s) {
    return s == GroveState::Loading || s == GroveState::Running || s == GroveState::Stopping;
}

#if defined(GROVE_PLANTED_BUG)
// A bug planted on purpose, compiled only into the test build that checks that a sweep finds such a bug and that
// shrinking reduces its run (tests/scenarios/CMakeLists.txt): a grove killed while it was stopping keeps its frames,
// which then belong to nobody.
bool planted_leak(Grove const& g) { return g.state == GroveState::Stopping && g.last_crash.kind == CrashKind::Killed; }
#else
constexpr bool planted_leak(Grove const&) { return false; }
#endif

} // namespace

// --- helpers ---------------------------------------------------------------------------------------------------

Result<Grove*> GroveManager::find_mutable(GroveId id) {
    Grove* g = m_registry.find(id);
    if (g == nullptr) return Error::NotFound;
    return g;
}

Result<Grove*> GroveManager::find_live(GroveId id) {
    Grove* g = TRY(find_mutable(id));
    if (!g->has_image) return Error::InvalidState;
    return g;
}

void GroveManager::emit(Event const& event) {
    m_tracer.emit(event);
    if (m_hooks == nullptr) return;
    u32 const tag = crash_notice_tag(event.kind);
    m_subscriptions.for_each_recipient(event, [&](GroveId subscriber) {
        if (may_watch(subscriber, event.serial)) m_hooks->on_crash_notice(subscriber, tag, make_crash_notice(event));
    });
}

void GroveManager::install_image(Grove& g, LoadedImage const& image, Ticks now) {
    invalidate_deadline();
    g.image = image;
    g.has_image = true;
    g.usage = ResourceUsage(g.spec.limits, now);
    bool const accounted = g.usage.memory.try_withdraw(image.charged());
    GROVE_ASSERT(accounted); // load_image checked the image and its tables against the limit
    g.stop_deadline = Ticks{};
    g.last_heartbeat = now;
}

void GroveManager::teardown(Grove& g) {
    invalidate_deadline();
    if (!g.has_image) return;
    if (m_hooks != nullptr) m_hooks->on_teardown(g);
    if (!planted_leak(g)) unload_image(m_arch, g.image);
    g.has_image = false;
    g.image = LoadedImage{};
    g.usage = ResourceUsage{};
    m_subscriptions.unsubscribe(g.id.serial); // false (nothing to do) for a grove that never subscribed
}

// --- lifecycle -------------------------------------------------------------------------------------------------

Result<GroveId> GroveManager::load(GroveSpec const& spec, Ticks now) {
    invalidate_deadline();
    TRY(validate_spec(spec));
    TRY(m_registry.check_can_add(spec.name));
    TRY(m_admission.admit(spec.limits));
    Result<LoadedImage> const loaded = load_image(m_arch, spec);
    if (loaded.is_error()) {
        m_admission.release(spec.limits);
        return loaded.error();
    }
    LoadedImage const image = loaded.value();
    Grove* g = m_registry.add(spec).value(); // checked above: cannot fail
    install_image(*g, image, now);
    emit(Event::loaded(now, g->id, image.entry, image.memory));
    return g->id;
}

Result<void> GroveManager::start_incarnation(Grove& g, Ticks now) {
    invalidate_deadline();
    TRY(check_transition(g.state, GroveState::Running));
    if (m_hooks != nullptr) TRY(m_hooks->on_start(g, now));
    g.state.transition_to(GroveState::Running);
    g.history.record_start(now);
    g.last_heartbeat = now;
    emit(Event::started(now, g.id));
    return {};
}

Result<void> GroveManager::start(GroveId id, Ticks now) {
    Grove* g = TRY(find_mutable(id));
    return start_incarnation(*g, now);
}

Result<GroveId> GroveManager::spawn(GroveSpec const& spec, Ticks now) {
    GroveId const id = TRY(load(spec, now));
    Result<void> started = start(id, now);
    if (started.is_error()) {
        MUST(remove(id)); // loaded just above, still Loading: its image and admission go back
        return started.error();
    }
    return id;
}

Result<void> GroveManager::stop(GroveId id, Ticks now) {
    invalidate_deadline();
    Grove* g = TRY(find_mutable(id));
    switch (g->state) {
    case GroveState::Loading:
        teardown(*g);
        g->state.transition_to(GroveState::Stopped);
        emit(Event::stopped(now, g->id, 0));
        return {};
    case GroveState::Running: begin_stop(*g, now); return {};
    case GroveState::Stopped:
    case GroveState::Faulted:
        if (!g->respawn_pending && !g->start_pending) return Error::InvalidState;
        g->respawn_pending = false;
        g->start_pending = false;
        return {};
    case GroveState::Stopping:
    case GroveState::Quarantined: return Error::InvalidState;
    }
    return Error::InvalidState;
}

void GroveManager::begin_stop(Grove& g, Ticks now) {
    invalidate_deadline();
    g.state.transition_to(GroveState::Stopping);
    g.stop_deadline = now + g.spec.stop_timeout;
    emit(Event::stopping(now, g.id, g.stop_deadline));
    if (m_hooks != nullptr) m_hooks->on_stop_requested(g);
}

Result<void> GroveManager::kill(GroveId id, Ticks now) {
    Grove* g = TRY(find_mutable(id));
    if (!has_incarnation(g->state)) return Error::InvalidState;
    g->restart_pending = false;
    end_incarnation(*g, Crash::killed(), now);
    return {};
}

Result<void> GroveManager::reincarnate(Grove& g, Ticks now, EventKind announce) {
    invalidate_deadline();
    TRY(check_transition(g.state, GroveState::Loading));
    LoadedImage const image = TRY(load_image(m_arch, g.spec));
    g.state.transition_to(GroveState::Loading);
    g.respawn_pending = false;
    ++g.id.generation;
    install_image(g, image, now);
    if (announce == EventKind::Respawned) emit(Event::respawned(now, g.id));
    else emit(Event::loaded(now, g.id, image.entry, image.memory));
    return start_incarnation(g, now);
}

Result<GroveId> GroveManager::restart(GroveId id, Ticks now) {
    invalidate_deadline();
    Grove* g = TRY(find_mutable(id));
    switch (g->state) {
    case GroveState::Loading:
    case GroveState::Quarantined: return Error::InvalidState;
    case GroveState::Running:
        begin_stop(*g, now);
        g->restart_pending = true;
        return g->id;
    case GroveState::Stopping: g->restart_pending = true; return g->id;
    case GroveState::Stopped:
    case GroveState::Faulted: break;
    }
    g->respawn_pending = false;
    g->start_pending = false;
    Result<void> started = reincarnate(*g, now, EventKind::Loaded);
    if (started.is_error()) {
        if (g->has_image) { // built, but on_start failed
            teardown(*g);
            g->state.transition_to(GroveState::Faulted);
        }
        return started.error();
    }
    return g->id;
}

Result<void> GroveManager::remove(GroveId id) {
    invalidate_deadline();
    Grove* g = TRY(find_mutable(id));
    if (g->state == GroveState::Running || g->state == GroveState::Stopping) return Error::InvalidState;
    teardown(*g);
    if (g->state != GroveState::Quarantined) m_admission.release(g->spec.limits); // quarantine gave it back
    return m_registry.remove(id);
}

// --- endings and respawns --------------------------------------------------------------------------------------

void GroveManager::end_incarnation(Grove& g, Crash const& crash, Ticks now) {
    invalidate_deadline();
    GROVE_ASSERT(g.has_image);
    bool const was_stopping = g.state == GroveState::Stopping;
    bool const completes_stop = was_stopping && (crash.kind == CrashKind::Exit || crash.kind == CrashKind::Killed);
    GroveState const target = completes_stop || crash.is_clean_exit() ? GroveState::Stopped : GroveState::Faulted;

    GroveId const ended = g.id;
    bool const restarts = was_stopping && g.restart_pending;
    g.restart_pending = false;
    g.last_crash = crash;
    teardown(g);
    g.state.transition_to(target);
    if (crash.kind == CrashKind::Exit && target == GroveState::Stopped) {
        emit(Event::stopped(now, ended, crash.exit_code));
    } else {
        ++g.crashes;
        emit(Event::crashed(now, ended, crash));
    }
    // The new incarnation of a restart starts at the next tick, outside whatever ended this one (an exit syscall).
    if (restarts) g.start_pending = true;
    if (!was_stopping) decide_after_ending(g, crash, now);
}

void GroveManager::decide_after_ending(Grove& g, Crash const& crash, Ticks now) {
    invalidate_deadline();
    RespawnDecision const decision = decide_respawn(g.spec.respawn, g.spec.restart_budget, g.history, crash, now);
    g.history.record(decision, g.spec.restart_budget, now);
    switch (decision.verdict) {
    case RespawnVerdict::Respawn:
        g.respawn_pending = true;
        g.respawn_at = now + decision.delay;
        emit(Event::respawn_scheduled(now, g.id, decision.delay));
        break;
    case RespawnVerdict::GiveUp:
        g.state.transition_to(GroveState::Quarantined);
        m_admission.release(g.spec.limits); // terminal: the grove never runs again
        g.respawn_pending = false;
        emit(Event::gave_up(now, g.id));
        break;
    case RespawnVerdict::StayDown: break;
    }
}

void GroveManager::start_again(Grove& g, Ticks now, EventKind announce) {
    invalidate_deadline();
    g.respawn_pending = false;
    g.start_pending = false;
    Result<void> started = reincarnate(g, now, announce);
    if (started.has_value()) return;
    if (g.has_image) { // built, but on_start failed
        teardown(g);
        g.state.transition_to(GroveState::Faulted);
    }
    Crash const failed = Crash::spawn_failed();
    g.last_crash = failed;
    ++g.crashes;
    emit(Event::crashed(now, g.id, failed));
    decide_after_ending(g, failed, now);
}

Result<void> GroveManager::report_exit(GroveId id, i32 code, Ticks now) {
    Grove* g = TRY(find_mutable(id));
    if (g->state != GroveState::Running && g->state != GroveState::Stopping) return Error::InvalidState;
    end_incarnation(*g, Crash::exit(code), now);
    return {};
}

Result<void> GroveManager::report_crash(GroveId id, Crash const& crash, Ticks now) {
    if (crash.kind == CrashKind::Exit) return report_exit(id, crash.exit_code, now);
    Grove* g = TRY(find_mutable(id));
    if (!has_incarnation(g->state)) return Error::InvalidState;
    end_incarnation(*g, crash, now);
    return {};
}

Result<void> GroveManager::heartbeat(GroveId id, Ticks now) {
    invalidate_deadline();
    Grove* g = TRY(find_live(id));
    g->last_heartbeat = now;
    return {};
}

void GroveManager::tick(Ticks now) {
    if (now < next_deadline()) return; // nothing is due
    invalidate_deadline();
    m_registry.for_each([&](Grove& g) {
        if (g.state == GroveState::Stopping && now >= g.stop_deadline) {
            end_incarnation(g, Crash::killed(), now);
        } else if (g.state == GroveState::Running && !g.spec.watchdog_timeout.is_zero() &&
                   now >= g.last_heartbeat + g.spec.watchdog_timeout) {
            end_incarnation(g, Crash::watchdog(), now);
        }
        if (g.start_pending) start_again(g, now, EventKind::Loaded);
        else if (g.respawn_pending && now >= g.respawn_at) start_again(g, now, EventKind::Respawned);
    });
}

Ticks GroveManager::next_deadline() const {
    if (!m_deadline_known) {
        m_next_deadline = compute_next_deadline();
        m_deadline_known = true;
    }
    return m_next_deadline;
}

Ticks GroveManager::compute_next_deadline() const {
    Ticks next = Ticks::max();
    auto consider = [&](Ticks t) {
        if (t < next) next = t;
    };
    m_registry.for_each([&](Grove const& g) {
        if (g.state == GroveState::Stopping) consider(g.stop_deadline);
        if (g.state == GroveState::Running && !g.spec.watchdog_timeout.is_zero())
            consider(g.last_heartbeat + g.spec.watchdog_timeout);
        if (g.respawn_pending) consider(g.respawn_at);
        if (g.start_pending) consider(Ticks{});
    });
    return next;
}

// --- limits ----------------------------------------------------------------------------------------------------

void GroveManager::violation(Grove& g, Resource resource, u64 requested, u64 limit, Ticks now) {
    emit(Event::limit_exceeded(now, g.id, resource, requested, limit));
    if (g.spec.limits.policy == ViolationPolicy::Kill) end_incarnation(g, Crash::limit_violation(), now);
}

template<typename Q>
Result<void> GroveManager::reserve(GroveId id, Quota<Q> ResourceUsage::*quota, Resource resource, Q amount, Ticks now) {
    Grove* g = TRY(find_live(id));
    Quota<Q>& q = g->usage.*quota;
    if (!q.try_withdraw(amount)) {
        violation(*g, resource, (q.used() + amount).value, q.limit().value, now);
        return Error::LimitExceeded;
    }
    return {};
}

template<typename Q>
Result<void> GroveManager::release(GroveId id, Quota<Q> ResourceUsage::*quota, Q amount) {
    Grove* g = TRY(find_live(id));
    Quota<Q>& q = g->usage.*quota;
    if (amount > q.used()) return Error::InvalidArgument;
    MUST(q.replenish(amount)); // at most what is used: checked above
    return {};
}

Result<void> GroveManager::reserve_thread(GroveId id, Ticks now) {
    return reserve(id, &ResourceUsage::threads, Resource::Threads, Count(1), now);
}
Result<void> GroveManager::release_thread(GroveId id) { return release(id, &ResourceUsage::threads, Count(1)); }
Result<void> GroveManager::reserve_memory(GroveId id, Bytes amount, Ticks now) {
    return reserve(id, &ResourceUsage::memory, Resource::Memory, amount, now);
}
Result<void> GroveManager::release_memory(GroveId id, Bytes amount) {
    return release(id, &ResourceUsage::memory, amount);
}
Result<void> GroveManager::reserve_file_handle(GroveId id, Ticks now) {
    return reserve(id, &ResourceUsage::file_handles, Resource::FileHandles, Count(1), now);
}
Result<void> GroveManager::release_file_handle(GroveId id) {
    return release(id, &ResourceUsage::file_handles, Count(1));
}
Result<void> GroveManager::reserve_grant(GroveId id, Ticks now) {
    return reserve(id, &ResourceUsage::grants, Resource::Grants, Count(1), now);
}
Result<void> GroveManager::release_grant(GroveId id) { return release(id, &ResourceUsage::grants, Count(1)); }

namespace {

// Whole pages [base, base + length) inside the window, base aligned and length a positive multiple of a page.
bool is_mappable(VirtAddr base, Bytes length) {
    return base.is_page_aligned() && !length.is_zero() && length.value % PageSize == 0 &&
           layout::in_window(base.value, length.value);
}

} // namespace

Result<void> GroveManager::map_memory(GroveId id, VirtAddr base, Bytes length, Permissions permissions, Ticks now) {
    Grove* g = TRY(find_live(id));
    if (!g->spec.capabilities.has(CapabilityKind::MemoryManage))
        return deny(*g, CapabilityKind::MemoryManage, base.value, now);
    if (!is_mappable(base, length)) return Error::InvalidArgument;
    if (has(permissions, Permissions::Write) && has(permissions, Permissions::Execute)) return Error::InvalidArgument;
    PageCount const pages = pages_for(length);
    Bytes const charge = length + bytes_of(m_arch.missing_tables(g->image.space, base, pages));
    return charged_map(*g, charge, now, [&] { return m_arch.map(g->image.space, base, pages, permissions); });
}

Result<void> GroveManager::unmap_memory(GroveId id, VirtAddr base, Bytes length, Ticks now) {
    Grove* g = TRY(find_live(id));
    if (!g->spec.capabilities.has(CapabilityKind::MemoryManage))
        return deny(*g, CapabilityKind::MemoryManage, base.value, now);
    if (!is_mappable(base, length)) return Error::InvalidArgument;
    // Exactly the frames that came back: a physical page was never charged, so it credits nothing.
    PageCount const freed = TRY(m_arch.unmap(g->image.space, base, pages_for(length)));
    MUST(g->usage.memory.replenish(bytes_of(freed))); // every frame of a grove's mappings was charged to it
    return {};
}

Result<void> GroveManager::map_physical(GroveId id, VirtAddr base, PhysicalRange range, Permissions permissions,
                                        Ticks now) {
    TRY(require_physical(id, range, now));
    Grove* g = TRY(find_live(id));
    if (!is_mappable(base, range.length) || !range.base.is_page_aligned()) return Error::InvalidArgument;
    // W^X for every mapping path: device memory is data, never code, so no physical page (which any number of
    // mappings may alias, writable at one address) is ever executable; and RAM is never a physical range.
    if (has(permissions, Permissions::Execute)) return Error::InvalidArgument;
    if (m_arch.overlaps_ram(range.base, range.length)) return Error::AccessDenied;
    // The physical pages are not the machine's frames; the page tables that map them are.
    PageCount const pages = pages_for(range.length);
    Bytes const charge = bytes_of(m_arch.missing_tables(g->image.space, base, pages));
    return charged_map(*g, charge, now,
                       [&] { return m_arch.map_physical(g->image.space, base, range.base, pages, permissions); });
}

template<typename Map>
Result<void> GroveManager::charged_map(Grove& g, Bytes charge, Ticks now, Map&& map) {
    TRY(reserve_memory(g.id, charge, now));
    Result<void> mapped = map();
    if (mapped.is_error()) {
        MUST(g.usage.memory.replenish(charge)); // reserved just above
        return mapped.error();
    }
    return {};
}

Result<IpcAdmission> GroveManager::admit_ipc(GroveId id, Ticks now) {
    Grove* g = TRY(find_live(id));
    if (g->usage.ipc.try_take(now)) {
        g->usage.ipc_limited = false;
        return IpcAdmission::allow();
    }
    Ticks const next = g->usage.ipc.next_token_at(now);
    if (!g->usage.ipc_limited) {
        g->usage.ipc_limited = true;
        violation(*g, Resource::IpcRate, 1, g->spec.limits.ipc_messages_per_second, now);
    }
    if (g->spec.limits.policy == ViolationPolicy::Throttle) return IpcAdmission::throttle(next);
    return IpcAdmission::refuse();
}

Result<void> GroveManager::report_cpu_exhausted(GroveId id, Ticks used, Ticks budget, Ticks now) {
    Grove* g = TRY(find_live(id));
    violation(*g, Resource::Cpu, used.value, budget.value, now);
    if (!g->has_image) return Error::LimitExceeded; // killed
    return {};
}

// --- capabilities ----------------------------------------------------------------------------------------------

Result<void> GroveManager::deny(Grove& g, CapabilityKind kind, u64 detail, Ticks now) {
    emit(Event::capability_denied(now, g.id, kind, detail));
    return Error::AccessDenied;
}

Result<void> GroveManager::require_capability(GroveId id, CapabilityKind kind, Ticks now) {
    Grove* g = TRY(find_live(id));
    if (g->spec.capabilities.has(kind)) return {};
    return deny(*g, kind, 0, now);
}

Result<void> GroveManager::require_io_port(GroveId id, u16 port, Ticks now) {
    Grove* g = TRY(find_live(id));
    if (g->spec.capabilities.allows_io_port(port)) return {};
    return deny(*g, CapabilityKind::IoPort, port, now);
}

Result<void> GroveManager::require_irq(GroveId id, u64 line, Ticks now) {
    Grove* g = TRY(find_live(id));
    if (g->spec.capabilities.allows_irq(line)) return {};
    return deny(*g, CapabilityKind::Irq, line, now);
}

Result<void> GroveManager::require_physical(GroveId id, PhysicalRange range, Ticks now) {
    Grove* g = TRY(find_live(id));
    if (g->spec.capabilities.allows_physical(range)) return {};
    return deny(*g, CapabilityKind::PhysicalMemory, range.base.value, now);
}

Result<void> GroveManager::require_send_to(GroveId id, char const* peer, usize length, Ticks now) {
    Grove* g = TRY(find_live(id));
    if (g->spec.capabilities.allows_send_to(peer, length)) return {};
    return deny(*g, CapabilityKind::IpcSend, 0, now);
}

Result<void> GroveManager::require_manage(GroveId id, char const* name, usize length, Ticks now) {
    Grove* g = TRY(find_live(id));
    if (g->spec.capabilities.allows_manage(name, length)) return {};
    Grove const* named = m_registry.find_by_name(name, length);
    return deny(*g, CapabilityKind::ServiceManage, named == nullptr ? 0 : named->id.serial, now);
}

Result<void> GroveManager::refuse_capability(GroveId id, CapabilityKind kind, u64 detail, Ticks now) {
    Grove* g = TRY(find_live(id));
    return deny(*g, kind, detail, now);
}

Result<void> GroveManager::add_managed(GroveId id, GroveName const& name) {
    Grove* g = TRY(find_live(id));
    if (g->spec.capabilities.allows_manage(name)) return {};
    return g->spec.capabilities.grant_manage(name);
}

Result<void> GroveManager::require_receive_from(GroveId receiver, u32 sender, Ticks now) {
    Grove* g = TRY(find_live(receiver));
    Grove const* from = m_registry.find_serial(sender);
    if (from == nullptr) return Error::NotFound;
    if (g->spec.capabilities.allows_receive_from(from->name())) return {};
    return deny(*g, CapabilityKind::IpcReceive, sender, now);
}

Result<void> GroveManager::require_service_of(GroveId sender, GroveId recipient, Ticks now) {
    Grove* g = TRY(find_live(sender));
    Grove const* to = m_registry.find(recipient);
    if (to == nullptr) return Error::NotFound;
    for (CapabilityKind const kind : ProvidedServices::Kinds)
        if (to->spec.provides.provides(kind) && !g->spec.capabilities.has(kind))
            return deny(*g, kind, recipient.serial, now);
    return {};
}

Result<void> GroveManager::subscribe_crashes(GroveId id, Ticks now) {
    Grove* g = TRY(find_live(id));
    if (!g->spec.capabilities.has(CapabilityKind::CrashWatch)) return deny(*g, CapabilityKind::CrashWatch, 0, now);
    return m_subscriptions.subscribe(g->id);
}

bool GroveManager::may_watch(GroveId subscriber, u32 watched) const {
    Grove const* watcher = m_registry.find(subscriber);
    Grove const* about = m_registry.find_serial(watched);
    return watcher != nullptr && about != nullptr && watcher->spec.capabilities.allows_watch(about->name());
}

} // namespace grove
