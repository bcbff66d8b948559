#pragma once
// CPU features for the runtime check that guards every variant compiled with a wider ISA.
#include <string>
#include <string_view>
#include <vector>

namespace cromwell {

// Feature names as GCC spells them in target attributes: "avx2", "fma", "avx512f", ...
bool cpu_has(std::string_view feature);
// The features of `required` this CPU lacks, joined with "+", or empty.
std::string missing_isa(const std::vector<std::string>& required);

// Who made this CPU and which one it is, from CPUID (family and model with their extensions).
struct CpuId {
  std::string vendor, brand;  // "AuthenticAMD", "AMD Ryzen 9 5900X 12-Core Processor"
  unsigned family = 0, model = 0, stepping = 0;
};
CpuId cpu_id();

}  // namespace cromwell
