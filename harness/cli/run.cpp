// cromwell run KEY: one config, checked, warmed, then N calls outside any timing loop (for a
// debugger, a profiler or callgrind: the calls form one collected region).
#include <memory>

#include <fmt/format.h>

#include "harness/cli/command.hpp"
#include "harness/cli/options.hpp"
#include "harness/run/calls.hpp"

namespace cromwell::cli {
namespace {

struct RunOptions {
  std::string key;
  long calls = 1;
  bool skip_check = false;
  InputOptions inputs;
};

int run(const RunOptions& o) {
  const Config c = parse_key(o.key);
  Registry::get().validate(c);
  MeasureOptions mo;
  o.inputs.fill(mo);
  const CallsResult res = run_calls(c, *Registry::get().variant(c.id()), o.calls, !o.skip_check, mo);
  fmt::print(res.check.ok ? stdout : stderr, "{}\n", res.summary(o.key));
  return res.check.ok ? 0 : kExitWrong;
}

}  // namespace

Command run_command() {
  return {"run", "run one config (by key) N times without the timing loop", [](CLI::App& app) -> Action {
            auto o = std::make_shared<RunOptions>();
            app.add_option("key", o->key, "a config key as printed by sweep")->required();
            app.add_option("--calls", o->calls, "number of calls")->capture_default_str();
            app.add_flag("--skip-check", o->skip_check, "do not check the result first");
            o->inputs.add(app);
            return [o](const Invocation&) { return run(*o); };
          }};
}

}  // namespace cromwell::cli
