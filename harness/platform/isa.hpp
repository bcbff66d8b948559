#pragma once
// CPU features for the runtime check that guards every variant compiled with a wider ISA.
//
// One declaration per instruction set a variant may target: the string GCC's target attribute
// takes is also the list of features the run-time check tests, so the two cannot drift apart.
// A variant file writes
//   [[gnu::target(CROMWELL_AVX2)]] void kernel_body(...);      // compiled for AVX2 + FMA
//   register_variant<K>({..., .isa = CROMWELL_AVX2, ...});      // unsupported where they are missing
// (macros, because an attribute argument must be a string literal).
#include <string>
#include <string_view>
#include <vector>

#define CROMWELL_AVX2 "avx2,fma"
#define CROMWELL_AVX2_PREFETCHW "avx2,fma,prfchw"
#define CROMWELL_AVX512 "avx512f"
// The quantized GEMV variants: fp16 scales (F16C), 8-bit dot products (AVX-VNNI: 256-bit VNNI
// without AVX-512; AVX512-VNNI), bf16 dot products (AVX512-BF16).
#define CROMWELL_AVX2_F16C "avx2,fma,f16c"
#define CROMWELL_AVX_VNNI "avx2,fma,f16c,avxvnni"
#define CROMWELL_AVX512_VNNI "avx512f,avx512bw,avx512vl,avx512vnni,avx2,fma,f16c"
#define CROMWELL_AVX512_BF16 "avx512f,avx512bw,avx512vl,avx512bf16,avx2,fma,f16c"

namespace cromwell {

// The features of a target string ("avx2,fma" -> {"avx2", "fma"}); empty for "". Throws
// std::invalid_argument for a feature cpu_has does not know.
std::vector<std::string> isa_features(std::string_view target);

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
