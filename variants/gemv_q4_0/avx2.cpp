// gemv_q4_0.avx2 — dequantise in registers and FMA in fp32, x not rounded (variants/weights_fma.hpp).
// Parameters: variants/weights_rows.hpp.
#include "variants/weights_fma.hpp"

namespace cromwell {
namespace {

const bool registered = register_variant<GemvQ4_0Kernel>({
    .name = "avx2",
    .summary = "4-bit values widened to fp32 in registers, FMA with fp32 x, row streams sharing x",
    .isa = CROMWELL_AVX2_F16C,
    .space = weights_rows::space(),
    .prepare = weights_rows::prepare<GemvQ4_0Kernel, weights_fma::Avx2<weights::Q4_0>>,
});

}  // namespace
}  // namespace cromwell
