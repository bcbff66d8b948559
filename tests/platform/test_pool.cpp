// The pool (pool.hpp) and buffers (buffer.hpp): every thread runs once per job, parallel_for
// covers a range exactly once in contiguous chunks in thread order, errors reach the caller, the
// barrier orders phases, pinned threads run where they are told. Everything here holds with more
// threads than CPUs (3 and 4 threads on a 2-CPU VM) and under the sanitizers; nothing asserts on
// timing but the spin time, and that only with a margin of half the pause it measures, and no
// failure mode waits forever.
#include <catch2/catch.hpp>

#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

#include "harness/platform/buffer.hpp"
#include "harness/platform/pool.hpp"
#include "harness/platform/topology.hpp"

using namespace cromwell;

namespace {

int gettid_() { return static_cast<int>(syscall(SYS_gettid)); }

int task_count() {
  int n = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator("/proc/self/task")) ++n;
  return n;
}

std::set<int> affinity() {
  cpu_set_t set;
  CPU_ZERO(&set);
  REQUIRE(sched_getaffinity(0, sizeof set, &set) == 0);
  std::set<int> out;
  for (int c = 0; c < CPU_SETSIZE; ++c)
    if (CPU_ISSET(c, &set)) out.insert(c);
  return out;
}

// Up to `n` cpus this process may use, in compact order.
std::vector<int> some_cpus(int n) {
  const Topology& t = machine_topology();
  return pin_cpus(t, "compact", std::min(n, static_cast<int>(t.pus.size())));
}

void sleep_past_spin() { std::this_thread::sleep_for(std::chrono::milliseconds(2)); }

}  // namespace

TEST_CASE("pool: run executes fn once on every thread, each on its own kernel thread") {
  for (int n : {1, 2, 3, 4}) {
    INFO("threads " << n);
    Pool pool(n, {});
    CHECK(pool.size() == n);
    CHECK(pool.cpus().empty());
    const std::vector<int> tids = pool.tids();
    REQUIRE(tids.size() == static_cast<std::size_t>(n));
    CHECK(tids[0] == gettid_());
    CHECK(std::set<int>(tids.begin(), tids.end()).size() == static_cast<std::size_t>(n));
    for (int rep = 0; rep < 300; ++rep) {
      std::vector<std::atomic<int>> hits(static_cast<std::size_t>(n));
      std::vector<int> where(static_cast<std::size_t>(n), -1);
      pool.run([&](int tid) {
        hits[static_cast<std::size_t>(tid)]++;
        where[static_cast<std::size_t>(tid)] = gettid_();
      });
      for (int t = 0; t < n; ++t) CHECK(hits[static_cast<std::size_t>(t)] == 1);
      CHECK(where == tids);
      if (rep % 50 == 49) sleep_past_spin();  // the next run wakes sleeping workers
    }
  }
}

TEST_CASE("pool: a pool of 1 starts no thread and runs on the caller") {
  const int before = task_count();
  Pool pool(1, {});
  CHECK(task_count() == before);
  CHECK(pool.tids() == std::vector<int>{gettid_()});
  int calls = 0, where = 0;
  pool.run([&](int tid) {
    CHECK(tid == 0);
    where = gettid_();
    ++calls;
  });
  CHECK(calls == 1);
  CHECK(where == gettid_());
  pool.barrier();  // a no-op with one thread
  CHECK_THROWS_WITH(pool.run([](int) { throw std::runtime_error("alone"); }), "alone");
}

// The kernel may list a joined thread for a moment after pthread_join returns: wait up to 2 s.
int settled_task_count(int expected) {
  int n = task_count();
  for (int i = 0; i < 200 && n != expected; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    n = task_count();
  }
  return n;
}

TEST_CASE("pool: workers are started by the constructor and joined by the destructor") {
  const int before = task_count();
  {
    Pool pool(3, {});
    CHECK(task_count() == before + 2);
    pool.run([](int) {});
  }
  CHECK(settled_task_count(before) == before);
  {
    Pool pool(3, {});
    sleep_past_spin();  // destroyed while its workers sleep
  }
  CHECK(settled_task_count(before) == before);
}

