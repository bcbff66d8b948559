#include "harness/decode/reference.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

#include "kernels/rmsnorm.hpp"
#include "kernels/rope.hpp"
#include "kernels/weights.hpp"

namespace cromwell::decode {
namespace {

using Vec = std::vector<double>;

Vec rmsnorm(const Vec& x, std::span<const float> scale) {
  double ss = 0;
  for (double v : x) ss += v * v;
  const double inv = 1.0 / std::sqrt(ss / double(x.size()) + double(RmsnormKernel::kEps));
  Vec y(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) y[i] = x[i] * inv * scale[i];
  return y;
}

// x as the GEMV variant multiplies it: an fp32 x (the step's activations are fp32), then rounded as
// variants/weights_x.hpp does.
Vec rounded(const Vec& x, XRounding how) {
  Vec out(x.size());
  for (std::size_t j = 0; j < x.size(); ++j) out[j] = double(float(x[j]));
  if (how == XRounding::bf16)
    for (double& v : out) v = weights::bf16_to_float(weights::bf16_from_float(float(v)));
  if (how == XRounding::int8)
    for (std::size_t b = 0; b + 32 <= out.size(); b += 32) {
      float a = 0;
      for (std::size_t j = b; j < b + 32; ++j) a = std::max(a, std::abs(float(out[j])));
      const float d = a / 127, id = a != 0.0f ? 127 / a : 0.0f;
      for (std::size_t j = b; j < b + 32; ++j) out[j] = double(std::nearbyint(float(out[j]) * id)) * double(d);
    }
  return out;
}

Vec matvec(const std::vector<float>& w, const Vec& x_exact, XRounding how) {
  const Vec x = rounded(x_exact, how);
  const std::size_t k = x.size(), n = w.size() / k;
  Vec y(n, 0.0);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < k; ++j) y[i] += double(w[i * k + j]) * x[j];
  return y;
}

// Rotate-half RoPE of `rows` rows of `dim` at `pos`, base 10000, in place.
void rope(double* x, std::int64_t rows, std::int64_t dim, std::int64_t pos) {
  const std::int64_t half = dim / 2;
  for (std::int64_t r = 0; r < rows; ++r)
    for (std::int64_t i = 0; i < half; ++i) {
      const double theta = double(pos) * std::pow(RopeKernel::kBase, -2.0 * double(i) / double(dim));
      double* a = x + r * dim + i;
      double* b = a + half;
      const double xa = *a, xb = *b;
      *a = xa * std::cos(theta) - xb * std::sin(theta);
      *b = xa * std::sin(theta) + xb * std::cos(theta);
    }
}

}  // namespace

ModelDims check_dims() {
  ModelDims d;
  d.hidden = 64;
  d.heads = 4;
  d.kv_heads = 2;
  d.head_dim = 16;
  d.mlp = 96;
  d.layers = 2;
  d.vocab = 96;
  d.context = 7;
  return d;
}

XRounding x_rounding(const Choice& gemv) {
  const std::string& v = gemv.variant->name;
  if (v == "avx512_bf16") return XRounding::bf16;
  if (v == "avx2_int8" || v == "avx_vnni" || v == "avx512_vnni") return XRounding::int8;
  return XRounding::none;
}

bool Roundings::any() const {
  for (XRounding x : {qkv, out_proj, gate_up, down, lm_head})
    if (x != XRounding::none) return true;
  return false;
}

Roundings x_roundings(const std::vector<Stage>& stages, const Plan& plan) {
  const auto of = [&](std::string_view name) {
    for (std::size_t i = 0; i < stages.size(); ++i)
      if (stages[i].name == name) return x_rounding(plan.choices.at(i));
    throw std::logic_error("decode: no stage " + std::string(name));
  };
  return {of("qkv"), of("out_proj"), of("gate_up"), of("down"), of("lm_head")};
}

