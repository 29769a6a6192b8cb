// A random-operation property test of the endpoint table against a reference model written with std containers,
// at the kernel's queue capacity (EndpointTable, 64 messages per endpoint) and at 1024 (BasicEndpointTable<1024>,
// the same code). Each run draws >= 100 000 operations from grove::Prng with a fixed seed: sends and calls of
// random priorities, blocking and not, receives, replies, abandoned calls, cancellations, timeouts on a manual
// clock, closes and reopens, kernel refusals. After every step it compares results, woken threads (and their
// order), what each thread received, every counter, and checks the accounting invariant.
#include <core/base/prng.hpp>
#include <core/ipc/endpoint_table.hpp>
#include <tests/core/ipc/ipc_test_support.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <deque>
#include <memory>
#include <optional>
#include <vector>

namespace grove {
namespace {

using test::drain;
using test::id_of;
using test::make_message;

constexpr int ThreadCount = 12;
constexpr int EndpointCount = 2;
constexpr int GroveCount = 4;

enum class State { Idle, Sending, CallSending, Receiving, AwaitingReply };

struct ModelThread {
    State state = State::Idle;
    int endpoint = -1;
    u64 wait = 0; // numbers this thread's calls, to tell stale tokens apart
    Ticks deadline = Ticks::max();
    u64 message_id = 0; // what it sends, or what it received
    u8 priority = 0;
    bool got_call = false;
    WaitOutcome outcome = WaitOutcome::Pending;
};

struct ModelEntry {
    u8 priority;
    u64 id;
    u8 grove;
    int caller; // -1 unless a Call
    u64 caller_wait;
    u64 arrival;
};

struct ModelEndpoint {
    bool open = false;
    EndpointRef ref;
    std::vector<ModelEntry> queue;
    std::deque<int> senders;
    std::deque<int> receivers;
    std::vector<int> callers;
    IpcCounters counters;
};

struct HeldToken {
    ReplyToken token;
    int caller;
    u64 caller_wait;
};

// How a run drives queues of a given capacity through every situation: phases long enough to fill a queue and to
// drain it again, and, while flooding, closes rare enough not to empty a queue before it fills.
struct Profile {
    u64 phase_length;        // steps of each flooding or draining phase
    u64 flood_closes_one_in; // while flooding, a close-or-reopen step closes an open endpoint one time in this many
};

template<u32 QueueCapacity>
constexpr Profile profile_of() {
    if constexpr (QueueCapacity <= 64) return {3000, 1};
    else return {16000, 16};
}

template<u32 QueueCapacity>
class Harness {
public:
    explicit Harness(u64 seed) : m_random(seed) {
        for (int t = 0; t < ThreadCount; ++t) m_waiters[t].grove = grove_of(t);
        for (int e = 0; e < EndpointCount; ++e) open_endpoint(e);
    }

    // Phases alternate between flooding (receives are rare, so queues fill and senders block) and draining
    // (receives dominate, so receivers block and get messages handed over). Weights are per mille.
    void step() {
        enum Op { TrySend, Send, Call, TryReceive, Receive, Reply, Abandon, Clock, Cancel, CloseOrReopen, Refuse };
        static constexpr u64 flood[] = {300, 150, 100, 30, 30, 100, 10, 150, 40, 3, 87};
        static constexpr u64 drain[] = {100, 80, 60, 250, 150, 100, 20, 120, 40, 5, 75};
        bool const flooding = (m_steps++ / RunProfile.phase_length) % 2 == 0;
        u64 const* weights = flooding ? flood : drain;
        u64 choice = m_random.below(1000);
        int op = 0;
        while (choice >= weights[op]) choice -= weights[op++];
        switch (op) {
        case TrySend: try_send(); break;
        case Send: blocking_send(false); break;
        case Call: blocking_send(true); break;
        case TryReceive: try_receive(); break;
        case Receive: blocking_receive(); break;
        case Reply: reply(); break;
        case Abandon: abandon(); break;
        case Clock: advance_clock(); break;
        case Cancel: cancel(); break;
        case CloseOrReopen: close_or_reopen(flooding); break;
        case Refuse: refuse(); break;
        default: FAIL() << "weights do not add up to 1000";
        }
        verify();
    }

