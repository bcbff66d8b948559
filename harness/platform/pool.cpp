// The fork-join pool of pool.hpp.
//
// One job at a time. run() publishes the job and bumps `generation_`; each worker waits for a new
// generation, runs the job, and decrements `pending_`; the caller runs its own share (tid 0) and
// waits for `pending_` to reach 0. Every wait spins first (decode-sized kernels are called back to
// back and must not pay a wake-up) and then sleeps on a futex (so a peer library's own threads,
// e.g. OpenBLAS's, get the CPUs). We call futex directly rather than std::atomic::wait: libstdc++
// 12 counts sleepers in 16 process-wide buckets shared by every atomic, so the idle pools kept by
// pool_for() would make every notify a system call. A wait that spins adds its duration to its
// thread's spin slot, which spin_time_ns() sums: spinning is work on the CPU that per-thread
// counters count as the kernel's.
#include "harness/platform/pool.hpp"

#include <linux/futex.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <set>
#include <stdexcept>
#include <utility>

#include <fmt/format.h>

#include "harness/platform/topology.hpp"

namespace cromwell {
namespace {

// How long a waiting thread spins before it sleeps, unless CROMWELL_SPIN_US says otherwise:
// long enough that back-to-back calls never sleep, short enough that a peer's threads get the
// CPUs soon after our last call.
constexpr std::int64_t kDefaultSpinUs = 100;

using Clock = std::chrono::steady_clock;

std::int64_t default_spin_budget_ns() {
  static const std::int64_t ns = [] {
    std::int64_t us = kDefaultSpinUs;
    if (const char* env = std::getenv("CROMWELL_SPIN_US"); env && *env) {
      char* end = nullptr;
      const long long v = std::strtoll(env, &end, 10);
      if (*end == '\0' && v >= 0 && v <= 10'000'000) us = v;
    }
    return us * 1000;
  }();
  return ns;
}

int allowed_cpu_count() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) != 0) return 1 << 30;  // unknown: assume plenty
  return CPU_COUNT(&set);
}

inline void cpu_relax() { __builtin_ia32_pause(); }

int current_tid() { return static_cast<int>(syscall(SYS_gettid)); }

// std::atomic<uint32_t> has the representation of a uint32_t: the futex word.
void futex_wait(std::atomic<std::uint32_t>& word, std::uint32_t expected) {
  syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&word), FUTEX_WAIT_PRIVATE, expected, nullptr, nullptr, 0);
}

void futex_wake_all(std::atomic<std::uint32_t>& word) {
  syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&word), FUTEX_WAKE_PRIVATE, INT_MAX, nullptr, nullptr, 0);
}

std::int64_t ns_since(Clock::time_point epoch, Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t - epoch).count();
}

// Set in a worker thread: its pool and thread id. A thread calling barrier() that is not a worker
// of that pool is its caller, thread 0.
thread_local const Pool* tl_pool = nullptr;
thread_local int tl_tid = 0;

// Polls of the word between two clock readings while spinning (a few µs).
constexpr int kPollsPerClock = 64;

// One writer per slot: a plain read-modify-write, no locked instruction.
void add_relaxed(std::atomic<std::int64_t>& a, std::int64_t d) {
  a.store(a.load(std::memory_order_relaxed) + d, std::memory_order_relaxed);
}

// True once in Pool::kSpinSample draws (xorshift32 on the slot's own state).
bool draw_sample(std::atomic<std::uint32_t>& state) {
  std::uint32_t x = state.load(std::memory_order_relaxed);
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  state.store(x, std::memory_order_relaxed);
  return x % Pool::kSpinSample == 0;
}

