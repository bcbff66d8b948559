#pragma once
// The Kernel concept: WHAT to compute. One struct per kernel in kernels/<name>.hpp with
//   name, summary, Shape, Workspace, Reference,
//   dims                   -- the shape's dimensions, declared once: a constexpr array of
//                             Dim<Shape>{name, &Shape::member, default size} (harness/core/dims.hpp),
//                             from which the harness derives the dim names, Shape from Dims
//                             (shape_from_dims) and Dims from Shape (dims_of);
//   default_shapes, check_shapes, make_workspace(shape, seed, alloc),
//   reference(shape, ws)   -- the obviously correct computation, double precision, never timed,
//                             cached by the harness per (kernel, shape, seed);
//   check(shape, ws, ref)  -- compares the output in ws with the reference, tolerance in the header,
//                             and names the first element it rejects as element_name does; where
//                             tolerance() is not `projected`, it accepts an output exactly when
//                             tolerance(shape, ws, ref, i).accepts(output(ws)[i]) for every i;
//   output(ws)             -- std::span<float>: the elements check() compares, in the workspace's
//                             layout (mutable: tests corrupt them to show the check catches it);
//   tolerance(shape, ws, ref, i) -> Tolerance
//                          -- the expected value of output element i and the error check() allows
//                             there: the one source of the bound, which check() calls too. It takes
//                             the workspace for kernels whose bound depends on the inputs (silu,
//                             gelu) or whose element order depends on the workspace's layout
//                             (attn_scores); i indexes output(ws);
//   element_name(shape, ws, i) -> std::string
//                          -- how check() names output element i in a failure ("C[3,5]", "sum");
//   model(shape) -> Work   -- flops and compulsory bytes per call;
//   bytes(ws)              -- the workspace footprint (cold-cache rotation sizes copies with it);
// and optionally validate(shape) -> std::string
//                          -- rules across dimensions ("heads must be a multiple of kv_heads"): the
//                             empty string, or the reason, which shape_from_dims throws prefixed
//                             with the kernel's name;
// and optionally llm_shapes() -- the engine's shapes (--shapes llm; the kernel's defaults if absent),
// and optionally make_workspace(shape, seed, alloc, const ParamValues&) -- used instead of the
//                             three-argument one when present, for a workspace that depends on the
//                             config (a data layout chosen by a param, as attn_scores's `layout`).
//                             The reference stays cached per (kernel, shape, seed), so such a kernel
//                             must generate the same logical data, and compute the same reference,
//                             for every config.
#include <cmath>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <ranges>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "harness/core/dims.hpp"
#include "harness/core/work.hpp"
#include "harness/platform/buffer.hpp"

namespace cromwell {

// What check() allows in one output element. It accepts `got` when got == expected (so an
// infinity matches itself) or |got − expected| ≤ bound; a NaN expected value matches only a NaN,
// and a NaN never matches a number. bound 0: exactly the expected value.
// `projected`: check() does not compare this element alone but a random projection of several
// (GEMM above its threshold compares the rows of C·t). `bound` is then the error in this element
// alone that moves its projection by the projection's whole tolerance: an error several times
// larger fails, but accepts() does not predict the check near the bound.
struct Tolerance {
  double expected = 0;
  double bound = 0;
  bool projected = false;

  bool accepts(double got) const {
    if (std::isnan(expected)) return std::isnan(got);
    return got == expected || std::abs(got - expected) <= bound;
  }
};

// A kernel's `dims`: an array (or other random-access range) of Dim<Shape>.
template <class T, class Shape>
concept DimList = std::ranges::random_access_range<T> && std::same_as<std::ranges::range_value_t<T>, Dim<Shape>>;

template <class K>
concept Kernel = requires(const typename K::Shape& s, typename K::Workspace& ws, const typename K::Workspace& cws,
                          const typename K::Reference& ref, const Alloc& alloc, std::uint64_t seed, std::size_t i) {
  { K::name } -> std::convertible_to<std::string_view>;
  { K::summary } -> std::convertible_to<std::string_view>;
  { K::dims } -> DimList<typename K::Shape>;
  { K::default_shapes() } -> std::same_as<std::vector<typename K::Shape>>;
  { K::check_shapes() } -> std::same_as<std::vector<typename K::Shape>>;
  { K::make_workspace(s, seed, alloc) } -> std::same_as<typename K::Workspace>;
  { K::reference(s, ws) } -> std::same_as<typename K::Reference>;
  { K::check(s, ws, ref) } -> std::same_as<Check>;
  { K::output(ws) } -> std::same_as<std::span<float>>;
  { K::tolerance(s, cws, ref, i) } -> std::same_as<Tolerance>;
  { K::element_name(s, cws, i) } -> std::same_as<std::string>;
  { K::model(s) } -> std::same_as<Work>;
  { K::bytes(ws) } -> std::same_as<std::size_t>;
};

// The dimension names of K, in declaration order.
template <Kernel K>
std::vector<std::string_view> dim_names() {
  std::vector<std::string_view> out;
  for (const auto& d : K::dims) out.push_back(d.name);
  return out;
}

// The Shape that `d` describes: dims it does not give take their declared defaults. Throws
// std::invalid_argument for a dim K does not have, a size < 1 (check_dims) and a shape that
// K::validate refuses ("attn_scores: heads 6 is not a multiple of kv_heads 4 ...").
template <Kernel K>
typename K::Shape shape_from_dims(const Dims& d) {
  check_dims(K::name, dim_names<K>(), d);
  typename K::Shape s{};
  for (const auto& dim : K::dims) {
    const std::int64_t* v = d.find(dim.name);
    s.*dim.member = v ? *v : dim.default_size;
  }
  if constexpr (requires {
                  { K::validate(s) } -> std::convertible_to<std::string>;
                })
    if (const std::string why = K::validate(s); !why.empty())
      throw std::invalid_argument(std::string(K::name) + ": " + why);
  return s;
}

// `s` as Dims, every dimension in declaration order.
template <Kernel K>
Dims dims_of(const typename K::Shape& s) {
  Dims d;
  for (const auto& dim : K::dims) d.items.emplace_back(std::string(dim.name), s.*dim.member);
  return d;
}

}  // namespace cromwell
