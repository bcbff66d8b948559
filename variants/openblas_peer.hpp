#pragma once
// What the OpenBLAS peers (gemm.openblas, gemv.openblas) share: the `core` parameter, the child
// environment that selects another core, and the row note naming the core that ran.
//
// OpenBLAS picks its kernel set ("core") when the library loads, from the CPU or from
// OPENBLAS_CORETYPE. `core` = auto runs whatever this process loaded; any other value runs in a
// child process with OPENBLAS_CORETYPE set, unless it is the core already loaded.
#include <cblas.h>

#include <cctype>
#include <optional>
#include <string>

#include <fmt/format.h>

#include "harness/core/param.hpp"

namespace cromwell::openblas_peer {

inline Param core_param() {
  return Param::choice("core", {"auto", "haswell", "skylakex", "cooperlake", "zen", "sandybridge"}, {"auto"}, "auto",
                       "OpenBLAS kernel set (OPENBLAS_CORETYPE); auto = as loaded");
}

inline std::optional<std::string> child_env(const ParamValues& p) {
  const std::string core = p.str("core");
  std::string loaded = openblas_get_corename();
  for (auto& c : loaded) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (core == "auto" || loaded == core) return std::nullopt;
  const char* name = core == "haswell"      ? "Haswell"
                     : core == "skylakex"   ? "SkylakeX"
                     : core == "cooperlake" ? "Cooperlake"
                     : core == "zen"        ? "Zen"
                                            : "Sandybridge";
  return fmt::format("OPENBLAS_CORETYPE={}", name);
}

inline std::string note(const ParamValues&, int threads) {
  std::string version = OPENBLAS_VERSION;  // " OpenBLAS 0.3.21 "
  version.erase(0, version.find_first_not_of(' '));
  version.erase(version.find_last_not_of(' ') + 1);
  std::string n = fmt::format("{} core {}", version, openblas_get_corename());
  if (threads > 1) n += "; own threads: the pool's pinning does not apply";
  return n;
}

// The instructions of the core that runs, for the roofline: AVX-512 kernels for SkylakeX and
// Cooperlake, AVX2 + FMA for Haswell and Zen, the baseline for the others (Sandy Bridge's AVX
// without FMA has no ceiling of its own).
inline std::string runtime_isa() {
  const std::string core = openblas_get_corename();
  if (core == "SkylakeX" || core == "skylakex" || core == "Cooperlake" || core == "cooperlake") return "avx512f";
  if (core == "Haswell" || core == "haswell" || core == "Zen" || core == "zen") return "avx2,fma";
  return "";
}

}  // namespace cromwell::openblas_peer