ReferenceToken reference_token(const ModelDims& m, const Step& step, std::int64_t position, const Roundings& xr) {
  const std::int64_t qd = m.q_dim(), kvd = m.kv_dim(), hd = m.head_dim, ctx = m.context;
  const std::int64_t per_group = m.heads / m.kv_heads;
  Vec h(step.embedding().begin(), step.embedding().end());
  for (std::int64_t l = 0; l < m.layers; ++l) {
    Vec qkv = matvec(step.weights(l, Matrix::qkv), rmsnorm(h, step.attn_norm(l)), xr.qkv);
    rope(qkv.data(), m.heads, hd, position);
    rope(qkv.data() + qd, m.kv_heads, hd, position);
    // The cache: positions before the token's as the step holds them, the token's own k and v.
    const auto cached = [&](std::span<const float> cache, std::int64_t t, std::int64_t i, const double* own) {
      return t == ctx - 1 ? own[i] : double(cache[std::size_t(t * kvd + i)]);
    };
    Vec attn(static_cast<std::size_t>(qd), 0.0);
    for (std::int64_t hh = 0; hh < m.heads; ++hh) {
      const std::int64_t g = hh / per_group;
      Vec p(static_cast<std::size_t>(ctx));
      double mx = -INFINITY;
      for (std::int64_t t = 0; t < ctx; ++t) {
        double s = 0;
        for (std::int64_t d = 0; d < hd; ++d)
          s += qkv[std::size_t(hh * hd + d)] * cached(step.k_cache(l), t, g * hd + d, qkv.data() + qd);
        p[std::size_t(t)] = s / std::sqrt(double(hd));
        mx = std::max(mx, p[std::size_t(t)]);
      }
      double sum = 0;
      for (double& v : p) sum += (v = std::exp(v - mx));
      for (std::int64_t t = 0; t < ctx; ++t)
        for (std::int64_t d = 0; d < hd; ++d)
          attn[std::size_t(hh * hd + d)] +=
              p[std::size_t(t)] / sum * cached(step.v_cache(l), t, g * hd + d, qkv.data() + qd + kvd);
    }
    const Vec o = matvec(step.weights(l, Matrix::out), attn, xr.out_proj);
    for (std::size_t i = 0; i < h.size(); ++i) h[i] += o[i];
    const Vec gu = matvec(step.weights(l, Matrix::gate_up), rmsnorm(h, step.mlp_norm(l)), xr.gate_up);
    Vec a(static_cast<std::size_t>(m.mlp));
    for (std::size_t i = 0; i < a.size(); ++i) {
      const double g = gu[i];
      a[i] = g / (1.0 + std::exp(-g)) * gu[i + a.size()];
    }
    const Vec dn = matvec(step.weights(l, Matrix::down), a, xr.down);
    for (std::size_t i = 0; i < h.size(); ++i) h[i] += dn[i];
  }
  ReferenceToken r;
  r.logits = matvec(step.lm_head(), rmsnorm(h, step.final_norm()), xr.lm_head);
  r.hidden = std::move(h);
  return r;
}

double composed_tolerance(const Roundings& x) { return x.any() ? 5e-3 : 1e-4; }

Normwise normwise(std::span<const float> got, const std::vector<double>& want) {
  Normwise n;
  double scale = 0, worst = -1;
  for (std::size_t i = 0; i < want.size(); ++i) {
    scale = std::max(scale, std::abs(want[i]));
    const double e = std::isnan(got[i]) ? INFINITY : std::abs(double(got[i]) - want[i]);
    if (e > worst) {
      worst = e;
      n.worst = i;
    }
  }
  n.error = scale > 0 ? worst / scale : worst;
  return n;
}

std::string check_step(const ModelDims& m, const Roundings& x, Step& step) {
  const ReferenceToken want = reference_token(m, step, m.context - 1, x);
  step.token();
  return compare_step(want, step, composed_tolerance(x));
}

std::string compare_step(const ReferenceToken& want, const Step& step, double tau) {
  for (const auto& [name, got, ref] : {std::tuple{"logits", step.logits(), &want.logits},
                                       std::tuple{"hidden state after the last layer", step.hidden(), &want.hidden}}) {
    const Normwise n = normwise(got, *ref);
    if (!(n.error <= tau))
      return fmt::format(
          "the composed step differs from the reference in its {}: element {} = {:.9g}, expected "
          "{:.9g}; normwise error {:.3g} > {:.3g}",
          name, n.worst, got[n.worst], (*ref)[n.worst], n.error, tau);
  }
  return "";
}

}  // namespace cromwell::decode