TEST_CASE("pool: parallel_for covers 0 to n exactly once in contiguous chunks in thread order") {
  for (int threads : {1, 2, 3}) {
    Pool pool(threads, {});
    const std::vector<int> tids = pool.tids();
    for (std::int64_t n : {0, 1, 7, 1000, 4097})
      for (std::int64_t grain : {1, 3, 4, 64, 1000, 5000}) {
        INFO("threads " << threads << " n " << n << " grain " << grain);
        std::vector<std::atomic<int>> seen(static_cast<std::size_t>(n));
        std::mutex mu;
        std::map<int, std::vector<std::pair<std::int64_t, std::int64_t>>> chunks;  // by thread id
        pool.parallel_for(n, grain, [&](std::int64_t b, std::int64_t e) {
          for (std::int64_t i = b; i < e; ++i) seen[static_cast<std::size_t>(i)]++;
          const int tid = static_cast<int>(std::find(tids.begin(), tids.end(), gettid_()) - tids.begin());
          std::lock_guard lock(mu);
          chunks[tid].emplace_back(b, e);
        });
        for (std::int64_t i = 0; i < n; ++i) CHECK(seen[static_cast<std::size_t>(i)] == 1);
        const std::int64_t units = (n + grain - 1) / grain;
        CHECK(chunks.size() == static_cast<std::size_t>(std::min<std::int64_t>(threads, units)));
        std::int64_t next = 0;
        int expected_tid = 0;
        for (const auto& [tid, list] : chunks) {
          CHECK(tid == expected_tid++);  // threads 0, 1, ... in order; the rest skip
          REQUIRE(list.size() == 1);     // one chunk per thread
          const auto [b, e] = list[0];
          CHECK(b == next);
          CHECK(b < e);
          CHECK(b % grain == 0);
          if (e != n) CHECK(e % grain == 0);
          next = e;
        }
        CHECK(next == n);
      }
  }
}

TEST_CASE("pool: parallel_for balances whole grains and accepts a grain below 1") {
  Pool pool(3, {});
  std::mutex mu;
  std::vector<std::pair<std::int64_t, std::int64_t>> chunks;
  auto record = [&](std::int64_t b, std::int64_t e) {
    std::lock_guard lock(mu);
    chunks.emplace_back(b, e);
  };
  pool.parallel_for(10, 1, record);  // 10 grains over 3 threads: 4, 3, 3
  std::sort(chunks.begin(), chunks.end());
  CHECK(chunks == std::vector<std::pair<std::int64_t, std::int64_t>>{{0, 4}, {4, 7}, {7, 10}});
  chunks.clear();
  pool.parallel_for(10, 4, record);  // grains [0,4) [4,8) [8,10)
  std::sort(chunks.begin(), chunks.end());
  CHECK(chunks == std::vector<std::pair<std::int64_t, std::int64_t>>{{0, 4}, {4, 8}, {8, 10}});
  chunks.clear();
  pool.parallel_for(5, 0, record);
  std::sort(chunks.begin(), chunks.end());
  CHECK(chunks == std::vector<std::pair<std::int64_t, std::int64_t>>{{0, 2}, {2, 4}, {4, 5}});
}

TEST_CASE("pool: the first exception of any thread reaches the caller and the pool stays usable") {
  for (int n : {2, 3}) {
    INFO("threads " << n);
    Pool pool(n, {});
    CHECK_THROWS_WITH(pool.run([](int tid) {
      if (tid == 1) throw std::runtime_error("worker failed");
    }),
                      "worker failed");
    CHECK_THROWS_WITH(pool.run([](int tid) {
      if (tid == 0) throw std::runtime_error("caller failed");
    }),
                      "caller failed");
    CHECK_THROWS_AS(pool.run([](int tid) { throw std::out_of_range(std::to_string(tid)); }), std::out_of_range);
    CHECK_THROWS_AS(pool.parallel_for(100, 1,
                                      [](std::int64_t b, std::int64_t) {
                                        if (b > 0) throw std::length_error("chunk");
                                      }),
                    std::length_error);
    std::atomic<int> count{0};
    pool.run([&](int) { count++; });
    CHECK(count == n);
  }
}

