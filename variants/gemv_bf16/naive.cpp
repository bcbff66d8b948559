// gemv_bf16.naive — dequantise and multiply, scalar (variants/weights_naive.hpp).
#include "variants/weights_naive.hpp"

namespace cromwell {
namespace {

const bool registered = register_variant<GemvBf16Kernel>({
    .name = "naive",
    .summary = "dequantise 32 weights at a time, scalar dot product per row",
    .space = {},
    .prepare = weights_naive::prepare<GemvBf16Kernel>,
});

}  // namespace
}  // namespace cromwell