    bool failed() const { return ::testing::Test::HasFailure(); }

    // How often the interesting situations arose, so that a run that never reaches them fails.
    struct Coverage {
        u64 handed_over = 0, queued = 0, queue_full = 0, blocked_senders = 0, blocked_receivers = 0, replies = 0,
            stale_replies = 0, timeouts = 0, closes_with_waiters = 0, reclaimed = 0;
    };
    Coverage const& coverage() const { return m_coverage; }

private:
    static u8 grove_of(int thread) { return static_cast<u8>(thread % GroveCount); }
    int pick_thread(State state) {
        std::vector<int> found;
        for (int t = 0; t < ThreadCount; ++t)
            if (m_threads[t].state == state) found.push_back(t);
        if (found.empty()) return -1;
        return found[m_random.below(found.size())];
    }
    int random_endpoint() { return static_cast<int>(m_random.below(EndpointCount)); }
    // Mostly valid priorities; now and then an invalid one.
    u8 random_priority() {
        return static_cast<u8>(m_random.below(50) == 0 ? 32 + m_random.below(8) : m_random.below(32));
    }
    Ticks random_deadline() {
        if (m_random.below(4) == 0) return Ticks::max();
        return Ticks(m_now.value + m_random.below(60));
    }

    // The element is bound to a reference before the member call: under -fsanitize=undefined, g++ 12 instruments
    // `(array[index].*member)()` with an index it never computed (UBSan saw a negative u8, ASan a wild read).
    void count(int e, u8 grove, void (IpcCounters::*transition)()) {
        if (e >= 0) call(m_endpoints[e].counters, transition);
        call(m_groves[grove], transition);
    }
    static void call(IpcCounters& counters, void (IpcCounters::*transition)()) { (counters.*transition)(); }
    void count_refused(int e, u8 grove, Refusal reason) {
        if (e >= 0) m_endpoints[e].counters.count_refused(reason);
        m_groves[grove].count_refused(reason);
    }

    // The model's wake: a thread leaves its wait with `outcome`.
    void wake(int t, WaitOutcome outcome) {
        m_threads[t].state = State::Idle;
        m_threads[t].endpoint = -1;
        m_threads[t].outcome = outcome;
        m_expected_woken.push_back(t);
    }

    // A message that may enter endpoint e: handed to the first receiver, or queued. Returns true if handed.
    bool admit(int e, u8 priority, u64 id, u8 grove, int caller) {
        ModelEndpoint& ep = m_endpoints[e];
        u64 const caller_wait = caller >= 0 ? m_threads[caller].wait : 0;
        if (!ep.receivers.empty()) {
            int const r = ep.receivers.front();
            ep.receivers.pop_front();
            m_threads[r].message_id = id;
            m_threads[r].got_call = caller >= 0;
            if (caller >= 0) m_expected_tokens.push_back({r, caller, caller_wait});
            wake(r, WaitOutcome::Completed);
            count(e, grove, &IpcCounters::count_handed_over);
            ++m_coverage.handed_over;
            return true;
        }
        ep.queue.push_back({priority, id, grove, caller, caller_wait, m_arrival++});
        count(e, grove, &IpcCounters::count_queued);
        ++m_coverage.queued;
        return false;
    }

