#include "harness/decode/step.hpp"

#include <chrono>
#include <cmath>
#include <cstring>
#include <stdexcept>

#include <fmt/format.h>

#include "harness/core/registry.hpp"
#include "harness/platform/isa.hpp"
#include "kernels/add.hpp"
#include "kernels/attn_scores.hpp"
#include "kernels/attn_values.hpp"
#include "kernels/gemv.hpp"
#include "kernels/gemv_weights.hpp"
#include "kernels/read.hpp"
#include "kernels/rmsnorm.hpp"
#include "kernels/rope.hpp"
#include "kernels/softmax.hpp"
#include "kernels/swiglu.hpp"

namespace cromwell::decode {
namespace {

constexpr std::size_t kSlotAlign = 4096;
std::size_t round_up(std::size_t b) { return (b + kSlotAlign - 1) / kSlotAlign * kSlotAlign; }

// Bytes of an n × k matrix stored in `f`.
std::size_t matrix_bytes(WeightFormat f, std::int64_t n, std::int64_t k) {
  return std::size_t(double(n) * double(k) * bytes_per_weight(f));
}

struct MatrixShape {
  std::int64_t n, k;
};
MatrixShape shape_of(const ModelDims& m, Matrix which) {
  switch (which) {
    case Matrix::qkv:
      return {m.q_dim() + 2 * m.kv_dim(), m.hidden};
    case Matrix::out:
      return {m.hidden, m.q_dim()};
    case Matrix::gate_up:
      return {2 * m.mlp, m.hidden};
    case Matrix::down:
      return {m.hidden, m.mlp};
  }
  return {0, 0};
}
constexpr Matrix kMatrices[] = {Matrix::qkv, Matrix::out, Matrix::gate_up, Matrix::down};

// Where everything lives in the arena: per layer the two norm scales, the four matrices and the K and
// V caches; then the final norm and the LM head. Every slot starts on a 4 KiB boundary.
struct Layout {
  struct LayerSlots {
    std::size_t attn_norm, mlp_norm, matrix[4], k_cache, v_cache;
  };
  std::vector<LayerSlots> layers;
  std::size_t final_norm = 0, lm_head = 0, bytes = 0;

  Layout(const ModelDims& m, WeightFormat f) {
    std::size_t at = 0;
    const auto take = [&](std::size_t b) {
      const std::size_t here = at;
      at += round_up(b);
      return here;
    };
    const std::size_t norm = std::size_t(m.hidden) * sizeof(float),
                      cache = std::size_t(m.context * m.kv_dim()) * sizeof(float);
    for (std::int64_t l = 0; l < m.layers; ++l) {
      LayerSlots s{};
      s.attn_norm = take(norm);
      s.mlp_norm = take(norm);
      for (int i = 0; i < 4; ++i) {
        const MatrixShape ms = shape_of(m, kMatrices[i]);
        s.matrix[i] = take(matrix_bytes(f, ms.n, ms.k));
      }
      s.k_cache = take(cache);
      s.v_cache = take(cache);
      layers.push_back(s);
    }
    final_norm = take(norm);
    lm_head = take(matrix_bytes(f, m.vocab, m.hidden));
    bytes = at;
  }
};

template <class T>
Buffer<T> view(T* p, std::size_t n) {
  Buffer<T> b;
  b.view = std::span<T>(p, n);
  return b;
}

// Calls `fn` with a value of the GEMV kernel type of `f`.
template <class Fn>
decltype(auto) with_gemv(WeightFormat f, Fn&& fn) {
  switch (f) {
    case WeightFormat::f32:
      return fn(GemvKernel{});
    case WeightFormat::bf16:
      return fn(GemvBf16Kernel{});
    case WeightFormat::q8_0:
      return fn(GemvQ8_0Kernel{});
    case WeightFormat::q4_0:
      return fn(GemvQ4_0Kernel{});
  }
  throw std::logic_error("decode: unknown weight format");
}

template <class K>
constexpr bool is_f32_gemv = std::is_same_v<K, GemvKernel>;

}  // namespace

struct Step::Impl {
  ModelDims m;
  WeightFormat f;
  Pool& pool;
  Layout layout;
  std::shared_ptr<std::byte> arena_keep;
  std::byte* arena = nullptr;
  // Activations (small: they stay in the caches).
  Buffer<float> embed, h_a, h_b, xn, qkv, q_rot, scores, probs, attn, proj, gu, act, logits;
  struct Call {
    int stage;  // -1: not a stage (the token's input)
    std::function<void()> fn;
  };
  std::vector<Call> calls;
  std::function<void()> read;
  std::string read_name;

