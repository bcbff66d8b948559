#include "harness/decode/bound.hpp"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>

namespace cromwell::decode {

std::string arithmetic_of(const Choice& c) {
  const std::string& v = c.variant->name;
  if (v == "avx512_bf16") return "bf16_avx512";
  if (v == "avx2_int8") return "int8_avx2";
  if (v == "avx_vnni") return "int8_avx_vnni";
  if (v == "avx512_vnni") return "int8_avx512_vnni";
  if (v.rfind("avx512", 0) == 0) return "avx512";
  if (v.rfind("avx2", 0) == 0) return "avx2";
  return "baseline";
}

Bound bound_of(const std::vector<Stage>& stages, const Plan& plan, const Ceilings& c) {
  Bound b;
  const Totals t = totals(stages);
  b.streamed_bytes = t.streamed();
  b.flops = t.flops;
  if (!(c.bandwidth_gbps > 0)) throw std::invalid_argument("decode bound: no bandwidth");
  b.memory_ns = b.streamed_bytes / c.bandwidth_gbps;
  for (std::size_t i = 0; i < stages.size(); ++i) {
    const std::string kind = arithmetic_of(plan.choices.at(i));
    const auto it = c.peak_gops.find(kind);
    if (it == c.peak_gops.end() || !(it->second > 0))
      throw std::invalid_argument(fmt::format("decode bound: no peak for {} (stage {})", kind, stages[i].name));
    b.stage_compute_ns.push_back(stages[i].work.flops * double(stages[i].calls) / it->second);
    b.stage_memory_ns.push_back((stages[i].weight_bytes + stages[i].kv_bytes) * double(stages[i].calls) /
                                c.bandwidth_gbps);
    b.compute_ns += b.stage_compute_ns.back();
    b.staged_ns += std::max(b.stage_compute_ns.back(), b.stage_memory_ns.back());
  }
  b.binds = b.memory_ns >= b.compute_ns ? "memory" : "compute";
  return b;
}

std::vector<Projection> project(const ModelDims& m, double gbps, double peak_gops) {
  std::vector<Projection> out;
  for (WeightFormat f : weight_formats()) {
    const Totals t = totals(stages(m, f));
    Projection p{f, t.streamed(), t.flops, t.streamed() / gbps / 1e6, t.flops / peak_gops / 1e6, 0};
    p.tokens_per_s = 1e3 / std::max(p.memory_ms, p.compute_ms);
    out.push_back(p);
  }
  return out;
}

}  // namespace cromwell::decode
