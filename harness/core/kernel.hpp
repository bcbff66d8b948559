#pragma once
// The Kernel concept: WHAT to compute. One struct per kernel in kernels/<name>.hpp with
//   name, dims (shape dimension names), Shape, Workspace, Reference,
//   from_dims / to_dims, default_shapes, make_workspace(shape, seed, alloc),
//   reference(shape, ws)   -- the obviously correct computation, double precision, never timed,
//                             cached by the harness per (kernel, shape, seed);
//   check(shape, ws, ref)  -- compares the output in ws with the reference, tolerance in the header;
//   model(shape) -> Work   -- flops and compulsory bytes per call;
//   bytes(ws)              -- the workspace footprint (cold-cache rotation sizes copies with it);
// and optionally llm_shapes() -- the engine's shapes (--shapes llm; the kernel's defaults if absent),
// and optionally make_workspace(shape, seed, alloc, const ParamValues&) -- used instead of the
//                             three-argument one when present, for a workspace that depends on the
//                             config (a data layout chosen by a param, as attn_scores's `layout`).
//                             The reference stays cached per (kernel, shape, seed), so such a kernel
//                             must generate the same logical data, and compute the same reference,
//                             for every config.
#include <concepts>
#include <cstdint>
#include <string_view>
#include <vector>

#include "harness/core/dims.hpp"
#include "harness/core/work.hpp"
#include "harness/platform/buffer.hpp"

namespace cromwell {

template <class K>
concept Kernel = requires(const typename K::Shape& s, const Dims& d, typename K::Workspace& ws,
                          const typename K::Reference& ref, const Alloc& alloc, std::uint64_t seed) {
  { K::name } -> std::convertible_to<std::string_view>;
  { K::summary } -> std::convertible_to<std::string_view>;
  { K::dims() } -> std::same_as<std::vector<std::string_view>>;
  { K::from_dims(d) } -> std::same_as<typename K::Shape>;
  { K::to_dims(s) } -> std::same_as<Dims>;
  { K::default_shapes() } -> std::same_as<std::vector<typename K::Shape>>;
  { K::check_shapes() } -> std::same_as<std::vector<typename K::Shape>>;
  { K::make_workspace(s, seed, alloc) } -> std::same_as<typename K::Workspace>;
  { K::reference(s, ws) } -> std::same_as<typename K::Reference>;
  { K::check(s, ws, ref) } -> std::same_as<Check>;
  { K::model(s) } -> std::same_as<Work>;
  { K::bytes(ws) } -> std::same_as<std::size_t>;
};

}  // namespace cromwell
