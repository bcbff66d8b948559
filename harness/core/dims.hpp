#pragma once
// Dims: a kernel's shape as ordered name → size pairs, the form shapes take on the command line
// (`m:1024,n:1024,k:1024`), in keys and in CSV columns.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cromwell {

struct Dims {
  std::vector<std::pair<std::string, std::int64_t>> items;

  std::int64_t at(std::string_view name) const;  // throws if absent
  const std::int64_t* find(std::string_view name) const;
  void set(std::string_view name, std::int64_t value);
  bool operator==(const Dims&) const = default;
  std::string str() const;  // "m:1024,n:1024,k:1024"
};

// Parses "m:1024,n:1024,k:1024" (sizes ≥ 1). Throws std::invalid_argument naming the bad part.
Dims parse_dims(std::string_view text);

// One dimension of a kernel's Shape, declared once by the kernel (harness/core/kernel.hpp):
//   static constexpr std::array dims{Dim<Shape>{"m", &Shape::m, 512}, Dim<Shape>{"n", &Shape::n, 512}};
// `name` is how shapes, keys and CSV columns spell it, `member` the Shape field it sets and
// `default_size` the size a shape that does not give it takes. The declaration order is the
// order of the dims in keys and columns.
template <class Shape>
struct Dim {
  std::string_view name;
  std::int64_t Shape::*member;
  std::int64_t default_size;
};

// Checks `d` against the dimension names of `kernel`: every dim of `d` must be one of `names` and
// every size ≥ 1. Throws std::invalid_argument: "gemm has no dimension 'x' (dims: m, n, k)",
// "gemm: m = 0 must be ≥ 1". (Shapes are built from Dims by shape_from_dims in kernel.hpp.)
void check_dims(std::string_view kernel, std::span<const std::string_view> names, const Dims& d);

}  // namespace cromwell
