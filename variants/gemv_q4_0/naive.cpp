// gemv_q4_0.naive — dequantise and multiply, scalar (variants/weights_naive.hpp).
#include "variants/weights_naive.hpp"

namespace cromwell {
namespace {

const bool registered = register_variant<GemvQ4_0Kernel>({
    .name = "naive",
    .summary = "dequantise 32 weights at a time, scalar dot product per row",
    .space = {},
    .prepare = weights_naive::prepare<GemvQ4_0Kernel>,
});

}  // namespace
}  // namespace cromwell