// Waits until `word` differs from `old` and returns its new value: spins for `spin_ns`, then
// sleeps. Pairs with wake(): the sleeper announces itself (seq_cst) before it re-reads the word,
// the waker changes the word (seq_cst) before it reads the count, so one of them sees the other.
//
// A spin is accounted in the Pool::SpinSlot that `slot()` returns (called only when the wait
// spins), without a clock read between the change of the word and the return for most waits, as
// that read would delay the job or the return of run(): a wait still spinning at its first clock
// reading after the start (64 polls) is long, and counted in full from its start, under way until
// it ends; a shorter one is timed only when drawn, once in kSpinSample, and then counted
// kSpinSample times, so that the sum is right on average (see spin_time_ns()).
template <class SlotFn>
std::uint32_t await_change(std::atomic<std::uint32_t>& word, std::uint32_t old, std::atomic<int>& sleepers,
                           std::int64_t spin_ns, Clock::time_point epoch, SlotFn slot) {
  std::uint32_t v = word.load(std::memory_order_acquire);
  if (v != old) return v;
  if (spin_ns > 0) {
    const auto start = Clock::now();
    const auto deadline = start + std::chrono::nanoseconds(spin_ns);
    auto& spun = slot();
    const bool sampled = draw_sample(spun.draws);
    bool changed = false, long_wait = false;
    auto now = start;
    while (true) {
      for (int i = 0; i < kPollsPerClock && !changed; ++i) {
        cpu_relax();
        v = word.load(std::memory_order_acquire);
        changed = v != old;
      }
      if (changed) break;
      now = Clock::now();
      if (!long_wait) add_relaxed(spun.word, 1 - 2 * ns_since(epoch, start));  // under way since its start
      long_wait = true;
      if (now >= deadline) break;
    }
    if (long_wait)
      add_relaxed(spun.word, 2 * ns_since(epoch, changed ? Clock::now() : now) - 1);
    else if (sampled)
      add_relaxed(spun.word, 2 * Pool::kSpinSample * ns_since(start, Clock::now()));
    if (changed) return v;
  }
  while (true) {
    sleepers.fetch_add(1, std::memory_order_seq_cst);
    if (word.load(std::memory_order_seq_cst) == old) futex_wait(word, old);
    sleepers.fetch_sub(1, std::memory_order_release);
    v = word.load(std::memory_order_acquire);
    if (v != old) return v;
  }
}

// Call after a seq_cst change of `word`.
void wake(std::atomic<std::uint32_t>& word, std::atomic<int>& sleepers) {
  if (sleepers.load(std::memory_order_seq_cst) > 0) futex_wake_all(word);
}

// Pins the calling thread to one cpu; returns 0 or the errno of sched_setaffinity.
int pin_self(int cpu) {
  const int n = std::max(cpu + 1, CPU_SETSIZE);
  cpu_set_t* set = CPU_ALLOC(n);
  if (!set) return ENOMEM;
  const std::size_t bytes = CPU_ALLOC_SIZE(n);
  CPU_ZERO_S(bytes, set);
  CPU_SET_S(static_cast<std::size_t>(cpu), bytes, set);
  const int rc = sched_setaffinity(0, bytes, set) == 0 ? 0 : errno;
  CPU_FREE(set);
  return rc;
}

// Thrown by barrier() in the threads left waiting when another thread of the job has thrown; the
// caller rethrows the first exception, never this one.
struct BarrierAbandoned : std::runtime_error {
  BarrierAbandoned() : std::runtime_error("Pool::barrier: abandoned because another thread of the job threw") {}
};

}  // namespace

Pool::Pool(int threads, std::vector<int> cpus, std::int64_t spin_budget)
    : size_(threads),
      cpus_(std::move(cpus)),
      worker_tid_(static_cast<std::size_t>(std::max(threads, 1))),
      epoch_(Clock::now()),
      spin_(static_cast<std::size_t>(std::max(threads, 1))) {
  if (threads < 1) throw std::invalid_argument(fmt::format("Pool: {} threads; a pool needs at least 1", threads));
  if (spin_budget != kDefaultSpin && spin_budget < 0)
    throw std::invalid_argument(fmt::format("Pool: a spin budget of {} ns; it must be ≥ 0", spin_budget));
  if (!cpus_.empty() && static_cast<int>(cpus_.size()) != threads)
    throw std::invalid_argument(fmt::format("Pool: {} cpus given for {} threads", cpus_.size(), threads));
  for (int c : cpus_)
    if (c < 0) throw std::invalid_argument(fmt::format("Pool: cpu {} is not a cpu number", c));
  // Spinning only helps when every thread has a CPU of its own; otherwise it takes the CPU from
  // the very thread we are waiting for.
  const int distinct =
      cpus_.empty() ? allowed_cpu_count() : static_cast<int>(std::set<int>(cpus_.begin(), cpus_.end()).size());
  const bool own_cpus = cpus_.empty() ? threads <= distinct : distinct == threads;
  spin_budget_ns_ = spin_budget != kDefaultSpin ? spin_budget : own_cpus ? default_spin_budget_ns() : 0;
  for (std::size_t t = 0; t < spin_.size(); ++t)
    spin_[t].draws.store(static_cast<std::uint32_t>(0x9E3779B9u * (t + 1)), std::memory_order_relaxed);  // ≠ 0
  worker_tid_[0].store(0);
  try {
    threads_.reserve(static_cast<std::size_t>(threads - 1));
    for (int t = 1; t < threads; ++t) threads_.emplace_back([this, t] { worker(t); });
  } catch (...) {
    shutdown();
    throw;
  }
  // Wait until every worker is pinned and has told its kernel tid (or why pinning failed).
  for (int t = 1; t < threads; ++t)
    while (worker_tid_[static_cast<std::size_t>(t)].load(std::memory_order_acquire) == 0) std::this_thread::yield();
  for (int t = 1; t < threads; ++t)
    if (const int r = worker_tid_[static_cast<std::size_t>(t)].load(); r < 0) {
      shutdown();
      throw std::runtime_error(fmt::format("Pool: sched_setaffinity(cpu {}) for thread {}: {}",
                                           cpus_[static_cast<std::size_t>(t)], t, std::strerror(-r)));
    }
}