    // Takes the next message of endpoint e (the model's receive); fills the receiving side's expectations.
    ModelEntry take(int e) {
        ModelEndpoint& ep = m_endpoints[e];
        auto best = ep.queue.begin();
        for (auto it = ep.queue.begin(); it != ep.queue.end(); ++it)
            if (it->priority > best->priority || (it->priority == best->priority && it->arrival < best->arrival))
                best = it;
        ModelEntry const entry = *best;
        ep.queue.erase(best);
        count(e, entry.grove, &IpcCounters::count_dequeued);
        if (!ep.senders.empty()) {
            int const s = ep.senders.front();
            ep.senders.pop_front();
            ModelThread& sender = m_threads[s];
            bool const is_call = sender.state == State::CallSending;
            admit(e, sender.priority, sender.message_id, grove_of(s), is_call ? s : -1);
            if (is_call) {
                sender.state = State::AwaitingReply;
                ep.callers.push_back(s);
            } else {
                wake(s, WaitOutcome::Completed);
            }
        }
        return entry;
    }

    abi::Message next_message(u8 priority, u8 grove) { return make_message(priority, m_next_id++, grove); }

    void try_send() {
        int const e = random_endpoint();
        u8 const grove = static_cast<u8>(m_random.below(GroveCount));
        u8 const priority = random_priority();
        abi::Message const message = next_message(priority, grove);
        auto result = m_table->try_send(m_endpoints[e].ref, grove, message, m_woken);
        ModelEndpoint& ep = m_endpoints[e];
        if (!ep.open) {
            count_refused(-1, grove, Refusal::PeerClosed);
            expect_error(result, Error::PeerClosed);
        } else if (priority >= abi::PriorityLevels) {
            count_refused(e, grove, Refusal::Invalid);
            expect_error(result, Error::InvalidArgument);
        } else if (ep.receivers.empty() && ep.queue.size() == QueueCapacity) {
            count_refused(e, grove, Refusal::QueueFull);
            ++m_coverage.queue_full;
            expect_error(result, Error::WouldBlock);
        } else {
            bool const handed = admit(e, priority, id_of(message), grove, -1);
            expect_value(result, handed ? SendStatus::Delivered : SendStatus::Queued);
        }
    }

    void blocking_send(bool is_call) {
        int const t = pick_thread(State::Idle);
        if (t < 0) return;
        int const e = random_endpoint();
        ModelThread& thread = m_threads[t];
        IpcWaiter& waiter = m_waiters[t];
        u8 const grove = grove_of(t);
        thread.priority = random_priority();
        waiter.message = next_message(thread.priority, grove);
        thread.message_id = id_of(waiter.message);
        thread.deadline = waiter.deadline = random_deadline();
        thread.outcome = WaitOutcome::Pending;
        ++thread.wait;
        auto result = is_call ? m_table->call(m_endpoints[e].ref, waiter, m_now, m_woken)
                              : m_table->send(m_endpoints[e].ref, waiter, m_now, m_woken);
        ModelEndpoint& ep = m_endpoints[e];
        if (!ep.open) {
            count_refused(-1, grove, Refusal::PeerClosed);
            expect_error(result, Error::PeerClosed);
            return;
        }
        if (thread.priority >= abi::PriorityLevels) {
            count_refused(e, grove, Refusal::Invalid);
            expect_error(result, Error::InvalidArgument);
            return;
        }
        if (!ep.receivers.empty() || ep.queue.size() < QueueCapacity) {
            bool const handed = admit(e, thread.priority, thread.message_id, grove, is_call ? t : -1);
            expect_value(result, handed ? SendStatus::Delivered : SendStatus::Queued);
            if (!is_call) thread.outcome = WaitOutcome::Completed;
            if (is_call) {
                thread.state = State::AwaitingReply;
                thread.endpoint = e;
                ep.callers.push_back(t);
            }
            return;
        }
        if (thread.deadline <= m_now) {
            count_refused(e, grove, Refusal::TimedOut);
            expect_error(result, Error::TimedOut);
            return;
        }
        ++m_coverage.blocked_senders;
        thread.state = is_call ? State::CallSending : State::Sending;
        thread.endpoint = e;
        ep.senders.push_back(t);
        expect_value(result, SendStatus::Blocked);
    }

