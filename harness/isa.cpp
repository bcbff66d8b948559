#include "harness/isa.hpp"

#include <stdexcept>

namespace cromwell {

bool cpu_has(std::string_view f) {
  __builtin_cpu_init();
  if (f == "sse4.2") return __builtin_cpu_supports("sse4.2");
  if (f == "avx") return __builtin_cpu_supports("avx");
  if (f == "avx2") return __builtin_cpu_supports("avx2");
  if (f == "fma") return __builtin_cpu_supports("fma");
  if (f == "f16c") return __builtin_cpu_supports("f16c");
  if (f == "avx512f") return __builtin_cpu_supports("avx512f");
  if (f == "avx512bw") return __builtin_cpu_supports("avx512bw");
  if (f == "avx512vl") return __builtin_cpu_supports("avx512vl");
  if (f == "avx512dq") return __builtin_cpu_supports("avx512dq");
  throw std::invalid_argument("unknown ISA feature '" + std::string(f) +
                              "' (known: sse4.2 avx avx2 fma f16c avx512f avx512bw avx512vl avx512dq)");
}

std::string missing_isa(const std::vector<std::string>& required) {
  std::string out;
  for (const auto& f : required)
    if (!cpu_has(f)) out += (out.empty() ? "" : "+") + f;
  return out;
}

}  // namespace cromwell
