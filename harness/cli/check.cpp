// cromwell check: every selected config against its reference, on the kernels' awkward shapes
// unless shapes are given; no timing, so configs are checked on every CPU at once.
#include <memory>
#include <set>

#include <fmt/format.h>

#include "harness/cli/command.hpp"
#include "harness/cli/options.hpp"
#include "harness/platform/machine.hpp"
#include "harness/run/check_plan.hpp"

namespace cromwell::cli {
namespace {

struct CheckOptions {
  SelectionOptions selection;
  AxesOptions axes;
  InputOptions inputs;
};

int check(const CheckOptions& o) {
  set_cache_override(o.selection.caches);
  SweepRequest req;
  o.selection.fill(req);
  o.axes.fill(req, /*given_only=*/false);
  req.check_shapes = req.shapes.empty();
  req.no_prune = true;  // heuristics decide what is worth timing, not what is worth checking
  const Plan plan = expand(req);
  MeasureOptions mo;
  o.inputs.fill(mo);
  mo.caches = o.selection.caches;
  mo.counters.backend = "none";
  const Measurer m(mo);
  struct Failures final : Sink {
    void write(const Record& r) override {
      if (r.status == Status::failed || r.status == Status::error)
        fmt::print(stderr, "{} {}: {}\n", to_string(r.status), r.config.key(), r.reason);
    }
  } failures;
  // Every CPU this process may use: configs are independent when nothing is timed (check_plan.hpp).
  const RunSummary s = check_plan(plan, m, {&failures}, available_cpus());
  std::set<std::string> ids;
  for (const auto& pc : plan.configs) ids.insert(pc.config.id());
  fmt::print(
      "checked {} configs of {} variant(s): {} correct, {} failed, {} errors, {} unsupported, {} rejected, {} pruned\n",
      s.total, ids.size(), s.measured, s.failed, s.errors, s.unsupported, s.rejected, s.pruned);
  return s.failed || s.errors ? kExitWrong : 0;
}

}  // namespace

Command check_command() {
  return {"check", "check selected configs against their references (no timing)", [](CLI::App& app) -> Action {
            auto o = std::make_shared<CheckOptions>();
            o->selection.add(app);
            o->axes.add(app);
            o->inputs.add(app);
            return [o](const Invocation&) { return check(*o); };
          }};
}

}  // namespace cromwell::cli
