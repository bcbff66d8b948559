#pragma once
// Pool: a fork-join thread pool whose workers are pinned to CPUs. The calling thread is
// thread 0 and runs its share too, so a pool of size N starts N-1 workers. Workers spin briefly
// after a job, then sleep, so a peer library with its own threads (OpenBLAS) runs undisturbed.
// The pool reports how long its threads spun: hardware counters count those instructions as the
// kernel's, and the results carry the time (spin_time_ns()).
#include <atomic>
#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace cromwell {

class Pool {
 public:
  // `cpus` holds one CPU per thread (index = thread id), or is empty for no pinning.
  // `spin_budget`: the ns a waiting thread spins before it sleeps. By default CROMWELL_SPIN_US
  // (100 µs when unset), and 0 when threads share CPUs (spinning would take the CPU from the very
  // thread waited for); a budget given here is used as it is. Throws std::invalid_argument below 0.
  // (A plain sentinel, not std::optional: GCC 12 reads an empty optional's value speculatively,
  // which valgrind reports as a jump on an uninitialised value.)
  static constexpr std::int64_t kDefaultSpin = std::numeric_limits<std::int64_t>::min();
  Pool(int threads, std::vector<int> cpus, std::int64_t spin_budget = kDefaultSpin);
  ~Pool();
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  int size() const { return size_; }
  const std::vector<int>& cpus() const { return cpus_; }
  std::int64_t spin_budget_ns() const { return spin_budget_ns_; }  // the budget in force
  // The time the threads of this pool (the workers and the thread calling run()) have spent
  // spinning in waits — for a job, for the other threads to finish one, in barrier() — summed over
  // threads, since the pool was made: the difference of two readings is the spin time between
  // them. A wait that finds what it waits for at once costs nothing more. A wait still spinning at
  // its first clock reading after the start (64 polls: a few µs) is timed exactly, and counted
  // while under way. A shorter one is timed only once in kSpinSample and then counted kSpinSample
  // times: a clock read on the way out would delay the job or the return of run() (two of them
  // made a 175 ns fork-join 50 ns slower on a VM), and this estimate is unbiased, with a relative
  // error of about 1 / sqrt(n / kSpinSample) over n short waits.
  std::int64_t spin_time_ns() const;
  static constexpr std::int64_t kSpinSample = 32;
  // Runs fn(tid) on every thread (0 = the caller) and returns when all have finished.
  // The first exception thrown by any thread is rethrown in the caller. One run() at a time:
  // calling run() or parallel_for() from inside a job throws std::logic_error.
  void run(const std::function<void(int tid)>& fn);
  // Splits [0, n) into size() contiguous chunks, multiples of `grain` where possible.
  void parallel_for(std::int64_t n, std::int64_t grain,
                    const std::function<void(std::int64_t begin, std::int64_t end)>& fn);
  // The chunk of [0, n) that thread `tid` gets from parallel_for: contiguous, in thread order,
  // boundaries multiples of `grain` where possible; empty for threads beyond the work.
  std::pair<std::int64_t, std::int64_t> share(std::int64_t n, std::int64_t grain, int tid) const;
  // Waits until every thread of the current run() has arrived (only inside run()). Once a thread
  // of the job has thrown, barrier() throws in the others too, so a failed job never hangs.
  void barrier();
  // Kernel thread ids of the threads, index = thread id (for per-thread counters).
  std::vector<int> tids() const;
  // Pins the calling thread as thread 0 for the lifetime of the guard, restoring its mask after.
  class CallerPin {
   public:
    explicit CallerPin(const Pool& pool);
    ~CallerPin();
    CallerPin(const CallerPin&) = delete;
    CallerPin& operator=(const CallerPin&) = delete;

   private:
    std::vector<unsigned char> saved_;
    bool active_ = false;
  };

 private:
  void worker(int tid);
  void fail() noexcept;  // records the current exception (the first one wins) and frees the barrier
  void shutdown() noexcept;
  int size_;
  std::vector<int> cpus_;
  std::vector<std::thread> threads_;
  std::vector<std::atomic<int>> worker_tid_;  // 0 while starting, -errno if pinning failed
  std::int64_t spin_budget_ns_ = 0;           // how long a waiting thread spins before it sleeps
  std::exception_ptr error_;
  // The spin time of each thread (index = thread id), each on its own cache line, written by its
  // own thread. `word`: 2 × (ns spun − start of the long spin under way) + 1 while one is under
  // way, else 2 × ns spun; times in ns since `epoch_`; one word, so a reader never sees half a
  // change. `draws`: the state of the draws that pick the short waits to time.
  struct alignas(64) SpinSlot {
    std::atomic<std::int64_t> word{0};
    std::atomic<std::uint32_t> draws{0};
  };
  std::chrono::steady_clock::time_point epoch_;
  std::vector<SpinSlot> spin_;
  // Each group on its own cache line: the job workers poll, the count they report to, the barrier.
  // 32-bit words so a sleeper can futex-wait on them; the *_sleepers_ counts let the waker skip
  // the system call when nobody sleeps.
  alignas(64) const std::function<void(int)>* job_ = nullptr;
  std::atomic<std::uint32_t> generation_{0};
  std::atomic<int> generation_sleepers_{0};
  std::atomic<bool> stop_{false};
  alignas(64) std::atomic<std::uint32_t> pending_{0};
  std::atomic<int> pending_sleepers_{0};
  std::atomic<bool> has_error_{false};
  alignas(64) std::atomic<int> barrier_count_{0};
  alignas(64) std::atomic<std::uint32_t> barrier_phase_{0};
  std::atomic<int> barrier_sleepers_{0};
};

// Returns the pool for (threads, pin), created on first use and reused afterwards (pools live
// until the process exits).
// `pin` is a policy name or a cpu list (see topology.hpp). Throws on an impossible request.
Pool& pool_for(int threads, const std::string& pin);

}  // namespace cromwell
