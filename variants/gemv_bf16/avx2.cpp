// gemv_bf16.avx2 — gemv.avx2's row kernel on bf16 weights (variants/gemv/rows_avx2.hpp): 8
// weights widened to fp32 by a zero-extension and a shift (exact), then FMA with x in fp32 (x is
// not rounded). Parameters: variants/weights_rows.hpp.
#include "kernels/gemv_weights.hpp"
#include "variants/gemv/rows_avx2.hpp"
#include "variants/weights_avx2.hpp"
#include "variants/weights_rows.hpp"

namespace cromwell {
namespace {

struct Engine {
  using X = weights_avx2::XF32;
  static X make_x(std::int64_t k) { return weights_avx2::make_xf32(k); }
  static void fill_x(const float* x, std::int64_t k, X& out) { weights_avx2::fill_xf32(x, k, out); }

  template <int S, prefetch::Hint H>
  [[gnu::target(CROMWELL_AVX2)]] static void dot(const std::byte* w, std::int64_t, std::int64_t k, const X& x, float* y,
                                                 std::int64_t r0, std::int64_t q, std::int64_t pf_bytes) {
    gemv_avx2::dot_rows<S, H>(GemvShape{0, k}, reinterpret_cast<const std::uint16_t*>(w), x.v, y, r0, q, pf_bytes / 64);
  }
};

const bool registered = register_variant<GemvBf16Kernel>({
    .name = "avx2",
    .summary = "bf16 widened to fp32 in registers, FMA, row streams sharing x",
    .isa = CROMWELL_AVX2,
    .space = weights_rows::space(),
    .prepare = weights_rows::prepare<GemvBf16Kernel, Engine>,
});

}  // namespace
}  // namespace cromwell
