// gemv_q4_0.avx_vnni — x quantised to 8-bit blocks once per call, then vpdpbusd integer dot products, 256-bit
// (AVX-VNNI) (variants/weights_int8.hpp: the method and its µops per block). Parameters: variants/weights_rows.hpp.
#include "variants/weights_int8.hpp"
#include "variants/weights_rows.hpp"

namespace cromwell {
namespace {

using Engine = weights_int8::Vnni256<weights::Q4_0>;

const bool registered = register_variant<GemvQ4_0Kernel>({
    .name = "avx_vnni",
    .summary = "x in 8-bit blocks, vpdpbusd integer dot products, 256-bit (AVX-VNNI)",
    .isa = CROMWELL_AVX_VNNI,
    .space = weights_rows::space(),
    .prepare = weights_rows::prepare<GemvQ4_0Kernel, Engine>,
});

}  // namespace
}  // namespace cromwell