Pool::~Pool() { shutdown(); }

void Pool::shutdown() noexcept {
  stop_.store(true, std::memory_order_seq_cst);
  generation_.fetch_add(1, std::memory_order_seq_cst);
  wake(generation_, generation_sleepers_);
  for (auto& t : threads_)
    if (t.joinable()) t.join();
  threads_.clear();
}

void Pool::fail() noexcept {
  if (!has_error_.exchange(true, std::memory_order_seq_cst)) error_ = std::current_exception();
  // Free the threads waiting in barrier(): they see has_error_ and throw.
  barrier_phase_.fetch_add(1, std::memory_order_seq_cst);
  wake(barrier_phase_, barrier_sleepers_);
}

void Pool::worker(int tid) {
  const auto slot = static_cast<std::size_t>(tid);
  if (!cpus_.empty())
    if (const int err = pin_self(cpus_[slot]); err != 0) {
      worker_tid_[slot].store(-err, std::memory_order_release);
      return;
    }
  tl_pool = this;
  tl_tid = tid;
  worker_tid_[slot].store(current_tid(), std::memory_order_release);
  std::uint32_t seen = 0;
  const auto spin_slot = [&]() -> SpinSlot& { return spin_[slot]; };
  while (true) {
    seen = await_change(generation_, seen, generation_sleepers_, spin_budget_ns_, epoch_, spin_slot);
    if (stop_.load(std::memory_order_acquire)) return;
    try {
      (*job_)(tid);
    } catch (...) {
      fail();
    }
    if (pending_.fetch_sub(1, std::memory_order_seq_cst) == 1) wake(pending_, pending_sleepers_);
  }
}

void Pool::run(const std::function<void(int)>& fn) {
  if (size_ == 1) {
    fn(0);
    return;
  }
  if (job_ != nullptr) throw std::logic_error("Pool::run called from inside a job of the same pool");
  job_ = &fn;
  error_ = nullptr;
  has_error_.store(false, std::memory_order_relaxed);
  barrier_count_.store(0, std::memory_order_relaxed);
  pending_.store(static_cast<std::uint32_t>(size_ - 1), std::memory_order_relaxed);
  generation_.fetch_add(1, std::memory_order_seq_cst);  // publishes everything above
  wake(generation_, generation_sleepers_);
  try {
    fn(0);
  } catch (...) {
    fail();
  }
  for (std::uint32_t left = pending_.load(std::memory_order_acquire); left != 0;)
    left = await_change(pending_, left, pending_sleepers_, spin_budget_ns_, epoch_,
                        [&]() -> SpinSlot& { return spin_[0]; });
  job_ = nullptr;
  if (has_error_.load(std::memory_order_acquire)) std::rethrow_exception(std::exchange(error_, nullptr));
}

void Pool::parallel_for(std::int64_t n, std::int64_t grain, const std::function<void(std::int64_t, std::int64_t)>& fn) {
  if (n <= 0) return;
  grain = std::max<std::int64_t>(grain, 1);
  // Split whole grains: thread t gets grains [first(t), first(t+1)), the first `extra` threads
  // one more than the others; only the last chunk may end off a multiple of the grain (at n).
  const std::int64_t units = n / grain + (n % grain != 0);
  const std::int64_t workers = std::min<std::int64_t>(size_, units);
  if (workers <= 1) {
    if (size_ > 1 && job_ != nullptr)
      throw std::logic_error("Pool::parallel_for called from inside a job of the same pool");
    fn(0, n);
    return;
  }
  run([&](int tid) {
    const auto [b, e] = share(n, grain, tid);
    if (b < e) fn(b, e);
  });
}

