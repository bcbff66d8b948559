#pragma once
// The engine's model as `cromwell decode` composes it: the dimensions, the weight format, and the
// token step as a list of stages — each one registered kernel called on a shape, `calls` times per
// token — with the FLOPs and bytes that each call does (the kernel's own work model) and the part
// of those bytes that is weights and KV cache (what streams from DRAM every token).
//
// One layer (Llama-style, pre-norm, SwiGLU; q_dim = heads·head_dim, kv_dim = kv_heads·head_dim):
//   attn_norm  rmsnorm      1 × hidden
//   qkv        gemv[_fmt]   n = q_dim + 2·kv_dim, k = hidden     (Wq, Wk, Wv as one matrix)
//   rope_q     rope         heads rows of head_dim at position context − 1
//   rope_k     rope         kv_heads rows, written into the K cache at that position (and v into
//                           the V cache: kv_dim floats)
//   scores     attn_scores  1 query against `context` keys, layout shd
//   softmax    softmax      heads rows of `context`
//   values     attn_values  the weights times the V cache, layout shd
//   out_proj   gemv[_fmt]   n = hidden, k = q_dim
//   attn_add   add          the residual: h + out_proj
//   mlp_norm   rmsnorm      1 × hidden
//   gate_up    gemv[_fmt]   n = 2·mlp, k = hidden                (Wgate, Wup as one matrix)
//   swiglu     swiglu       silu(gate) · up, mlp elements
//   down       gemv[_fmt]   n = hidden, k = mlp
//   mlp_add    add          the residual: h + down
// then once per token: final_norm (rmsnorm 1 × hidden) and lm_head (gemv[_fmt] n = vocab, k = hidden).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "harness/core/dims.hpp"
#include "harness/core/work.hpp"

namespace cromwell::decode {

enum class WeightFormat { f32, bf16, q8_0, q4_0 };
std::string_view to_string(WeightFormat f);
// Throws std::invalid_argument naming the allowed values.
WeightFormat parse_weight_format(std::string_view text);
const std::vector<WeightFormat>& weight_formats();
// Stored bytes per weight: 4, 2, 34/32 (32 int8 + an fp16 scale), 18/32 (32 nibbles + the scale).
double bytes_per_weight(WeightFormat f);
// The GEMV kernel of the format: "gemv", "gemv_bf16", "gemv_q8_0", "gemv_q4_0".
std::string gemv_kernel(WeightFormat f);

struct ModelDims {
  std::int64_t hidden = 2048, heads = 32, kv_heads = 1, head_dim = 64, mlp = 5632, layers = 24, vocab = 32000,
               context = 2048;
  std::int64_t q_dim() const { return heads * head_dim; }
  std::int64_t kv_dim() const { return kv_heads * head_dim; }
  // As the key's dims: hidden, heads, kv_heads, head_dim, mlp, layers, vocab, context.
  Dims dims() const;
};
// "" or what is wrong with `m` for format `f`, naming the option and the allowed values.
std::string validate(const ModelDims& m, WeightFormat f);

struct Stage {
  std::string name;                       // "qkv"
  std::string kernel;                     // "gemv_q4_0"
  Dims shape;                             // the kernel's dims
  std::int64_t calls;                     // per token: layers, or 1 for final_norm and lm_head
  Work work;                              // per call, the kernel's model
  double weight_bytes = 0, kv_bytes = 0;  // per call: weights read, KV cache read and written
};
std::vector<Stage> stages(const ModelDims& m, WeightFormat f);

// Per token, over all stages.
struct Totals {
  double flops = 0, bytes = 0, weight_bytes = 0, kv_bytes = 0;
  double streamed() const { return weight_bytes + kv_bytes; }  // what a token reads from DRAM
};
Totals totals(const std::vector<Stage>& s);

// The fewest layers of `m` whose weights, with the final norm and the LM head, reach `bytes` (what
// `--layers` must keep in memory so that the weights stream from DRAM: 4 × L3).
std::int64_t layers_for(const ModelDims& m, WeightFormat f, double bytes);

}  // namespace cromwell::decode