TEST_CASE("pool: a thread that throws does not leave the others waiting in barrier()") {
  for (int n : {2, 3}) {
    Pool pool(n, {});
    for (int rep = 0; rep < 50; ++rep) {
      const int culprit = rep % n;
      INFO("threads " << n << " culprit " << culprit);
      CHECK_THROWS_WITH(pool.run([&](int tid) {
        pool.barrier();
        if (tid == culprit) throw std::runtime_error("between barriers");
        pool.barrier();
        pool.barrier();
      }),
                        "between barriers");
      if (rep % 10 == 9) sleep_past_spin();
    }
    std::atomic<int> passed{0};
    pool.run([&](int) {
      pool.barrier();
      passed++;
    });
    CHECK(passed == n);
  }
}

TEST_CASE("pool: the barrier separates phases") {
  for (int n : {2, 3, 4}) {
    INFO("threads " << n);
    Pool pool(n, {});
    constexpr int kPhases = 200;
    std::vector<std::atomic<int>> phase_of(static_cast<std::size_t>(n));
    std::atomic<int> wrong{0};
    for (int rep = 0; rep < 3; ++rep) {
      for (auto& p : phase_of) p = -1;
      pool.run([&](int tid) {
        for (int k = 0; k < kPhases; ++k) {
          phase_of[static_cast<std::size_t>(tid)] = k;
          pool.barrier();  // everyone has written phase k ...
          for (const auto& p : phase_of)
            if (p.load() != k) wrong++;
          pool.barrier();  // ... and read it before anyone writes k + 1
        }
      });
      sleep_past_spin();
    }
    CHECK(wrong == 0);
  }
}

TEST_CASE("pool: misuse is refused rather than deadlocking") {
  Pool pool(2, {});
  CHECK_THROWS_AS(pool.barrier(), std::logic_error);  // outside run()
  CHECK_THROWS_AS(pool.run([&](int) { pool.run([](int) {}); }), std::logic_error);
  CHECK_THROWS_AS(pool.run([&](int) { pool.parallel_for(100, 1, [](std::int64_t, std::int64_t) {}); }),
                  std::logic_error);
  CHECK_THROWS_AS(Pool(0, {}), std::invalid_argument);
  CHECK_THROWS_AS(Pool(2, {0}), std::invalid_argument);
  CHECK_THROWS_AS(Pool(2, {0, -1}), std::invalid_argument);
  const int before = task_count();
  CHECK_THROWS_WITH(Pool(2, {some_cpus(1)[0], 4095}), Catch::Contains("sched_setaffinity(cpu 4095)"));
  CHECK(task_count() == before);  // the worker that could not be pinned was joined
  std::atomic<int> count{0};
  pool.run([&](int) { count++; });
  CHECK(count == 2);
}

TEST_CASE("pool: many short jobs in a row, with and without sleeping workers") {
  Pool pool(3, {});
  std::atomic<std::int64_t> sum{0};
  for (int rep = 0; rep < 3000; ++rep) {
    pool.run([&](int tid) { sum += tid + 1; });
    if (rep % 500 == 0) sleep_past_spin();
  }
  CHECK(sum == 3000 * (1 + 2 + 3));
}

TEST_CASE("pool: pinned threads run on their cpus, and CallerPin pins and restores the caller") {
  const std::vector<int> cpus = some_cpus(2);
  const int n = static_cast<int>(cpus.size());
  Pool pool(n, cpus);
  CHECK(pool.cpus() == cpus);
  const std::set<int> before = affinity();
  {
    Pool::CallerPin pin(pool);
    CHECK(affinity() == std::set<int>{cpus[0]});
    std::vector<std::set<int>> masks(static_cast<std::size_t>(n));
    std::vector<int> where(static_cast<std::size_t>(n), -1);
    pool.run([&](int tid) {
      masks[static_cast<std::size_t>(tid)] = affinity();
      where[static_cast<std::size_t>(tid)] = sched_getcpu();
    });
    for (int t = 0; t < n; ++t) {
      CHECK(masks[static_cast<std::size_t>(t)] == std::set<int>{cpus[static_cast<std::size_t>(t)]});
      CHECK(where[static_cast<std::size_t>(t)] == cpus[static_cast<std::size_t>(t)]);
    }
  }
  CHECK(affinity() == before);
  {
    Pool unpinned(2, {});
    Pool::CallerPin pin(unpinned);  // nothing to pin
    CHECK(affinity() == before);
  }
  const auto tids = pool.tids();
  CHECK(std::set<int>(tids.begin(), tids.end()).size() == static_cast<std::size_t>(n));
}