    void check_received(ModelEntry const& entry, abi::Message const& message, ReplyToken token, int receiver) {
        EXPECT_EQ(id_of(message), entry.id);
        EXPECT_EQ(token.is_null(), entry.caller < 0);
        EXPECT_EQ((message.header.flags & abi::MessageFlagCall) != 0, entry.caller >= 0);
        if (entry.caller >= 0) m_held.push_back({token, entry.caller, entry.caller_wait});
        (void)receiver;
    }

    void try_receive() {
        int const e = random_endpoint();
        abi::Message out{};
        ReplyToken token;
        auto result = m_table->try_receive(m_endpoints[e].ref, out, token, m_woken);
        ModelEndpoint& ep = m_endpoints[e];
        if (!ep.open) return expect_void_error(result, Error::PeerClosed);
        if (ep.queue.empty()) return expect_void_error(result, Error::WouldBlock);
        ASSERT_TRUE(result.has_value());
        ModelEntry const entry = take(e);
        check_received(entry, out, token, -1);
    }

    void blocking_receive() {
        int const t = pick_thread(State::Idle);
        if (t < 0) return;
        int const e = random_endpoint();
        ModelThread& thread = m_threads[t];
        IpcWaiter& waiter = m_waiters[t];
        thread.deadline = waiter.deadline = random_deadline();
        thread.outcome = WaitOutcome::Pending;
        auto result = m_table->receive(m_endpoints[e].ref, waiter, m_now, m_woken);
        ModelEndpoint& ep = m_endpoints[e];
        if (!ep.open) return expect_error(result, Error::PeerClosed);
        if (!ep.queue.empty()) {
            expect_value(result, ReceiveStatus::Received);
            ModelEntry const entry = take(e);
            thread.outcome = WaitOutcome::Completed;
            check_received(entry, waiter.message, waiter.reply_token, t);
            return;
        }
        if (thread.deadline <= m_now) return expect_error(result, Error::TimedOut);
        ++m_coverage.blocked_receivers;
        thread.state = State::Receiving;
        thread.endpoint = e;
        ep.receivers.push_back(t);
        expect_value(result, ReceiveStatus::Blocked);
    }

    bool token_is_live(HeldToken const& held) const {
        ModelThread const& caller = m_threads[held.caller];
        return caller.state == State::AwaitingReply && caller.wait == held.caller_wait;
    }

    void reply() {
        if (m_held.empty()) return;
        usize const index = m_random.below(m_held.size());
        HeldToken const held = m_held[index];
        u8 const grove = static_cast<u8>(m_random.below(GroveCount));
        u8 const priority = random_priority();
        abi::Message const message = next_message(priority, grove);
        auto result = m_table->reply(held.token, grove, message, m_woken);
        if (!token_is_live(held)) {
            count_refused(-1, grove, Refusal::PeerClosed);
            ++m_coverage.stale_replies;
            m_held.erase(m_held.begin() + static_cast<long>(index));
            return expect_void_error(result, Error::PeerClosed);
        }
        int const e = m_threads[held.caller].endpoint;
        if (priority >= abi::PriorityLevels) {
            count_refused(e, grove, Refusal::Invalid);
            return expect_void_error(result, Error::InvalidArgument); // the token stays usable
        }
        m_held.erase(m_held.begin() + static_cast<long>(index));
        EXPECT_TRUE(result.has_value());
        auto& callers = m_endpoints[e].callers;
        callers.erase(std::find(callers.begin(), callers.end(), held.caller));
        m_threads[held.caller].message_id = id_of(message);
        m_threads[held.caller].got_call = false;
        count(e, grove, &IpcCounters::count_handed_over);
        ++m_coverage.replies;
        wake(held.caller, WaitOutcome::Completed);
    }

    void abandon() {
        if (m_held.empty()) return;
        usize const index = m_random.below(m_held.size());
        HeldToken const held = m_held[index];
        m_held.erase(m_held.begin() + static_cast<long>(index));
        m_table->abandon_reply(held.token, m_woken);
        if (!token_is_live(held)) return;
        auto& callers = m_endpoints[m_threads[held.caller].endpoint].callers;
        callers.erase(std::find(callers.begin(), callers.end(), held.caller));
        wake(held.caller, WaitOutcome::PeerClosed);
    }

