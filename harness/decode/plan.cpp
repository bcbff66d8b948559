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

bool usable(const VariantEntry& v, const ParamValues& p, const Dims& shape) {
  if (!runs_here(v)) return false;
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
    // Ranks: 0 same shape and threads (least time), 1 same shape (least time), 2 any shape (most GB/s).
    const Record* best = nullptr;
    int best_rank = 3;
    double best_score = 0;
    for (const Record& r : from.records) {
      if (r.status != Status::measured || r.config.kernel != s.kernel || !r.time_ns) continue;
      const VariantEntry* v = Registry::get().variant(r.config.id());
      if (v == nullptr || !usable(*v, r.config.params, s.shape)) continue;
      const bool same_shape = r.config.shape == s.shape;
      const int rank = same_shape ? (r.config.axes.threads == threads ? 0 : 1) : 2;
      if (rank == 2 && !r.gbps) continue;
      const double score = rank < 2 ? -*r.time_ns : *r.gbps;
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
    static const char* const how[] = {"at this shape and thread count", "at this shape, other threads",
                                      "at another shape, most GB/s"};
    p.choices.push_back(
        {Registry::get().variant(best->config.id()), best->config.params,
         fmt::format("{}: {} ({}, {})", from.path, best->config.key(), human_time(*best->time_ns), how[best_rank])});
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
