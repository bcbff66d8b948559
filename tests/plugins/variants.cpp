// Variants for tests only, in a plugin library that cromwell loads when CROMWELL_PLUGINS names it:
// never in the installed library, `cromwell list` or a normal run's conformance walk.
//   gemm.test_crash   fault = none | segv | abort | ill | hang: a correct GEMM, or a crash of that
//                     kind on the first call (what --isolate and --timeout turn into error rows);
//                     its note names the process that measured it
//   gemm.test_extra   work_pct = 0..1000: a correct GEMM followed by work_pct % of it again (a
//                     regression of a known size, for the gate); CROMWELL_TEST_EXTRA_PCT adds that
//                     many % more without changing the config's key (a "new build" of the same
//                     config, for `gate` on two runs)
//   gemv.test_extra   the same for a memory-bound kernel: gemv.avx2, then work_pct % of its rows
//                     more from a ring no cache holds (that much more DRAM traffic when W is cold)
#include <sys/mman.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <memory>
#include <thread>
#include <vector>

#include "harness/core/registry.hpp"
#include "kernels/gemm.hpp"
#include "variants/gemv/rows_avx2.hpp"

namespace cromwell {
namespace {

void gemm_rows(const GemmShape& s, const float* a, const float* b, float* c, std::int64_t i0, std::int64_t i1) {
  for (std::int64_t i = i0; i < i1; ++i)
    for (std::int64_t j = 0; j < s.n; ++j) {
      float sum = 0.0f;
      for (std::int64_t p = 0; p < s.k; ++p) sum += a[i * s.k + p] * b[p * s.n + j];
      c[i * s.n + j] = sum;
    }
}

void fault(const std::string& kind) {
  if (kind == "segv") {
    // A store to a page that may not be written (not a null pointer, which UBSan reports first).
    void* page = mmap(nullptr, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    *static_cast<volatile int*>(page) = 1;
  } else if (kind == "abort") {
    std::abort();
  } else if (kind == "ill") {
    std::raise(SIGILL);
  } else if (kind == "hang") {
    for (;;) std::this_thread::sleep_for(std::chrono::seconds(1));
  }
}

const bool crash = register_variant<GemmKernel>({
    .name = "test_crash",
    .summary = "test only: a plain GEMM, or a crash of the kind `fault` names",
    .space = {.params = {Param::choice("fault", {"none", "segv", "abort", "ill", "hang"}, {"none"}, "none",
                                       "none, or the crash on the first call")},
              .constraints = {}},
    .prepare = [](const GemmShape& s, const ParamValues& p, Pool&) -> Runnable<GemmKernel> {
      return [s, kind = p.str("fault")](GemmWorkspace& ws) {
        fault(kind);
        gemm_rows(s, ws.a.data(), ws.b.data(), ws.c.data(), 0, s.m);
      };
    },
    .note = [](const ParamValues&, int) { return "process " + std::to_string(getpid()); },
});

const bool extra = register_variant<GemmKernel>({
    .name = "test_extra",
    .summary = "test only: a plain GEMM and `work_pct` % of it again",
    .space = {.params = {Param::integer("work_pct", 0, 1000, {0}, 0, "%", "extra work, in % of one GEMM")},
              .constraints = {}},
    .prepare = [](const GemmShape& s, const ParamValues& p, Pool&) -> Runnable<GemmKernel> {
      const char* env = std::getenv("CROMWELL_TEST_EXTRA_PCT");
      const std::int64_t pct = p.integer("work_pct") + (env ? std::atoll(env) : 0);
      return [s, pct](GemmWorkspace& ws) {
        gemm_rows(s, ws.a.data(), ws.b.data(), ws.c.data(), 0, s.m);
        // The extra rows are computed again into the same place: the result stays correct.
        for (std::int64_t done = 0, rows = s.m * pct / 100; done < rows;) {
          const std::int64_t n = std::min(rows - done, s.m);
          gemm_rows(s, ws.a.data(), ws.b.data(), ws.c.data(), 0, n);
          done += n;
        }
      };
    },
});

const bool extra_gemv = register_variant<GemvKernel>({
    .name = "test_extra",
    .summary = "test only: gemv.avx2 and `work_pct` % of its rows more, streamed from a ring of 16× that",
    .isa = CROMWELL_AVX2,
    .space = {.params = {Param::integer("work_pct", 0, 1000, {0}, 0, "%", "extra rows, in % of n")}, .constraints = {}},
    .prepare = [](const GemvShape& s, const ParamValues& p, Pool& pool) -> Runnable<GemvKernel> {
      const char* env = std::getenv("CROMWELL_TEST_EXTRA_PCT");
      const std::int64_t pct = p.integer("work_pct") + (env ? std::atoll(env) : 0);
      const std::int64_t extra = s.n * pct / 100, ring_rows = 16 * extra;
      // The extra rows are not W's own again (those may still sit in a cache), but the next
      // `extra` rows of a ring 16 times larger, filled (so its pages are distinct, not the zero
      // page): each is read once per 16 calls, from DRAM whenever W is.
      auto ring = std::make_shared<std::vector<float>>(std::size_t(ring_rows * s.k), 1.0f);
      auto sink = std::make_shared<std::vector<float>>(std::size_t(extra));
      return [s, extra, ring_rows, ring, sink, next = std::int64_t(0), &pool](GemvKernel::Workspace& ws) mutable {
        pool.parallel_for(s.n, 4, [&](std::int64_t b, std::int64_t e) {
          gemv_avx2::rows<prefetch::Hint::none>(s, ws.w.data(), ws.x.data(), ws.y.data(), b, e, 0);
        });
        if (extra == 0) return;
        const float* rows = ring->data() + next * s.k;  // `extra` rows from row `next`, in place
        pool.parallel_for(extra, 4, [&](std::int64_t b, std::int64_t e) {
          gemv_avx2::rows<prefetch::Hint::none>(s, rows, ws.x.data(), sink->data(), b, e, 0);
        });
        next = (next + extra) % ring_rows;
      };
    },
});

}  // namespace
}  // namespace cromwell