  Impl(const ModelDims& dims, WeightFormat fmt, Pool& p) : m(dims), f(fmt), pool(p), layout(dims, fmt) {}

  float* floats(std::size_t at) { return reinterpret_cast<float*>(arena + at); }
  std::vector<float> decoded(std::size_t at, MatrixShape ms) const;
  const float* floats(std::size_t at) const { return reinterpret_cast<const float*>(arena + at); }

  // Weights: uniform in [-1, 1) / √k (so that every projection keeps its input's scale), per
  // (layer, matrix) stream; encoded row by row into the format.
  void fill_matrix(std::size_t at, std::int64_t n, std::int64_t k, std::uint64_t seed, std::uint64_t stream) {
    const float scale = float(1.0 / std::sqrt(double(k)));
    with_gemv(f, [&](auto kernel) {
      using K = decltype(kernel);
      pool.parallel_for(n, 1, [&](std::int64_t r0, std::int64_t r1) {
        std::vector<float> row(static_cast<std::size_t>(k));
        for (std::int64_t i = r0; i < r1; ++i) {
          for (std::int64_t j = 0; j < k; ++j) row[j] = scale * uniform(seed, stream, std::uint64_t(i * k + j));
          if constexpr (is_f32_gemv<K>)
            std::memcpy(floats(at) + i * k, row.data(), std::size_t(k) * sizeof(float));
          else
            K::Format::encode(row.data(), arena + at + std::size_t(i) * std::size_t(K::row_bytes(k)), k);
        }
      });
    });
  }
  void fill_floats(std::size_t at, std::int64_t n, std::uint64_t seed, std::uint64_t stream, float base, float spread) {
    float* p = floats(at);
    fill_uniform(std::span<float>(p, std::size_t(n)), seed, stream, &pool);
    for (std::int64_t i = 0; i < n; ++i) p[i] = base + spread * p[i];
  }
};

std::size_t Step::arena_bytes_for(const ModelDims& m, WeightFormat f) { return Layout(m, f).bytes; }

Step::Step(const ModelDims& m, WeightFormat f, const std::vector<Stage>& stages, const Plan& plan, Pool& pool,
           std::uint64_t seed)
    : impl_(std::make_unique<Impl>(m, f, pool)) {
  Impl& s = *impl_;
  const Alloc alloc{0, &pool};
  s.arena = alloc.make<std::byte>(s.layout.bytes, s.arena_keep).data();

  // Inputs: per layer the norm scales (1 ± 0.1), the matrices and the cache; streams 16·layer + i.
  for (std::int64_t l = 0; l < m.layers; ++l) {
    const Layout::LayerSlots& ls = s.layout.layers[std::size_t(l)];
    const std::uint64_t base = 16 * std::uint64_t(l) + 16;
    s.fill_floats(ls.attn_norm, m.hidden, seed, base + 0, 1.0f, 0.1f);
    s.fill_floats(ls.mlp_norm, m.hidden, seed, base + 1, 1.0f, 0.1f);
    for (int i = 0; i < 4; ++i) {
      const MatrixShape ms = shape_of(m, kMatrices[i]);
      s.fill_matrix(ls.matrix[i], ms.n, ms.k, seed, base + 2 + std::uint64_t(i));
    }
    s.fill_floats(ls.k_cache, m.context * m.kv_dim(), seed, base + 6, 0.0f, 1.0f);
    s.fill_floats(ls.v_cache, m.context * m.kv_dim(), seed, base + 7, 0.0f, 1.0f);
  }
  s.fill_floats(s.layout.final_norm, m.hidden, seed, 2, 1.0f, 0.1f);
  s.fill_matrix(s.layout.lm_head, m.vocab, m.hidden, seed, 3);

  const auto act = [&](std::int64_t n) { return Buffer<float>(alloc, std::size_t(n)); };
  s.embed = act(m.hidden);
  fill_uniform(s.embed.view, seed, 1, &pool);
  s.h_a = act(m.hidden);
  s.h_b = act(m.hidden);
  s.xn = act(std::max(m.hidden, m.q_dim()));
  s.qkv = act(m.q_dim() + 2 * m.kv_dim());
  s.q_rot = act(m.q_dim());
  s.scores = act(m.heads * m.context);
  s.probs = act(m.heads * m.context);
  s.attn = act(m.q_dim());
  s.proj = act(m.hidden);
  s.gu = act(2 * m.mlp);
  s.act = act(m.mlp);
  s.logits = act(m.vocab);
  for (Buffer<float>* b :
       {&s.h_a, &s.h_b, &s.xn, &s.qkv, &s.q_rot, &s.scores, &s.probs, &s.attn, &s.proj, &s.gu, &s.act, &s.logits})
    fill_nan(b->view, &pool);

  // Each stage's variant, prepared once for its shape.
  const auto index = [&](std::string_view name) {
    for (std::size_t i = 0; i < stages.size(); ++i)
      if (stages[i].name == name) return int(i);
    throw std::logic_error(fmt::format("decode: no stage {}", name));
  };
  const auto runnable = [&]<Kernel K>(K, int stage) {
    const Choice& c = plan.choices.at(std::size_t(stage));
    const Variant<K>* v = typed_variant<K>(*c.variant);
    if (v == nullptr)
      throw std::logic_error(fmt::format("decode: {} is not a variant of {}", c.variant->id(), K::name));
    return std::make_shared<Runnable<K>>(
        v->prepare(shape_from_dims<K>(stages[std::size_t(stage)].shape), c.params, pool));
  };
  // Binds stage `name`'s prepared call to a workspace; appended to the token's calls in order.
  const auto bind = [&](int stage, auto run, auto ws) {
    s.calls.push_back({stage, [run, ws]() mutable { (*run)(ws); }});
  };

  const int st_attn_norm = index("attn_norm"), st_qkv = index("qkv"), st_rope_q = index("rope_q"),
            st_rope_k = index("rope_k"), st_scores = index("scores"), st_softmax = index("softmax"),
            st_values = index("values"), st_out = index("out_proj"), st_attn_add = index("attn_add"),
            st_mlp_norm = index("mlp_norm"), st_gate_up = index("gate_up"), st_swiglu = index("swiglu"),
            st_down = index("down"), st_mlp_add = index("mlp_add"), st_final_norm = index("final_norm"),
            st_lm_head = index("lm_head");
  auto r_attn_norm = runnable(RmsnormKernel{}, st_attn_norm), r_mlp_norm = runnable(RmsnormKernel{}, st_mlp_norm),
       r_final_norm = runnable(RmsnormKernel{}, st_final_norm);
  auto r_rope_q = runnable(RopeKernel{}, st_rope_q), r_rope_k = runnable(RopeKernel{}, st_rope_k);
  auto r_scores = runnable(AttnScoresKernel{}, st_scores);
  auto r_softmax = runnable(SoftmaxKernel{}, st_softmax);
  auto r_values = runnable(AttnValuesKernel{}, st_values);
  auto r_attn_add = runnable(AddKernel{}, st_attn_add), r_mlp_add = runnable(AddKernel{}, st_mlp_add);
  auto r_swiglu = runnable(SwigluKernel{}, st_swiglu);

  const std::size_t hidden = std::size_t(m.hidden), qd = std::size_t(m.q_dim()), kvd = std::size_t(m.kv_dim()),
                    ctx = std::size_t(m.context), mlp = std::size_t(m.mlp);
  s.calls.push_back({-1, [&s, hidden] { std::memcpy(s.h_a.data(), s.embed.data(), hidden * sizeof(float)); }});
  const auto norm_ws = [&](const Buffer<float>& x, std::size_t scale_at) {
    return RmsnormKernel::Workspace{x, view(s.floats(scale_at), hidden), view(s.xn.data(), hidden)};
  };
  with_gemv(f, [&](auto kernel) {
    using G = decltype(kernel);
    auto r_qkv = runnable(G{}, st_qkv), r_out = runnable(G{}, st_out), r_gate_up = runnable(G{}, st_gate_up),
         r_down = runnable(G{}, st_down), r_lm_head = runnable(G{}, st_lm_head);
    const auto gemv_ws = [&](std::size_t at, MatrixShape ms, float* x, float* y) {
      const std::size_t wn = matrix_bytes(f, ms.n, ms.k);
      typename G::Workspace ws;
      if constexpr (is_f32_gemv<G>)
        ws.w = view(s.floats(at), wn / sizeof(float));
      else
        ws.w = view(s.arena + at, wn);
      ws.x = view(x, std::size_t(ms.k));
      ws.y = view(y, std::size_t(ms.n));
      return ws;
    };
    for (std::int64_t l = 0; l < m.layers; ++l) {
      const Layout::LayerSlots& ls = s.layout.layers[std::size_t(l)];
      float* kc = s.floats(ls.k_cache);
      float* vc = s.floats(ls.v_cache);
      float* k_new = kc + (ctx - 1) * kvd;
      float* v_new = vc + (ctx - 1) * kvd;
      bind(st_attn_norm, r_attn_norm, norm_ws(s.h_a, ls.attn_norm));
      bind(st_qkv, r_qkv, gemv_ws(ls.matrix[0], shape_of(m, Matrix::qkv), s.xn.data(), s.qkv.data()));
      bind(st_rope_q, r_rope_q, RopeKernel::Workspace{view(s.qkv.data(), qd), view(s.q_rot.data(), qd)});
      bind(st_rope_k, r_rope_k, RopeKernel::Workspace{view(s.qkv.data() + qd, kvd), view(k_new, kvd)});
      s.calls.push_back(
          {st_rope_k, [src = s.qkv.data() + qd + kvd, v_new, kvd] { std::memcpy(v_new, src, kvd * sizeof(float)); }});
      bind(st_scores, r_scores,
           AttnScoresKernel::Workspace{AttnLayout::shd, view(s.q_rot.data(), qd), view(kc, ctx * kvd),
                                       view(s.scores.data(), std::size_t(m.heads) * ctx)});
      bind(st_softmax, r_softmax, SoftmaxKernel::Workspace{s.scores, s.probs});
      bind(st_values, r_values,
           AttnValuesKernel::Workspace{AttnLayout::shd, s.probs, view(vc, ctx * kvd), view(s.attn.data(), qd)});
      bind(st_out, r_out, gemv_ws(ls.matrix[1], shape_of(m, Matrix::out), s.attn.data(), s.proj.data()));
      bind(st_attn_add, r_attn_add, AddKernel::Workspace{s.h_a, s.proj, s.h_b});
      bind(st_mlp_norm, r_mlp_norm, norm_ws(s.h_b, ls.mlp_norm));
      bind(st_gate_up, r_gate_up, gemv_ws(ls.matrix[2], shape_of(m, Matrix::gate_up), s.xn.data(), s.gu.data()));
      bind(st_swiglu, r_swiglu,
           SwigluKernel::Workspace{view(s.gu.data(), mlp), view(s.gu.data() + mlp, mlp), view(s.act.data(), mlp)});
      bind(st_down, r_down, gemv_ws(ls.matrix[3], shape_of(m, Matrix::down), s.act.data(), s.proj.data()));
      bind(st_mlp_add, r_mlp_add, AddKernel::Workspace{s.h_b, s.proj, s.h_a});
    }
    bind(st_final_norm, r_final_norm, norm_ws(s.h_a, s.layout.final_norm));
    bind(st_lm_head, r_lm_head, gemv_ws(s.layout.lm_head, {m.vocab, m.hidden}, s.xn.data(), s.logits.data()));
  });

  // The read pass over the arena: read.avx2 with 4 streams per thread, else the plain loop.
  const VariantEntry* rv = Registry::get().variant("read.avx2");
  ParamValues rp;
  if (rv != nullptr && missing_isa(rv->isa).empty()) {
    rp = rv->space.defaults();
    for (auto& [n, v] : rp.items)
      if (n == "streams") v = std::to_string(4);
  } else {
    rv = Registry::get().variant("read.naive");
    rp = rv->space.defaults();
  }
  const ReadKernel::Shape rs{std::int64_t(s.layout.bytes / sizeof(float))};
  auto rr = std::make_shared<Runnable<ReadKernel>>(typed_variant<ReadKernel>(*rv)->prepare(rs, rp, pool));
  ReadKernel::Workspace rws;
  rws.x = view(s.floats(0), std::size_t(rs.n));
  s.read = [rr, rws]() mutable { (*rr)(rws); };
  s.read_name = Choice{rv, rp, ""}.text();
}

Step::~Step() = default;

void Step::token(std::vector<double>* stage_ns) {
  if (stage_ns == nullptr) {
    for (auto& c : impl_->calls) c.fn();
    return;
  }
  using Clock = std::chrono::steady_clock;
  for (auto& c : impl_->calls) {
    const auto t0 = Clock::now();
    c.fn();
    if (c.stage >= 0)
      (*stage_ns)[std::size_t(c.stage)] += std::chrono::duration<double, std::nano>(Clock::now() - t0).count();
  }
}

void Step::read_arena() { impl_->read(); }
std::size_t Step::arena_bytes() const { return impl_->layout.bytes; }
std::string Step::read_variant() const { return impl_->read_name; }
std::span<const float> Step::logits() const { return impl_->logits.view; }
std::span<const float> Step::hidden() const { return impl_->h_a.view; }

// The n × k matrix at `at`, decoded to fp32.
std::vector<float> Step::Impl::decoded(std::size_t at, MatrixShape ms) const {
  std::vector<float> out(static_cast<std::size_t>(ms.n * ms.k));
  with_gemv(f, [&](auto kernel) {
    using K = decltype(kernel);
    for (std::int64_t i = 0; i < ms.n; ++i)
      if constexpr (is_f32_gemv<K>)
        std::memcpy(out.data() + i * ms.k, floats(at) + i * ms.k, std::size_t(ms.k) * sizeof(float));
      else
        K::Format::decode(arena + at + std::size_t(i) * std::size_t(K::row_bytes(ms.k)), out.data() + i * ms.k, ms.k);
  });
  return out;
}

std::vector<float> Step::weights(std::int64_t layer, Matrix which) const {
  return impl_->decoded(impl_->layout.layers.at(std::size_t(layer)).matrix[int(which)], shape_of(impl_->m, which));
}

std::vector<float> Step::lm_head() const {
  return impl_->decoded(impl_->layout.lm_head, {impl_->m.vocab, impl_->m.hidden});
}

std::span<const float> Step::attn_norm(std::int64_t l) const {
  return {impl_->floats(impl_->layout.layers.at(std::size_t(l)).attn_norm), std::size_t(impl_->m.hidden)};
}
std::span<const float> Step::mlp_norm(std::int64_t l) const {
  return {impl_->floats(impl_->layout.layers.at(std::size_t(l)).mlp_norm), std::size_t(impl_->m.hidden)};
}
std::span<const float> Step::final_norm() const {
  return {impl_->floats(impl_->layout.final_norm), std::size_t(impl_->m.hidden)};
}
std::span<const float> Step::embedding() const { return impl_->embed.view; }
std::span<const float> Step::k_cache(std::int64_t l) const {
  return {impl_->floats(impl_->layout.layers.at(std::size_t(l)).k_cache),
          std::size_t(impl_->m.context * impl_->m.kv_dim())};
}
std::span<const float> Step::v_cache(std::int64_t l) const {
  return {impl_->floats(impl_->layout.layers.at(std::size_t(l)).v_cache),
          std::size_t(impl_->m.context * impl_->m.kv_dim())};
}

}  // namespace cromwell::decode
