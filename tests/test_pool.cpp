// The pool: every thread runs once per job, parallel_for covers a range exactly once, errors
// reach the caller, the barrier orders phases. Holds with more threads than CPUs.
#include <atomic>
#include <catch2/catch.hpp>
#include <set>
#include <stdexcept>
#include <vector>

#include "harness/buffer.hpp"
#include "harness/pool.hpp"

using namespace cromwell;

TEST_CASE("run executes fn once on every thread") {
  for (int n : {1, 2, 3}) {
    Pool pool(n, {});
    for (int rep = 0; rep < 50; ++rep) {
      std::vector<std::atomic<int>> hits(n);
      pool.run([&](int tid) { hits[tid]++; });
      for (int t = 0; t < n; ++t) CHECK(hits[t] == 1);
    }
    const auto tids = pool.tids();
    CHECK(std::set<int>(tids.begin(), tids.end()).size() == static_cast<std::size_t>(n));
  }
}

TEST_CASE("parallel_for covers the range exactly once") {
  Pool pool(3, {});
  for (std::int64_t n : {0, 1, 7, 1000})
    for (std::int64_t grain : {1, 4, 64}) {
      std::vector<std::atomic<int>> seen(static_cast<std::size_t>(n));
      pool.parallel_for(n, grain, [&](std::int64_t b, std::int64_t e) {
        CHECK(b < e);
        for (std::int64_t i = b; i < e; ++i) seen[i]++;
      });
      for (std::int64_t i = 0; i < n; ++i) CHECK(seen[i] == 1);
    }
}

TEST_CASE("an exception in any thread reaches the caller and the pool stays usable") {
  Pool pool(2, {});
  CHECK_THROWS_WITH(pool.run([](int tid) {
    if (tid == 1) throw std::runtime_error("worker failed");
  }), "worker failed");
  std::atomic<int> count{0};
  pool.run([&](int) { count++; });
  CHECK(count == 2);
}

TEST_CASE("the barrier separates phases") {
  Pool pool(3, {});
  std::atomic<int> arrived{0};
  std::atomic<bool> early{false};
  for (int rep = 0; rep < 20; ++rep) {
    arrived = 0;
    pool.run([&](int) {
      arrived++;
      pool.barrier();
      if (arrived != 3) early = true;
      pool.barrier();
    });
  }
  CHECK(!early);
}

TEST_CASE("a pinned pool runs its threads on its cpus") {
  Pool& pool = pool_for(2, "compact");
  REQUIRE(pool.cpus().size() == 2);
  std::vector<int> where(2, -1);
  Pool::CallerPin pin(pool);
  pool.run([&](int tid) { where[tid] = sched_getcpu(); });
  CHECK(where[0] == pool.cpus()[0]);
  CHECK(where[1] == pool.cpus()[1]);
}

TEST_CASE("buffers honour the align offset and data is deterministic") {
  Pool pool(2, {});
  for (std::size_t offset : {0, 4, 60}) {
    Alloc alloc{offset, &pool};
    Buffer<float> b(alloc, 1000);
    CHECK(reinterpret_cast<std::uintptr_t>(b.data()) % 64 == offset);
    fill_uniform(b.view, 7, 1, &pool);
    for (std::size_t i = 0; i < 1000; ++i) {
      CHECK(b[i] == uniform(7, 1, i));
      CHECK(b[i] >= -1.0f);
      CHECK(b[i] < 1.0f);
    }
  }
  Buffer<float> empty(Alloc{}, 0);
  CHECK(empty.data() != nullptr);
}