std::pair<std::int64_t, std::int64_t> Pool::share(std::int64_t n, std::int64_t grain, int tid) const {
  if (n <= 0) return {0, 0};
  grain = std::max<std::int64_t>(grain, 1);
  const std::int64_t units = n / grain + (n % grain != 0);
  const std::int64_t workers = std::min<std::int64_t>(size_, units);
  if (tid >= workers) return {n, n};
  const std::int64_t base = units / workers, extra = units % workers;
  const auto first = [&](std::int64_t t) { return t * base + std::min(t, extra); };
  return {std::min(n, first(tid) * grain), std::min(n, first(tid + 1) * grain)};
}

void Pool::barrier() {
  if (size_ == 1) return;
  if (job_ == nullptr) throw std::logic_error("Pool::barrier called outside run()");
  const std::uint32_t phase = barrier_phase_.load(std::memory_order_seq_cst);
  if (has_error_.load(std::memory_order_seq_cst)) throw BarrierAbandoned();
  if (barrier_count_.fetch_add(1, std::memory_order_acq_rel) == size_ - 1) {
    // Last to arrive: reset the count before releasing the others (they may re-enter at once).
    barrier_count_.store(0, std::memory_order_relaxed);
    barrier_phase_.fetch_add(1, std::memory_order_seq_cst);
    wake(barrier_phase_, barrier_sleepers_);
    return;
  }
  const auto spin_slot = [&]() -> SpinSlot& { return spin_[tl_pool == this ? static_cast<std::size_t>(tl_tid) : 0]; };
  await_change(barrier_phase_, phase, barrier_sleepers_, spin_budget_ns_, epoch_, spin_slot);
  if (has_error_.load(std::memory_order_seq_cst)) throw BarrierAbandoned();
}

std::int64_t Pool::spin_time_ns() const {
  // Load every word, then read the clock: a spin under way counts until a moment after its start.
  std::int64_t twice = 0, spinning = 0;
  for (const auto& s : spin_) {
    const std::int64_t w = s.word.load(std::memory_order_relaxed);
    spinning += w & 1;
    twice += w - (w & 1);
  }
  return twice / 2 + spinning * ns_since(epoch_, Clock::now());
}

std::vector<int> Pool::tids() const {
  std::vector<int> out(static_cast<std::size_t>(size_));
  out[0] = current_tid();
  for (std::size_t t = 1; t < out.size(); ++t) out[t] = worker_tid_[t].load(std::memory_order_acquire);
  return out;
}

Pool::CallerPin::CallerPin(const Pool& pool) {
  if (pool.cpus().empty()) return;
  // Save the current mask, growing the buffer on machines with more cpus than cpu_set_t holds.
  for (std::size_t bytes = sizeof(cpu_set_t);; bytes *= 2) {
    saved_.assign(bytes, 0);
    if (sched_getaffinity(0, bytes, reinterpret_cast<cpu_set_t*>(saved_.data())) == 0) break;
    if (errno != EINVAL || bytes >= (1u << 20))
      throw std::runtime_error(fmt::format("Pool::CallerPin: sched_getaffinity: {}", std::strerror(errno)));
  }
  if (const int err = pin_self(pool.cpus()[0]); err != 0)
    throw std::runtime_error(
        fmt::format("Pool::CallerPin: sched_setaffinity(cpu {}): {}", pool.cpus()[0], std::strerror(err)));
  active_ = true;
}

Pool::CallerPin::~CallerPin() {
  if (active_) sched_setaffinity(0, saved_.size(), reinterpret_cast<const cpu_set_t*>(saved_.data()));
}

Pool& pool_for(int threads, const std::string& pin) {
  using Pools = std::map<std::pair<int, std::string>, std::unique_ptr<Pool>>;
  static std::mutex mu;
  // Never destroyed: the workers sleep until the process exits, and no static destructor can
  // find a pool gone. A child made by fork() has none of the parent's workers: it starts afresh.
  static Pools* pools = new Pools();
  static pid_t owner = getpid();
  std::lock_guard lock(mu);
  if (getpid() != owner) {
    pools = new Pools();  // the parent's pools (threads that do not exist here) are left behind
    owner = getpid();
  }
  auto& slot = (*pools)[{threads, pin}];
  if (!slot) {
    try {
      slot = std::make_unique<Pool>(threads, pin_cpus(machine_topology(), pin, threads));
    } catch (...) {
      pools->erase({threads, pin});
      throw;
    }
  }
  return *slot;
}

}  // namespace cromwell
