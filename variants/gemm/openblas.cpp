// gemm.openblas — a peer, not ours: cblas_sgemm from OpenBLAS, so a vendor BLAS stands in the
// same table. OpenBLAS picks its kernel ("core") when the library loads, from the CPU or from
// OPENBLAS_CORETYPE; the row's note records the core that ran (openblas_get_corename()).
//   core  auto: whatever this process loaded; haswell (AVX2), skylakex / cooperlake (AVX-512),
//         zen, sandybridge (AVX): configs whose core differs from the loaded one are measured in a
//         child process with OPENBLAS_CORETYPE set.
// OpenBLAS uses its own threads (openblas_set_num_threads before each call): the pool's pinning
// does not apply to them, and the pool's workers sleep while it runs.
#include <algorithm>
#include <cctype>

#include <cblas.h>
#include <fmt/format.h>

#include "harness/registry.hpp"
#include "kernels/gemm.hpp"

namespace cromwell {
namespace {

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

const char* coretype_name(const std::string& core) {
  if (core == "haswell") return "Haswell";
  if (core == "skylakex") return "SkylakeX";
  if (core == "cooperlake") return "Cooperlake";
  if (core == "zen") return "Zen";
  return "Sandybridge";
}

const bool registered = register_variant<GemmKernel>({
    .name = "openblas",
    .summary = "peer: OpenBLAS cblas_sgemm (its own threads), core selectable",
    .isa = {},
    .space = {.params = {Param::choice("core", {"auto", "haswell", "skylakex", "cooperlake", "zen", "sandybridge"},
                                       {"auto"}, "auto",
                                       "OpenBLAS kernel set (OPENBLAS_CORETYPE); auto = as loaded")},
              .constraints = {}},
    .prepare = [](const GemmShape& s, const ParamValues&, Pool& pool) -> Runnable<GemmKernel> {
      const int threads = pool.size();
      return [s, threads](GemmWorkspace& ws) {
        openblas_set_num_threads(threads);
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, int(s.m), int(s.n), int(s.k), 1.0f,
                    ws.a.data(), int(s.k), ws.b.data(), int(s.n), 0.0f, ws.c.data(), int(s.n));
      };
    },
    .child_env = [](const ParamValues& p) -> std::optional<std::string> {
      const std::string core = p.str("core");
      if (core == "auto" || lower(openblas_get_corename()) == core) return std::nullopt;
      return fmt::format("OPENBLAS_CORETYPE={}", coretype_name(core));
    },
    .note = [](const ParamValues&, int threads) {
      std::string version = OPENBLAS_VERSION;  // " OpenBLAS 0.3.21 "
      version.erase(0, version.find_first_not_of(' '));
      version.erase(version.find_last_not_of(' ') + 1);
      std::string n = fmt::format("{} core {}", version, openblas_get_corename());
      if (threads > 1) n += "; own threads: the pool's pinning does not apply";
      return n;
    },
    .uses_pool = false,
});

}  // namespace
}  // namespace cromwell
