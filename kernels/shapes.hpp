#pragma once
// Shapes shared by several kernels.
#include <cstdint>

namespace cromwell {

// A flat array of n elements (read, copy, silu, gelu).
struct StreamShape {
  std::int64_t n = 1;
};

// rows independent rows of n elements, row-major (rmsnorm, softmax).
struct RowsShape {
  std::int64_t rows = 1, n = 1;
};

}  // namespace cromwell
