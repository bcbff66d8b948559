#include "harness/platform/isa.hpp"

#include <cpuid.h>

#include <algorithm>
#include <cstring>
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
  if (f == "avx512vnni") return __builtin_cpu_supports("avx512vnni");
  if (f == "avx512bf16") return __builtin_cpu_supports("avx512bf16");
  if (f == "avxvnni") return __builtin_cpu_supports("avxvnni");
  if (f == "prfchw") {  // PREFETCHW: CPUID 8000_0001h ECX bit 8
    unsigned a, b, c, d;
    return __get_cpuid(0x80000001, &a, &b, &c, &d) && (c >> 8 & 1);
  }
  throw std::invalid_argument(
      "unknown ISA feature '" + std::string(f) +
      "' (known: sse4.2 avx avx2 fma f16c avx512f avx512bw avx512vl avx512dq avx512vnni avx512bf16 avxvnni prfchw)");
}

std::vector<std::string> isa_features(std::string_view target) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos < target.size()) {
    const std::size_t end = std::min(target.find(',', pos), target.size());
    out.emplace_back(target.substr(pos, end - pos));
    (void)cpu_has(out.back());  // throws for an unknown name
    pos = end + 1;
  }
  return out;
}

std::string missing_isa(const std::vector<std::string>& required) {
  std::string out;
  for (const auto& f : required)
    if (!cpu_has(f)) out += (out.empty() ? "" : "+") + f;
  return out;
}

CpuId cpu_id() {
  CpuId c;
  unsigned a, b, cx, d;
  __cpuid(0, a, b, cx, d);
  char v[13] = {};
  std::memcpy(v, &b, 4);
  std::memcpy(v + 4, &d, 4);
  std::memcpy(v + 8, &cx, 4);
  c.vendor = v;
  __cpuid(1, a, b, cx, d);
  const unsigned base_family = (a >> 8) & 0xf, base_model = (a >> 4) & 0xf;
  c.family = base_family + (base_family == 0xf ? (a >> 20) & 0xff : 0);
  c.model = base_model | ((base_family == 0x6 || base_family == 0xf) ? ((a >> 16) & 0xf) << 4 : 0);
  c.stepping = a & 0xf;
  char brand[49] = {};
  if (__get_cpuid_max(0x80000000, nullptr) >= 0x80000004)
    for (unsigned i = 0; i < 3; ++i) {
      __cpuid(0x80000002 + i, a, b, cx, d);
      std::memcpy(brand + 16 * i, &a, 4);
      std::memcpy(brand + 16 * i + 4, &b, 4);
      std::memcpy(brand + 16 * i + 8, &cx, 4);
      std::memcpy(brand + 16 * i + 12, &d, 4);
    }
  c.brand = brand;
  c.brand.erase(c.brand.find_last_not_of(' ') + 1);
  c.brand.erase(0, c.brand.find_first_not_of(' '));
  return c;
}

}  // namespace cromwell
