#include "harness/run/runner.hpp"

#include <algorithm>
#include <map>

#include <fmt/format.h>

namespace cromwell {

RunSummary run_plan(const Plan& plan, const Measurer& m, const std::vector<Sink*>& sinks, bool time) {
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
    for (const Axes& a : plan.calibrations) emit(m.calibrate(a));
  for (const auto& pc : plan.configs) {
    if (pc.status != Status::measured) {
      Record r;
      r.config = pc.config;
      r.status = pc.status;
      r.reason = pc.reason;
      emit(r);
      continue;
    }
    emit(m.measure(pc.config, *pc.variant, time));
  }
  for (Sink* k : sinks) k->finish();
  return s;
}

std::string RunSummary::counts() const {
  return fmt::format("{} rows: {} measured, {} rejected, {} pruned, {} unsupported, {} failed, {} errors", total,
                     measured, rejected, pruned, unsupported, failed, errors);
}

}  // namespace cromwell
