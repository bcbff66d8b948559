#include "harness/roofline/bound.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace cromwell {
namespace {

// The best bandwidth of any operation at `level` and `threads` for `isa`: the ISA's own probes,
// else AVX2's (a baseline variant's loads are narrower, but the level's bandwidth is the ceiling),
// else whatever the profile has (a profile written by hand).
std::optional<double> bandwidth_at(const MachineProfile& p, const std::string& isa, const std::string& level,
                                   int threads) {
  auto it = p.bandwidth.find(isa);
  if (it == p.bandwidth.end()) it = p.bandwidth.find("avx2");
  if (it == p.bandwidth.end()) it = p.bandwidth.begin();
  if (it == p.bandwidth.end()) return std::nullopt;
  std::optional<double> best;
  for (const auto& [op, levels] : it->second)
    if (const auto l = levels.find(level); l != levels.end())
      if (const auto v = at_threads(l->second, threads)) best = std::max(best.value_or(0), *v);
  return best;
}

std::optional<double> peak_at(const MachineProfile& p, const std::string& isa, int threads) {
  const auto it = p.peaks.find(isa);
  return it == p.peaks.end() ? std::nullopt : at_threads(it->second, threads);
}

struct Bound {
  double ceiling = 0, fraction = 0;
  std::string what;
};

// The bound of a row at one (ISA, threads, level); empty with the reason when a ceiling is missing.
std::optional<Bound> bound_at(const MachineProfile& p, const RowFacts& r, const std::string& isa, int threads,
                              const std::string& level, std::string& why) {
  const auto bw = bandwidth_at(p, isa, level, threads);
  if (r.gflops > 0) {
    const auto peak = peak_at(p, isa, threads);
    if (!peak) {
      why = fmt::format("unavailable: the machine profile has no {} peak", isa);
      return std::nullopt;
    }
    if (!bw || r.gbps <= 0) return Bound{*peak, r.gflops / *peak, "compute"};
    const double memory = r.gflops / r.gbps * *bw;  // intensity × bandwidth
    return memory < *peak ? Bound{memory, r.gflops / memory, level} : Bound{*peak, r.gflops / *peak, "compute"};
  }
  if (r.gbps <= 0) {
    why = "unavailable: the row has neither flops nor bytes";
    return std::nullopt;
  }
  if (!bw) {
    why = fmt::format("unavailable: the machine profile has no {} bandwidth", level);
    return std::nullopt;
  }
  return Bound{*bw, r.gbps / *bw, level};
}

}  // namespace

std::string peak_isa(const std::vector<std::string>& features) {
  const auto has = [&](const char* f) { return std::find(features.begin(), features.end(), f) != features.end(); };
  if (has("avx512f")) return "avx512";
  if (has("avx2") || has("fma")) return "avx2";
  return "baseline";
}

std::string level_of(const CacheSizes& caches, double bytes, int threads) {
  const std::int64_t sizes[3] = {caches.l1d, caches.l2, caches.l3};
  for (std::size_t i = 0; i < 3; ++i) {
    const double capacity = double(sizes[i]) * (i < 2 ? std::max(threads, 1) : 1);
    if (bytes <= capacity) return memory_levels()[i];
  }
  return "DRAM";
}

std::optional<double> at_threads(const std::map<int, Ceiling>& m, int threads) {
  if (m.empty()) return std::nullopt;
  if (const auto it = m.find(threads); it != m.end()) return it->second.best;
  const auto above = m.lower_bound(threads);
  if (above == m.end()) return std::prev(above)->second.best;
  if (above == m.begin()) return above->second.best * threads / above->first;  // below the fewest measured
  const auto below = std::prev(above);
  const double f = double(threads - below->first) / (above->first - below->first);
  return below->second.best + f * (above->second.best - below->second.best);
}

RowBound roofline_bound(const MachineProfile& p, const CacheSizes& caches, const RowFacts& r) {
  RowBound out;
  const std::string level = r.cold ? "DRAM" : level_of(caches, r.working_set, r.threads);
  std::string why;
  const auto own = bound_at(p, r, peak_isa(r.isa), r.threads, level, why);
  if (!own) {
    out.bound = why;
    return out;
  }
  out.pct_peak = own->fraction;
  out.ceiling = own->ceiling;
  out.bound = own->what;
  if (own->fraction > kStaleAbove) out.bound += " (profile stale)";
  // The machine's best: the widest ISA it has, every thread, the level at that thread count.
  std::string widest = "baseline";
  for (const auto& isa : peak_isas())
    if (p.peaks.count(isa)) widest = isa;
  const int all = std::max(p.threads_all, r.threads);
  const std::string all_level = r.cold ? "DRAM" : level_of(caches, r.working_set, all);
  std::string ignored;
  if (const auto best = bound_at(p, r, widest, all, all_level, ignored)) out.pct_machine = best->fraction;
  return out;
}

void place_on_roofline(Record& r, const Work& w, const std::vector<std::string>& isa) {
  if (r.status != Status::measured || !r.time_ns) return;
  const auto& p = machine_profile();
  if (!p) {
    r.bound = "unavailable: " + machine_profile_problem();
    return;
  }
  const RowBound b = roofline_bound(
      *p, machine_caches(),
      {r.gflops.value_or(0), r.gbps.value_or(0), w.bytes, r.config.axes.threads, isa, r.config.axes.cache == "cold"});
  r.pct_peak = b.pct_peak;
  r.pct_machine = b.pct_machine;
  r.bound = b.bound;
}

}  // namespace cromwell