    void advance_clock() {
        m_now = Ticks(m_now.value + m_random.below(25));
        m_table->expire(m_now, m_woken);
        std::vector<int> order;
        for (int e = 0; e < EndpointCount; ++e)
            if (m_endpoints[e].open) order.push_back(e);
        std::sort(order.begin(), order.end(),
                  [this](int a, int b) { return m_endpoints[a].ref.slot.index < m_endpoints[b].ref.slot.index; });
        for (int e : order) {
            ModelEndpoint& ep = m_endpoints[e];
            auto expire_list = [&](auto& list, bool senders) {
                for (auto it = list.begin(); it != list.end();) {
                    int const t = *it;
                    if (m_threads[t].deadline > m_now) {
                        ++it;
                        continue;
                    }
                    it = list.erase(it);
                    if (senders) count_refused(e, grove_of(t), Refusal::TimedOut);
                    ++m_coverage.timeouts;
                    wake(t, WaitOutcome::TimedOut);
                }
            };
            expire_list(ep.senders, true);
            expire_list(ep.receivers, false);
            expire_list(ep.callers, false);
        }
        EXPECT_EQ(m_table->next_deadline(), model_next_deadline());
    }

    Ticks model_next_deadline() const {
        Ticks earliest = Ticks::max();
        for (int t = 0; t < ThreadCount; ++t)
            if (m_threads[t].state != State::Idle) earliest = std::min(earliest, m_threads[t].deadline);
        return earliest;
    }

    void cancel() {
        int const t = static_cast<int>(m_random.below(ThreadCount));
        WaitOutcome const outcome = m_random.below(2) == 0 ? WaitOutcome::TimedOut : WaitOutcome::PeerClosed;
        bool const cancelled = m_table->cancel(m_waiters[t], outcome);
        ModelThread& thread = m_threads[t];
        EXPECT_EQ(cancelled, thread.state != State::Idle);
        if (thread.state == State::Idle) return;
        ModelEndpoint& ep = m_endpoints[thread.endpoint];
        auto remove = [t](auto& list) { list.erase(std::find(list.begin(), list.end(), t)); };
        switch (thread.state) {
        case State::Sending:
        case State::CallSending:
            remove(ep.senders);
            count_refused(thread.endpoint, grove_of(t),
                          outcome == WaitOutcome::TimedOut ? Refusal::TimedOut : Refusal::PeerClosed);
            break;
        case State::Receiving: remove(ep.receivers); break;
        case State::AwaitingReply: remove(ep.callers); break;
        case State::Idle: break;
        }
        thread.state = State::Idle;
        thread.endpoint = -1;
        thread.outcome = outcome;
    }

    void open_endpoint(int e) {
        auto ref = m_table->open(static_cast<u8>(e));
        ASSERT_TRUE(ref.has_value());
        m_endpoints[e].open = true;
        m_endpoints[e].ref = ref.value();
        m_endpoints[e].counters = IpcCounters{};
    }

    void close_or_reopen(bool flooding) {
        int const e = random_endpoint();
        ModelEndpoint& ep = m_endpoints[e];
        if (flooding && ep.open && RunProfile.flood_closes_one_in > 1 &&
            m_random.below(RunProfile.flood_closes_one_in) != 0)
            return;
        if (!ep.open) {
            EXPECT_EQ(m_table->close(ep.ref, m_woken).error(), Error::PeerClosed);
            return open_endpoint(e);
        }
        auto final_counters = m_table->close(ep.ref, m_woken);
        if (!ep.receivers.empty() || !ep.senders.empty() || !ep.callers.empty()) ++m_coverage.closes_with_waiters;
        m_coverage.reclaimed += ep.queue.size();
        for (int r : ep.receivers) wake(r, WaitOutcome::PeerClosed);
        for (int s : ep.senders) {
            count_refused(e, grove_of(s), Refusal::PeerClosed);
            wake(s, WaitOutcome::PeerClosed);
        }
        for (int c : ep.callers) wake(c, WaitOutcome::PeerClosed);
        for (ModelEntry const& entry : ep.queue) {
            ep.counters.count_reclaimed(Refusal::PeerClosed);
            m_groves[entry.grove].count_reclaimed(Refusal::PeerClosed);
        }
        ep.receivers.clear();
        ep.senders.clear();
        ep.callers.clear();
        ep.queue.clear();
        ep.open = false;
        ASSERT_TRUE(final_counters.has_value());
        expect_counters(final_counters.value(), ep.counters);
    }