TEST_CASE("pool: pool_for caches one pool per (threads, pin) and refuses impossible requests") {
  const int cpus = static_cast<int>(machine_topology().pus.size());
  Pool& a = pool_for(2, "none");
  CHECK(&a == &pool_for(2, "none"));
  CHECK(a.size() == 2);
  CHECK(a.cpus().empty());
  Pool& b = pool_for(1, "compact");
  CHECK(&b != &a);
  CHECK(b.cpus() == std::vector<int>{machine_topology().pus[0].os_index});
  Pool& c = pool_for(std::min(2, cpus), "compact");
  CHECK(c.cpus() == some_cpus(2));
  std::atomic<int> count{0};
  c.run([&](int) { count++; });
  CHECK(count == c.size());
  CHECK_THROWS_AS(pool_for(0, "none"), std::invalid_argument);
  CHECK_THROWS_AS(pool_for(1, "compakt"), std::invalid_argument);
  CHECK_THROWS_WITH(pool_for(cpus + 1, "compact"), Catch::Contains("threads requested"));
  CHECK_THROWS_AS(pool_for(cpus + 1, "compact"), std::invalid_argument);  // a failure is not cached
}

namespace {

constexpr auto kPause = std::chrono::milliseconds(20);
constexpr std::int64_t kPauseNs = 20'000'000;

// The growth of the pool's spin time over `what`.
template <class F>
std::int64_t spun_during(const Pool& pool, F what) {
  const std::int64_t before = pool.spin_time_ns();
  what();
  const std::int64_t after = pool.spin_time_ns();
  CHECK(after >= before);
  return after - before;
}

}  // namespace

TEST_CASE("pool: spin time grows while a worker or the caller or a barrier waits within the budget") {
  constexpr std::int64_t kBudget = 1'000'000'000;  // 1 s: far beyond every pause below
  Pool pool(2, {}, kBudget);
  CHECK(pool.spin_budget_ns() == kBudget);
  const auto noop = [](int) {};
  pool.run(noop);
  // A worker waiting for the next job: counted while it spins, and kept once the job came.
  CHECK(spun_during(pool, [] { std::this_thread::sleep_for(kPause); }) >= kPauseNs / 2);
  const std::int64_t before_job = pool.spin_time_ns();
  pool.run(noop);
  CHECK(pool.spin_time_ns() >= before_job);
  // The caller waiting for a slow worker.
  CHECK(spun_during(pool, [&] {
          pool.run([](int tid) {
            if (tid == 1) std::this_thread::sleep_for(kPause);
          });
        }) >= kPauseNs / 2);
  // A worker, then the caller, waiting in barrier() for the other.
  for (int late : {0, 1}) {
    INFO("late thread " << late);
    CHECK(spun_during(pool, [&] {
            pool.run([&](int tid) {
              if (tid == late) std::this_thread::sleep_for(kPause);
              pool.barrier();
            });
          }) >= kPauseNs / 2);
  }
  // Many short waits (timed one in Pool::kSpinSample, then counted that many times): back-to-back
  // empty jobs spin, and not much longer in all than the two threads were there. The estimate is
  // unbiased but heavy-tailed: a sampled wait during which its thread lost the CPU to another
  // process (tests run two at a time on two cores) counts 32 times, which put one run at 5× the
  // wall time; counting every wait kSpinSample times (the bug this guards against) gives ≈ 32×.
  const auto t0 = std::chrono::steady_clock::now();
  const std::int64_t short_waits = spun_during(pool, [&] {
    for (int i = 0; i < 20000; ++i) pool.run(noop);
  });
  const std::int64_t wall =
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0).count();
  CHECK(short_waits > 0);
  CHECK(short_waits < 12 * wall);
}

