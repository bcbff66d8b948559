// gemv_q4_0.avx2_int8 — x quantised to 8-bit blocks once per call, then vpmaddubsw + vpmaddwd integer dot products
// (AVX2) (variants/weights_int8.hpp: the method and its µops per block). Parameters: variants/weights_rows.hpp.
#include "variants/weights_int8.hpp"
#include "variants/weights_rows.hpp"

namespace cromwell {
namespace {

using Engine = weights_int8::Avx2<weights::Q4_0>;

const bool registered = register_variant<GemvQ4_0Kernel>({
    .name = "avx2_int8",
    .summary = "x in 8-bit blocks, vpmaddubsw + vpmaddwd integer dot products (AVX2)",
    .isa = CROMWELL_AVX2_F16C,
    .space = weights_rows::space(),
    .prepare = weights_rows::prepare<GemvQ4_0Kernel, Engine>,
});

}  // namespace
}  // namespace cromwell