    void refuse() {
        int const e = random_endpoint();
        u8 const grove = static_cast<u8>(m_random.below(GroveCount));
        m_table->refuse(grove, m_endpoints[e].ref, Refusal::RateLimited, abi::MessageHeader{});
        count_refused(m_endpoints[e].open ? e : -1, grove, Refusal::RateLimited);
    }

    template<typename T>
    void expect_value(Result<T> const& result, T expected) {
        ASSERT_TRUE(result.has_value()) << error_name(result.error());
        EXPECT_EQ(result.value(), expected);
    }
    template<typename T>
    void expect_error(Result<T> const& result, Error expected) {
        ASSERT_TRUE(result.is_error());
        EXPECT_EQ(result.error(), expected);
    }
    void expect_void_error(Result<void> const& result, Error expected) {
        ASSERT_TRUE(result.is_error());
        EXPECT_EQ(result.error(), expected);
    }
    static void expect_counters(IpcCounters const& actual, IpcCounters const& expected) {
        EXPECT_EQ(actual.sent, expected.sent);
        EXPECT_EQ(actual.delivered, expected.delivered);
        EXPECT_EQ(actual.queued, expected.queued);
        for (usize r = 0; r < RefusalCount; ++r) EXPECT_EQ(actual.refused[r], expected.refused[r]) << r;
    }

    int thread_of(IpcWaiter const* waiter) const { return static_cast<int>(waiter - m_waiters); }

    void verify() {
        // Woken threads, in order, with what they got.
        std::vector<IpcWaiter*> woken = drain(m_woken);
        ASSERT_EQ(woken.size(), m_expected_woken.size());
        for (usize i = 0; i < woken.size(); ++i) {
            int const t = thread_of(woken[i]);
            ASSERT_EQ(t, m_expected_woken[i]);
            ModelThread const& thread = m_threads[t];
            EXPECT_EQ(woken[i]->outcome, thread.outcome);
            if (thread.outcome == WaitOutcome::Completed && m_waiters[t].kind == WaitKind::None &&
                id_of(m_waiters[t].message) != thread.message_id)
                ADD_FAILURE() << "thread " << t << " got message " << id_of(m_waiters[t].message) << ", expected "
                              << thread.message_id;
        }
        for (auto const& [receiver, caller, wait] : m_expected_tokens) {
            ReplyToken const token = m_waiters[receiver].reply_token;
            EXPECT_FALSE(token.is_null());
            m_held.push_back({token, caller, wait});
        }
        m_expected_tokens.clear();
        m_expected_woken.clear();

        // Every thread's state.
        for (int t = 0; t < ThreadCount; ++t) {
            static constexpr WaitKind kinds[] = {WaitKind::None, WaitKind::Sending, WaitKind::CallSending,
                                                 WaitKind::Receiving, WaitKind::AwaitingReply};
            ASSERT_EQ(m_waiters[t].kind, kinds[static_cast<int>(m_threads[t].state)]) << "thread " << t;
            EXPECT_EQ(m_waiters[t].outcome, m_threads[t].outcome) << "thread " << t;
        }
        // Counters and queues.
        for (int e = 0; e < EndpointCount; ++e) {
            ModelEndpoint const& ep = m_endpoints[e];
            auto const* endpoint = m_table->find(ep.ref);
            ASSERT_EQ(endpoint != nullptr, ep.open);
            if (endpoint == nullptr) continue;
            EXPECT_EQ(endpoint->queued(), ep.queue.size());
            EXPECT_EQ(endpoint->blocked_senders(), ep.senders.size());
            EXPECT_EQ(endpoint->blocked_receivers(), ep.receivers.size());
            EXPECT_EQ(endpoint->awaiting_reply(), ep.callers.size());
            expect_counters(endpoint->counters(), ep.counters);
        }
        for (int g = 0; g < GroveCount; ++g) expect_counters(m_table->grove_counters(static_cast<u8>(g)), m_groves[g]);
        ASSERT_TRUE(m_table->check_invariant());
    }