TEST_CASE("pool: without a spin budget waits sleep at once and the spin time stays 0") {
  const int over = static_cast<int>(affinity().size()) + 1;
  Pool off(2, {}, 0), shared(over, {});  // no budget; more threads than the CPUs allowed
  const std::vector<int> one = some_cpus(1);
  Pool doubled(2, {one[0], one[0]});  // two threads pinned to one CPU
  CHECK(shared.spin_budget_ns() == 0);
  CHECK(doubled.spin_budget_ns() == 0);
  for (Pool* pool : {&off, &shared, &doubled}) {
    INFO("threads " << pool->size());
    CHECK(pool->spin_budget_ns() == 0);
    for (int rep = 0; rep < 3; ++rep) {
      pool->run([&](int tid) {
        if (tid == rep % 2) std::this_thread::sleep_for(std::chrono::milliseconds(2));
        pool->barrier();
      });
      sleep_past_spin();
    }
    CHECK(pool->spin_time_ns() == 0);
  }
  CHECK(Pool(1, {}).spin_time_ns() == 0);
  CHECK_THROWS_AS(Pool(2, {}, -1), std::invalid_argument);
}

TEST_CASE("buffer: 64-byte boundary plus the align offset, and zero bytes is still a pointer") {
  Pool pool(3, {});
  for (std::size_t offset : {0, 4, 32, 60}) {
    for (Pool* p : {static_cast<Pool*>(nullptr), &pool}) {
      Alloc alloc{offset, p};
      for (std::size_t bytes : {0, 1, 4096, 100000}) {
        RawBuffer b = alloc.raw(bytes);
        REQUIRE(b.base != nullptr);
        REQUIRE(b.data != nullptr);
        CHECK(b.bytes == bytes);
        CHECK(reinterpret_cast<std::uintptr_t>(b.data) % 64 == offset);
        CHECK(b.data - b.base.get() < 64 + static_cast<std::ptrdiff_t>(offset) + 1);
        for (std::size_t i = 0; i < bytes; ++i) CHECK(b.data[i] == std::byte{0});  // touched, zero
        if (bytes) b.data[bytes - 1] = std::byte{1};                               // writable to the end
      }
    }
  }
  Buffer<float> empty(Alloc{}, 0);
  CHECK(empty.data() != nullptr);
  CHECK(empty.size() == 0);
  Buffer<double> d(Alloc{8, &pool}, 3);
  CHECK(reinterpret_cast<std::uintptr_t>(d.data()) % 64 == 8);
}

TEST_CASE("buffer: deterministic uniform data, independent of the pool that fills it") {
  constexpr std::size_t n = 100'003;
  Buffer<float> serial(Alloc{}, n);
  fill_uniform(serial.view, 7, 1, nullptr);
  double sum = 0, sum_sq = 0;
  float lo = 1, hi = -1;
  for (std::size_t i = 0; i < n; ++i) {
    const float v = serial[i];
    REQUIRE(v == uniform(7, 1, i));
    REQUIRE(v >= -1.0f);
    REQUIRE(v < 1.0f);
    REQUIRE(std::ldexp(v, 23) == std::floor(std::ldexp(v, 23)));  // a multiple of 2^-23: 24 bits
    lo = std::min(lo, v);
    hi = std::max(hi, v);
    sum += v;
    sum_sq += double(v) * v;
  }
  CHECK(std::abs(sum / n) < 0.01);               // mean 0
  CHECK(std::abs(sum_sq / n - 1.0 / 3) < 0.01);  // variance 1/3
  CHECK(lo < -0.999f);
  CHECK(hi > 0.999f);
  for (int threads : {2, 3}) {
    Pool pool(threads, {});
    Buffer<float> parallel(Alloc{4, &pool}, n);
    fill_uniform(parallel.view, 7, 1, &pool);
    CHECK(std::equal(parallel.view.begin(), parallel.view.end(), serial.view.begin()));
  }
  CHECK(uniform(7, 2, 0) != uniform(7, 1, 0));
  CHECK(uniform(8, 1, 0) != uniform(7, 1, 0));
  // The same numbers on every machine and in every build: a change here changes every workspace.
  CHECK(uniform(0, 0, 0) == 0x1.3836e8p-2f);
  CHECK(uniform(42, 3, 12345) == 0x1.2c2dcp-1f);
  CHECK(uniform(7, 1, 99999) == -0x1.04c8p-8f);
}
