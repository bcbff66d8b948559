// gelu.avx2 — gelu.naive with AVX2 and the vector math of variants/vecmath_avx2.hpp.
//   form   sigmoid: y = x·sigmoid(2v), by the identity 1 + tanh(v) = 2·sigmoid(2v) (no
//                   cancellation where tanh → −1; one exp and one division);
//          tanh:    y = ½x(1 + tanh v), the formula as written (tanh adds a polynomial for
//                   small |v| and a blend to the same exp and division)
//   store  normal | nt: ordinary or non-temporal stores for y (variants/store.hpp)
#include "harness/core/registry.hpp"
#include "kernels/gelu.hpp"
#include "variants/store.hpp"
#include "variants/vecmath_avx2.hpp"

namespace cromwell {
namespace {

enum class Form { sigmoid, tanh };

template <Form F>
[[gnu::target(CROMWELL_AVX2), gnu::always_inline]] inline __m256 gelu(__m256 x) {
  const __m256 x3 = _mm256_mul_ps(_mm256_mul_ps(x, x), x);
  const __m256 v = _mm256_mul_ps(_mm256_set1_ps(0.7978845608f), _mm256_fmadd_ps(_mm256_set1_ps(0.044715f), x3, x));
  __m256 y;
  if constexpr (F == Form::sigmoid) {
    y = _mm256_mul_ps(x, vecmath::sigmoid(_mm256_add_ps(v, v)));
  } else {
    const __m256 half_x = _mm256_mul_ps(_mm256_set1_ps(0.5f), x);
    y = _mm256_fmadd_ps(half_x, vecmath::tanh(v), half_x);
  }
  // Infinities exactly: gelu(+inf) = +inf, gelu(−inf) = −0 (the products above give NaN or −inf·0).
  const __m256 inf = _mm256_set1_ps(__builtin_inff());
  const __m256 fix = _mm256_blendv_ps(_mm256_set1_ps(-0.0f), inf, _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_GT_OQ));
  return _mm256_blendv_ps(y, fix, _mm256_cmp_ps(_mm256_andnot_ps(_mm256_set1_ps(-0.0f), x), inf, _CMP_EQ_OQ));
}

template <Form F>
[[gnu::target(CROMWELL_AVX2)]] float gelu1(float x) {
  return _mm256_cvtss_f32(gelu<F>(_mm256_set1_ps(x)));
}

template <Form F, bool NT>
[[gnu::target(CROMWELL_AVX2)]] void gelu_range(const float* x, float* y, std::int64_t b, std::int64_t e) {
  std::int64_t i = b;
  for (const std::int64_t v = store::vector_start<NT>(y, b, e); i < v; ++i) y[i] = gelu1<F>(x[i]);
  for (; i + 8 <= e; i += 8) store::put<NT>(y + i, gelu<F>(_mm256_loadu_ps(x + i)));
  for (; i < e; ++i) y[i] = gelu1<F>(x[i]);
  store::finish<NT>();
}

using RangeFn = void (*)(const float*, float*, std::int64_t, std::int64_t);

RangeFn range_fn(bool tanh_form, bool nt) {
  if (tanh_form) return nt ? gelu_range<Form::tanh, true> : gelu_range<Form::tanh, false>;
  return nt ? gelu_range<Form::sigmoid, true> : gelu_range<Form::sigmoid, false>;
}

const bool registered = register_variant<GeluKernel>({
    .name = "avx2",
    .summary = "AVX2, x·sigmoid(2v) or ½x(1 + tanh v), normal or non-temporal stores",
    .isa = CROMWELL_AVX2,
    .space = {.params = {Param::choice("form", {"sigmoid", "tanh"}, {"sigmoid", "tanh"}, "sigmoid",
                                       "x·sigmoid(2v) or the formula as written, ½x(1 + tanh v)"),
                         store::param()},
              .constraints = {}},
    .prepare = [](const StreamShape& s, const ParamValues& p, Pool& pool) -> Runnable<GeluKernel> {
      const RangeFn range = range_fn(p.str("form") == "tanh", store::nt(p));
      return [s, range, &pool](GeluKernel::Workspace& ws) {
        pool.parallel_for(s.n, 16, [&](std::int64_t b, std::int64_t e) { range(ws.x.data(), ws.y.data(), b, e); });
      };
    },
});

}  // namespace
}  // namespace cromwell
