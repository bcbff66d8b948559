#include "harness/pool.hpp"

#include <cerrno>
#include <cstring>
#include <map>
#include <mutex>
#include <pthread.h>
#include <sched.h>
#include <stdexcept>
#include <sys/syscall.h>
#include <unistd.h>

#include <fmt/format.h>

#include "harness/topology.hpp"

namespace cromwell {
namespace {

// How long an idle worker spins before it sleeps: long enough that back-to-back calls of a
// decode-sized kernel never pay a wake-up, short enough that a peer library's own threads get
// the CPUs soon.
constexpr auto kSpin = std::chrono::microseconds(200);

inline void cpu_relax() { __builtin_ia32_pause(); }

void pin_thread(pthread_t t, int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  if (int rc = pthread_setaffinity_np(t, sizeof set, &set); rc != 0)
    throw std::runtime_error(fmt::format("pthread_setaffinity_np(cpu {}): {}", cpu, std::strerror(rc)));
}

int current_tid() { return static_cast<int>(syscall(SYS_gettid)); }

}  // namespace

Pool::Pool(int threads, std::vector<int> cpus) : size_(threads), cpus_(std::move(cpus)), worker_tid_(threads) {
  if (threads < 1) throw std::invalid_argument(fmt::format("a pool needs ≥ 1 thread, got {}", threads));
  if (!cpus_.empty() && static_cast<int>(cpus_.size()) != threads)
    throw std::invalid_argument(fmt::format("{} cpus given for {} threads", cpus_.size(), threads));
  worker_tid_[0] = 0;
  for (int t = 1; t < threads; ++t) {
    threads_.emplace_back([this, t] { worker(t); });
    if (!cpus_.empty()) pin_thread(threads_.back().native_handle(), cpus_[t]);
  }
  for (int t = 1; t < threads; ++t)
    while (worker_tid_[t].load(std::memory_order_acquire) == 0) std::this_thread::yield();
}

Pool::~Pool() {
  stop_.store(true, std::memory_order_release);
  generation_.fetch_add(1, std::memory_order_acq_rel);
  generation_.notify_all();
  for (auto& t : threads_) t.join();
}

void Pool::worker(int tid) {
  worker_tid_[tid].store(current_tid(), std::memory_order_release);
  std::uint64_t seen = 0;
  while (true) {
    // Spin, then sleep until the generation changes.
    const auto until = std::chrono::steady_clock::now() + kSpin;
    std::uint64_t g = generation_.load(std::memory_order_acquire);
    while (g == seen && std::chrono::steady_clock::now() < until) {
      for (int i = 0; i < 64 && g == seen; ++i) {
        cpu_relax();
        g = generation_.load(std::memory_order_acquire);
      }
    }
    while (g == seen) {
      generation_.wait(seen, std::memory_order_acquire);
      g = generation_.load(std::memory_order_acquire);
    }
    seen = g;
    if (stop_.load(std::memory_order_acquire)) return;
    try {
      (*job_)(tid);
    } catch (...) {
      if (!has_error_.exchange(true)) error_ = std::current_exception();
    }
    pending_.fetch_sub(1, std::memory_order_acq_rel);
  }
}

void Pool::run(const std::function<void(int)>& fn) {
  if (size_ == 1) {
    fn(0);
    return;
  }
  job_ = &fn;
  has_error_.store(false);
  error_ = nullptr;
  pending_.store(size_ - 1, std::memory_order_release);
  generation_.fetch_add(1, std::memory_order_acq_rel);
  generation_.notify_all();
  try {
    fn(0);
  } catch (...) {
    if (!has_error_.exchange(true)) error_ = std::current_exception();
  }
  while (pending_.load(std::memory_order_acquire) != 0) cpu_relax();
  job_ = nullptr;
  if (has_error_.load()) std::rethrow_exception(error_);
}

void Pool::parallel_for(std::int64_t n, std::int64_t grain,
                        const std::function<void(std::int64_t, std::int64_t)>& fn) {
  if (n <= 0) return;
  if (grain < 1) grain = 1;
  const std::int64_t units = (n + grain - 1) / grain;
  const std::int64_t threads = std::min<std::int64_t>(size_, units);
  if (threads <= 1) {
    fn(0, n);
    return;
  }
  run([&](int tid) {
    if (tid >= threads) return;
    const std::int64_t u0 = units * tid / threads, u1 = units * (tid + 1) / threads;
    const std::int64_t b = u0 * grain, e = std::min(n, u1 * grain);
    if (b < e) fn(b, e);
  });
}

void Pool::barrier() {
  if (size_ == 1) return;
  const std::uint64_t phase = barrier_phase_.load(std::memory_order_acquire);
  if (barrier_count_.fetch_add(1, std::memory_order_acq_rel) == size_ - 1) {
    barrier_count_.store(0, std::memory_order_relaxed);
    barrier_phase_.fetch_add(1, std::memory_order_acq_rel);
    barrier_phase_.notify_all();
    return;
  }
  for (int i = 0; i < 4096; ++i) {
    if (barrier_phase_.load(std::memory_order_acquire) != phase) return;
    cpu_relax();
  }
  while (barrier_phase_.load(std::memory_order_acquire) == phase) barrier_phase_.wait(phase);
}

std::vector<int> Pool::tids() const {
  std::vector<int> out(size_);
  out[0] = current_tid();
  for (int t = 1; t < size_; ++t) out[t] = worker_tid_[t].load();
  return out;
}

Pool::CallerPin::CallerPin(const Pool& pool) {
  if (pool.cpus().empty()) return;
  cpu_set_t old;
  if (sched_getaffinity(0, sizeof old, &old) != 0)
    throw std::runtime_error(fmt::format("sched_getaffinity: {}", std::strerror(errno)));
  saved_.assign(reinterpret_cast<unsigned char*>(&old), reinterpret_cast<unsigned char*>(&old) + sizeof old);
  pin_thread(pthread_self(), pool.cpus()[0]);
  active_ = true;
}

Pool::CallerPin::~CallerPin() {
  if (active_) sched_setaffinity(0, saved_.size(), reinterpret_cast<const cpu_set_t*>(saved_.data()));
}

Pool& pool_for(int threads, const std::string& pin) {
  static std::mutex mu;
  static std::map<std::pair<int, std::string>, std::unique_ptr<Pool>> pools;
  std::lock_guard lock(mu);
  auto& slot = pools[{threads, pin}];
  if (!slot) slot = std::make_unique<Pool>(threads, pin_cpus(machine_topology(), pin, threads));
  return *slot;
}

}  // namespace cromwell
