#pragma once
// The token step, composed: every weight of `layers` layers, the final norm and the LM head, and
// the KV cache, in one arena (so that one read pass over the arena reads the very bytes a token
// streams), each stage's variant prepared once, and the calls of one token bound to their buffers
// in order. Nothing is allocated, copied or rotated per token: the weights are cold because they
// are many times the last-level cache, as in the engine.
//
// The new token sits at position context − 1: RoPE turns its q and k by that position, its k and v
// are written into the cache there, and it attends to all `context` positions (those before it are
// filled from the seed, as a prompt would have left them).
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "harness/decode/model.hpp"
#include "harness/decode/plan.hpp"
#include "harness/platform/pool.hpp"

namespace cromwell::decode {

// The matrices of a layer, in the order of the arena.
enum class Matrix { qkv, out, gate_up, down };

class Step {
 public:
  Step(const ModelDims& m, WeightFormat f, const std::vector<Stage>& stages, const Plan& plan, Pool& pool,
       std::uint64_t seed = 42);
  ~Step();
  Step(const Step&) = delete;
  Step& operator=(const Step&) = delete;

  // One token. With `stage_ns` (one entry per stage), adds each stage's time to its entry.
  void token(std::vector<double>* stage_ns = nullptr);
  // A pass of the prepared read variant (read.avx2, streams 4, or the best this CPU runs) over the
  // whole arena: the bytes a token streams.
  void read_arena();
  std::size_t arena_bytes() const;
  std::string read_variant() const;

  // What the token computed: the logits, the residual stream after the last layer.
  std::span<const float> logits() const;
  std::span<const float> hidden() const;

  // For the reference (reference.hpp): the inputs as the step holds them, weights decoded to fp32.
  std::vector<float> weights(std::int64_t layer, Matrix which) const;  // row-major n × k
  std::vector<float> lm_head() const;
  std::span<const float> attn_norm(std::int64_t layer) const;
  std::span<const float> mlp_norm(std::int64_t layer) const;
  std::span<const float> final_norm() const;
  std::span<const float> embedding() const;  // the token's input hidden state
  // The cache of `layer` ([context][kv_heads][head_dim]); position context − 1 is the token's.
  std::span<const float> k_cache(std::int64_t layer) const;
  std::span<const float> v_cache(std::int64_t layer) const;

  // The arena's size for these dimensions (the memory check runs before a Step is made).
  static std::size_t arena_bytes_for(const ModelDims& m, WeightFormat f);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cromwell::decode
