// gemv_q8_0.avx2 — dequantise in registers and FMA in fp32, x not rounded (variants/weights_fma.hpp).
// Parameters: variants/weights_rows.hpp.
#include "variants/weights_fma.hpp"

namespace cromwell {
namespace {

const bool registered = register_variant<GemvQ8_0Kernel>({
    .name = "avx2",
    .summary = "int8 widened to fp32 in registers, FMA with fp32 x, row streams sharing x",
    .isa = CROMWELL_AVX2_F16C,
    .space = weights_rows::space(),
    .prepare = weights_rows::prepare<GemvQ8_0Kernel, weights_fma::Avx2<weights::Q8_0>>,
});

}  // namespace
}  // namespace cromwell
