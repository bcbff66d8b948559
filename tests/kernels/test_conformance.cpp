// Conformance: walks the registry, so every variant — including ones added later — is checked
// against its kernel's reference on the kernel's awkward shapes (1, primes, sizes that are
// multiples of no tile or vector width), with its default and corner configurations, at
// threads 1, 2 and 3 and buffers aligned (0) and misaligned (4 bytes).
#include <fmt/format.h>
#include <algorithm>
#include <catch2/catch.hpp>

#include "harness/core/registry.hpp"
#include "harness/platform/machine.hpp"
#include "harness/run/measure.hpp"

using namespace cromwell;

namespace {

// The default config, then each param moved alone to its smallest and largest sweep value and
// to the smallest valid value; configs a validity constraint rejects are dropped.
std::vector<ParamValues> corner_configs(const VariantEntry& v, const Dims& shape) {
  std::vector<ParamValues> out{v.space.defaults()};
  for (std::size_t i = 0; i < v.space.params.size(); ++i) {
    const Param& p = v.space.params[i];
    std::vector<std::string> values;
    if (p.is_integer()) {
      std::vector<std::int64_t> sweep;
      for (const auto& s : p.sweep) sweep.push_back(std::stoll(s));
      values = {std::to_string(*std::min_element(sweep.begin(), sweep.end())),
                std::to_string(*std::max_element(sweep.begin(), sweep.end())), std::to_string(p.lo)};
    } else {
      values = p.choices;
    }
    for (const auto& value : values) {
      ParamValues pv = v.space.defaults();
      pv.items[i].second = value;
      if (std::find_if(out.begin(), out.end(), [&](auto& o) { return o.items == pv.items; }) != out.end()) continue;
      if (!v.space.violation(pv, shape, machine_caches(), Constraint::Kind::validity).empty()) continue;
      out.push_back(pv);
    }
  }
  return out;
}

}  // namespace

TEST_CASE("every registered variant matches its reference on awkward shapes") {
  const Registry& reg = Registry::get();
  REQUIRE(!reg.variants().empty());
  MeasureOptions opt;
  opt.counters.backend = "none";
  const Measurer m(opt);
  int checked = 0;
  for (const auto& v : reg.variants()) {
    const KernelEntry& k = *reg.kernel(v.kernel);
    for (const auto& shape : k.check_shapes)
      for (const auto& params : corner_configs(v, shape))
        for (int threads : {1, 2, 3})
          for (std::int64_t align : {0, 4}) {
            const Config c{v.kernel, v.name, shape, params, Axes{threads, "none", "hot", align}};
            // Peers that need another process environment are covered once, below.
            if (v.child_env && v.child_env(params)) continue;
            const Record r = m.measure(c, v, /*time=*/false);
            INFO(c.key() << " -> " << to_string(r.status) << ": " << r.reason);
            if (r.status == Status::unsupported) continue;
            CHECK(r.status == Status::measured);
            ++checked;
          }
  }
  CHECK(checked > 100);
}

TEST_CASE("a variant that needs its own environment is checked in a child process") {
  const Registry& reg = Registry::get();
  for (const auto& v : reg.variants()) {
    if (!v.child_env) continue;
    for (const auto& p : v.space.params)
      for (const auto& choice : p.choices) {
        ParamValues pv = v.space.defaults();
        for (auto& item : pv.items)
          if (item.first == p.name) item.second = choice;
        if (!v.child_env(pv)) continue;
        const Config c{v.kernel, v.name, reg.kernel(v.kernel)->check_shapes.back(), pv, Axes{}};
        MeasureOptions opt;
        opt.timing.repetitions = 2;
        opt.timing.min_time = 0.001;
        opt.counters.backend = "sw";
        const Record r = Measurer(opt).measure(c, v, /*time=*/true);
        INFO(c.key() << " -> " << to_string(r.status) << ": " << r.reason);
        // The child ran the config with the options it was given, and its core is the one asked for.
        REQUIRE(r.status == Status::measured);
        CHECK(r.samples_ns.size() == 2);
        CHECK(r.counters_source.rfind("sw", 0) == 0);
        CHECK_THAT(r.note, Catch::Contains("core " + choice, Catch::CaseSensitive::No));
        return;  // one child config is enough to exercise the path
      }
  }
}
