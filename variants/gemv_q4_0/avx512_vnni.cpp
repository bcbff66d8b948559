// gemv_q4_0.avx512_vnni — x quantised to 8-bit blocks once per call, then vpdpbusd integer dot products on two blocks
// per 512-bit instruction (AVX512-VNNI) (variants/weights_int8.hpp: the method and its µops per block). Parameters:
// variants/weights_rows.hpp.
#include "variants/weights_int8.hpp"
#include "variants/weights_rows.hpp"

namespace cromwell {
namespace {

using Engine = weights_int8::Vnni512<weights::Q4_0>;

const bool registered = register_variant<GemvQ4_0Kernel>({
    .name = "avx512_vnni",
    .summary = "x in 8-bit blocks, vpdpbusd integer dot products on two blocks per 512-bit instruction (AVX512-VNNI)",
    .isa = CROMWELL_AVX512_VNNI,
    .space = weights_rows::space(),
    .prepare = weights_rows::prepare<GemvQ4_0Kernel, Engine>,
});

}  // namespace
}  // namespace cromwell
