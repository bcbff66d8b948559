#include "harness/decode/model.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

#include "harness/core/registry.hpp"

namespace cromwell::decode {

std::string_view to_string(WeightFormat f) {
  switch (f) {
    case WeightFormat::f32:
      return "f32";
    case WeightFormat::bf16:
      return "bf16";
    case WeightFormat::q8_0:
      return "q8_0";
    case WeightFormat::q4_0:
      return "q4_0";
  }
  return "?";
}

const std::vector<WeightFormat>& weight_formats() {
  static const std::vector<WeightFormat> all{WeightFormat::f32, WeightFormat::bf16, WeightFormat::q8_0,
                                             WeightFormat::q4_0};
  return all;
}

WeightFormat parse_weight_format(std::string_view text) {
  for (WeightFormat f : weight_formats())
    if (to_string(f) == text) return f;
  throw std::invalid_argument(
      fmt::format("--weights {}: unknown weight format (allowed: f32, bf16, q8_0, q4_0)", text));
}

double bytes_per_weight(WeightFormat f) {
  switch (f) {
    case WeightFormat::f32:
      return 4;
    case WeightFormat::bf16:
      return 2;
    case WeightFormat::q8_0:
      return 34.0 / 32;
    case WeightFormat::q4_0:
      return 18.0 / 32;
  }
  return 0;
}

std::string gemv_kernel(WeightFormat f) {
  return f == WeightFormat::f32 ? "gemv" : "gemv_" + std::string(to_string(f));
}

Dims ModelDims::dims() const {
  Dims d;
  d.items = {{"hidden", hidden}, {"heads", heads},   {"kv_heads", kv_heads}, {"head_dim", head_dim},
             {"mlp", mlp},       {"layers", layers}, {"vocab", vocab},       {"context", context}};
  return d;
}

std::string validate(const ModelDims& m, WeightFormat f) {
  for (const auto& [name, v] : m.dims().items)
    if (v < 1) return fmt::format("--{} {}: must be at least 1", name, v);
  if (m.context < 2)
    return fmt::format("--context {}: must be at least 2 (the token attends to itself and at least one cached token)",
                       m.context);
  if (m.heads % m.kv_heads != 0)
    return fmt::format(
        "--heads {} is not a multiple of --kv-heads {} (each key head serves heads/kv_heads query heads)", m.heads,
        m.kv_heads);
  if (m.head_dim % 2 != 0)
    return fmt::format("--head-dim {}: must be even (RoPE rotates pairs of elements)", m.head_dim);
  if (f != WeightFormat::f32)
    for (const auto& [name, k] :
         {std::pair<const char*, std::int64_t>{"hidden", m.hidden}, {"heads × head-dim", m.q_dim()}, {"mlp", m.mlp}})
      if (k % 32 != 0)
        return fmt::format("--weights {}: {} = {} is not a multiple of 32 (each weight row is stored in blocks of 32)",
                           to_string(f), name, k);
  return "";
}

namespace {

Dims dims_of(std::initializer_list<std::pair<std::string, std::int64_t>> items) {
  Dims d;
  for (const auto& i : items) d.items.push_back(i);
  return d;
}

Work work_of(const std::string& kernel, const Dims& shape) {
  const KernelEntry* k = Registry::get().kernel(kernel);
  if (k == nullptr) throw std::logic_error("decode: kernel " + kernel + " is not registered");
  return k->model(shape);
}

}  // namespace

std::vector<Stage> stages(const ModelDims& m, WeightFormat f) {
  const std::string gemv = gemv_kernel(f);
  const double bpw = bytes_per_weight(f), kv = double(m.context) * m.kv_dim() * sizeof(float);
  const auto proj = [&](std::string name, std::int64_t n, std::int64_t k, std::int64_t calls) {
    return Stage{std::move(name), gemv, dims_of({{"n", n}, {"k", k}}), calls, {}, double(n) * k * bpw, 0};
  };
  const auto norm = [&](std::string name, std::int64_t calls) {
    return Stage{std::move(name),
                 "rmsnorm",
                 dims_of({{"rows", 1}, {"n", m.hidden}}),
                 calls,
                 {},
                 double(m.hidden) * sizeof(float),
                 0};
  };
  const auto attn = [&](std::string name, std::string kernel) {
    return Stage{
        std::move(name),
        std::move(kernel),
        dims_of(
            {{"seq", 1}, {"cache_len", m.context}, {"heads", m.heads}, {"kv_heads", m.kv_heads}, {"dim", m.head_dim}}),
        m.layers,
        {},
        0,
        kv};
  };
  const auto rope = [&](std::string name, std::int64_t rows, double kv_written) {
    return Stage{std::move(name), "rope", dims_of({{"rows", rows}, {"dim", m.head_dim}, {"pos", m.context - 1}}),
                 m.layers,        {},     0,
                 kv_written};
  };
  const auto add = [&](std::string name) {
    return Stage{std::move(name), "add", dims_of({{"n", m.hidden}}), m.layers, {}, 0, 0};
  };
  std::vector<Stage> s{norm("attn_norm", m.layers),
                       proj("qkv", m.q_dim() + 2 * m.kv_dim(), m.hidden, m.layers),
                       rope("rope_q", m.heads, 0),
                       rope("rope_k", m.kv_heads, 2.0 * m.kv_dim() * sizeof(float)),
                       attn("scores", "attn_scores"),
                       Stage{"softmax", "softmax", dims_of({{"rows", m.heads}, {"n", m.context}}), m.layers, {}, 0, 0},
                       attn("values", "attn_values"),
                       proj("out_proj", m.hidden, m.q_dim(), m.layers),
                       add("attn_add"),
                       norm("mlp_norm", m.layers),
                       proj("gate_up", 2 * m.mlp, m.hidden, m.layers),
                       Stage{"swiglu", "swiglu", dims_of({{"n", m.mlp}}), m.layers, {}, 0, 0},
                       proj("down", m.hidden, m.mlp, m.layers),
                       add("mlp_add"),
                       norm("final_norm", 1),
                       proj("lm_head", m.vocab, m.hidden, 1)};
  for (Stage& st : s) st.work = work_of(st.kernel, st.shape);
  return s;
}

Totals totals(const std::vector<Stage>& s) {
  Totals t;
  for (const Stage& st : s) {
    t.flops += st.work.flops * st.calls;
    t.bytes += st.work.bytes * st.calls;
    t.weight_bytes += st.weight_bytes * st.calls;
    t.kv_bytes += st.kv_bytes * st.calls;
  }
  return t;
}

std::int64_t layers_for(const ModelDims& m, WeightFormat f, double bytes) {
  ModelDims one = m, two = m;
  one.layers = 1;
  two.layers = 2;
  const double first = totals(stages(one, f)).weight_bytes, per_layer = totals(stages(two, f)).weight_bytes - first;
  return std::max<std::int64_t>(1, std::int64_t(std::ceil((bytes - (first - per_layer)) / per_layer)));
}

}  // namespace cromwell::decode
