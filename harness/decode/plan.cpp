#include "harness/decode/plan.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <stdexcept>

#include <fmt/format.h>

#include "harness/platform/isa.hpp"
#include "harness/platform/machine.hpp"

namespace cromwell::decode {
namespace {

// The variants to try, fastest first, per kernel; the first one this CPU runs is the default.
const std::map<std::string, std::vector<std::string>>& preferences() {
  static const std::map<std::string, std::vector<std::string>> p{
      {"gemv", {"avx512", "avx2", "naive"}},
      {"gemv_bf16", {"avx512_bf16", "avx2", "naive"}},
      {"gemv_q8_0", {"avx512_vnni", "avx_vnni", "avx2_int8", "avx2", "naive"}},
      {"gemv_q4_0", {"avx512_vnni", "avx_vnni", "avx2_int8", "avx2", "naive"}},
      {"rmsnorm", {"avx2", "naive"}},
      {"rope", {"avx2", "naive"}},
      {"attn_scores", {"avx2", "naive"}},
      {"softmax", {"avx2", "naive"}},
      {"attn_values", {"avx2", "naive"}},
      {"add", {"avx2", "naive"}},
      {"swiglu", {"avx2", "naive"}},
  };
  return p;
}

bool runs_here(const VariantEntry& v) { return missing_isa(v.isa).empty(); }

// Attention in the layout the step keeps its buffers in.
void force_shd(ParamValues& p) {
  for (auto& [name, value] : p.items)
    if (name == "layout") value = "shd";
}

// A variant the step can run here: this CPU has its ISA, it threads through the step's pool (not a
// peer library with threads of its own), attention in layout shd, and its parameters valid at the shape.
bool usable(const VariantEntry& v, const ParamValues& p, const Dims& shape) {
  if (!runs_here(v) || !v.uses_pool) return false;
  if (const std::string* l = p.find("layout"); l != nullptr && *l != "shd") return false;
  return v.space.violation(p, shape, machine_caches(), Constraint::Kind::validity).empty();
}

Choice default_choice(const Stage& s) {
  const auto it = preferences().find(s.kernel);
  std::vector<std::string> names = it != preferences().end() ? it->second : std::vector<std::string>{"naive"};
  for (const auto& n : names) {
    const VariantEntry* v = Registry::get().variant(s.kernel + "." + n);
    if (v == nullptr) continue;
    ParamValues p = v->space.defaults();
    force_shd(p);
    if (usable(*v, p, s.shape)) return {v, p, "default"};
  }
  throw std::runtime_error(
      fmt::format("decode: no variant of {} runs on this CPU for stage {} ({})", s.kernel, s.name, s.shape.str()));
}

}  // namespace

std::string Choice::text() const {
  std::string t = variant->id();
  for (std::size_t i = 0; i < params.items.size(); ++i)
    t += (i ? "," : "/") + params.items[i].first + ":" + params.items[i].second;
  return t;
}

Plan default_plan(const std::vector<Stage>& stages) {
  Plan p;
  for (const Stage& s : stages) p.choices.push_back(default_choice(s));
  return p;
}

Plan plan_from(const std::vector<Stage>& stages, const ResultsFile& from, int threads) {
  Plan p;
  for (const Stage& s : stages) {
    // Rows ranked by how well they stand for the stage — the same shape first, then cold (the step's
    // weights are), then the same thread count — and within a rank the least time (the same shape)
    // or the most GB/s (another shape: times of other work do not compare).
    const Record* best = nullptr;
    int best_rank = 8;
    double best_score = 0;
    for (const Record& r : from.records) {
      if (r.status != Status::measured || r.config.kernel != s.kernel || !r.time_ns) continue;
      const VariantEntry* v = Registry::get().variant(r.config.id());
      if (v == nullptr || !usable(*v, r.config.params, s.shape)) continue;
      const bool same_shape = r.config.shape == s.shape;
      if (!same_shape && !r.gbps) continue;
      const int rank =
          (same_shape ? 0 : 4) + (r.config.axes.cache == "cold" ? 0 : 2) + (r.config.axes.threads == threads ? 0 : 1);
      const double score = same_shape ? -*r.time_ns : *r.gbps;
      if (rank < best_rank || (rank == best_rank && score > best_score)) {
        best = &r;
        best_rank = rank;
        best_score = score;
      }
    }
    if (best == nullptr) {
      Choice c = default_choice(s);
      const bool layout = c.params.find("layout") != nullptr;
      const std::string note = fmt::format("{} has no measured row of {} that runs here{}: the default {} runs",
                                           from.path, s.kernel, layout ? " in layout shd" : "", c.text());
      // One note per kernel, naming all its stages.
      auto it =
          std::find_if(p.notes.begin(), p.notes.end(), [&](const std::string& n) { return n.rfind(note, 0) == 0; });
      if (it == p.notes.end())
        p.notes.push_back(note + " " + s.name);
      else
        *it += ", " + s.name;
      p.choices.push_back(std::move(c));
      continue;
    }
    const std::string how = fmt::format("{}, {} cache, {} thread(s)", best_rank < 4 ? "this shape" : "another shape",
                                        best->config.axes.cache, best->config.axes.threads);
    p.choices.push_back(
        {Registry::get().variant(best->config.id()), best->config.params,
         fmt::format("{}: {} ({}, {})", from.path, best->config.key(), human_time(*best->time_ns), how)});
  }
  return p;
}

Plan plan_at(const Plan& p, const std::vector<Stage>& stages) {
  Plan out = default_plan(stages);
  for (std::size_t i = 0; i < stages.size(); ++i)
    if (usable(*p.choices.at(i).variant, p.choices[i].params, stages[i].shape)) out.choices[i] = p.choices[i];
  return out;
}

}  // namespace cromwell::decode