    struct ExpectedToken {
        int receiver;
        int caller;
        u64 wait;
    };

    Prng m_random;
    std::unique_ptr<BasicEndpointTable<QueueCapacity>> m_table = std::make_unique<BasicEndpointTable<QueueCapacity>>();
    WakeList m_woken;
    IpcWaiter m_waiters[ThreadCount];
    ModelThread m_threads[ThreadCount];
    ModelEndpoint m_endpoints[EndpointCount];
    IpcCounters m_groves[GroveCount];
    std::vector<HeldToken> m_held;
    std::vector<int> m_expected_woken;
    std::vector<ExpectedToken> m_expected_tokens;
    Ticks m_now{0};
    u64 m_next_id = 1;
    u64 m_arrival = 0;
    u64 m_steps = 0;
    static constexpr Profile RunProfile = profile_of<QueueCapacity>();
    Coverage m_coverage;
};

class IpcProperty : public ::testing::TestWithParam<u64> {};

template<u32 QueueCapacity>
void run_property(u64 seed) {
    auto harness = std::make_unique<Harness<QueueCapacity>>(seed);
    constexpr int Operations = 100'000;
    for (int i = 0; i < Operations; ++i) {
        harness->step();
        if (harness->failed()) {
            ADD_FAILURE() << "first divergence at operation " << i << " with seed " << seed;
            return;
        }
    }
    auto const& c = harness->coverage();
    EXPECT_GT(c.handed_over, 500u);
    EXPECT_GT(c.queued, 5000u);
    EXPECT_GT(c.queue_full, 1000u);
    EXPECT_GT(c.blocked_senders, 1000u);
    EXPECT_GT(c.blocked_receivers, 500u);
    EXPECT_GT(c.replies, 300u);
    EXPECT_GT(c.stale_replies, 200u);
    EXPECT_GT(c.timeouts, 1000u);
    EXPECT_GT(c.closes_with_waiters, 50u);
    EXPECT_GT(c.reclaimed, 1000u);
    std::printf("seed %llu: handed over %llu, queued %llu, queue full %llu, blocked senders %llu, blocked receivers "
                "%llu, replies %llu, stale replies %llu, timeouts %llu, closes with waiters %llu, reclaimed %llu\n",
                static_cast<unsigned long long>(seed), static_cast<unsigned long long>(c.handed_over),
                static_cast<unsigned long long>(c.queued), static_cast<unsigned long long>(c.queue_full),
                static_cast<unsigned long long>(c.blocked_senders),
                static_cast<unsigned long long>(c.blocked_receivers), static_cast<unsigned long long>(c.replies),
                static_cast<unsigned long long>(c.stale_replies), static_cast<unsigned long long>(c.timeouts),
                static_cast<unsigned long long>(c.closes_with_waiters), static_cast<unsigned long long>(c.reclaimed));
}

TEST_P(IpcProperty, RandomOperationsMatchTheReferenceModel) { run_property<MessageQueue::Capacity>(GetParam()); }
TEST_P(IpcProperty, RandomOperationsMatchTheReferenceModelAtCapacity1024) { run_property<1024>(GetParam()); }

INSTANTIATE_TEST_SUITE_P(Seeds, IpcProperty, ::testing::Values(1u, 2u, 0x5eedu, 0xdecafbadu, 20240611u));

} // namespace
} // namespace grove
