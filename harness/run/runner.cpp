#include "harness/run/runner.hpp"

#include <algorithm>
#include <map>

#include <fmt/format.h>

namespace cromwell {

RunSummary run_plan(const Plan& plan, const MeasureOptions& opt, const std::vector<Sink*>& sinks, bool time) {
  RunSummary s;
  auto emit = [&](const Record& r) {
    for (Sink* k : sinks) k->write(r);
    ++s.total;
    switch (r.status) {
      case Status::measured:
        ++s.measured;
        if (time) s.records.push_back(r);
        break;
      case Status::rejected:
        ++s.rejected;
        break;
      case Status::pruned:
        ++s.pruned;
        break;
      case Status::unsupported:
        ++s.unsupported;
        break;
      case Status::failed:
        ++s.failed;
        break;
      case Status::error:
        ++s.errors;
        break;
    }
  };
  if (time)
    for (const Axes& a : plan.calibrations) emit(calibrate(a, opt));
  for (const auto& pc : plan.configs) {
    if (pc.status != Status::measured) {
      Record r;
      r.config = pc.config;
      r.status = pc.status;
      r.reason = pc.reason;
      emit(r);
      continue;
    }
    emit(measure(pc.config, *pc.variant, opt, time));
  }
  for (Sink* k : sinks) k->finish();
  return s;
}

namespace {
double score(const Record& r) {
  if (r.gflops) return *r.gflops;
  if (r.gbps) return *r.gbps;
  return r.time_ns ? -*r.time_ns : 0;
}
}  // namespace

void print_best(std::FILE* out, const RunSummary& s) {
  // Group by variant, shape and threads.
  std::map<std::string, const Record*> best;
  for (const auto& r : s.records) {
    if (r.config.kernel == "noop") continue;
    const std::string g = fmt::format("{}|{}|{}", r.config.id(), r.config.shape.str(), r.config.axes.threads);
    if (!best.count(g) || score(r) > score(*best[g])) best[g] = &r;
  }
  if (best.empty()) return;
  fmt::print(out, "\nBest configuration per variant, shape and thread count:\n");
  fmt::print(out, "  {:<22} {:<24} {:>3} {:>10} {:>9} {:>8}  {}\n", "variant", "shape", "thr", "time", "GFLOP/s",
             "×naive", "params");
  for (const auto& [g, r] : best) {
    const auto naive =
        best.find(fmt::format("{}.naive|{}|{}", r->config.kernel, r->config.shape.str(), r->config.axes.threads));
    std::string rel = "";
    if (naive != best.end() && naive->second->time_ns && r->time_ns)
      rel = fmt::format("{:.1f}", *naive->second->time_ns / *r->time_ns);
    std::string params;
    for (const auto& [n, v] : r->config.params.items) params += fmt::format("{}{}={}", params.empty() ? "" : " ", n, v);
    if (r->config.axes.pin != "none") params += fmt::format("{}pin={}", params.empty() ? "" : " ", r->config.axes.pin);
    const std::string ts = human_time(r->time_ns.value_or(0));
    fmt::print(out, "  {:<22} {:<24} {:>3} {:>10} {:>9} {:>8}  {}\n", r->config.id(), r->config.shape.str(),
               r->config.axes.threads, ts, r->gflops ? fmt::format("{:.1f}", *r->gflops) : "", rel, params);
  }
}

}  // namespace cromwell
