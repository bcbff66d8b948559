// The checker is tested: a wrong answer must come back as a failed check that names the bad
// element. Walks the registry like the conformance test, so a kernel added later is covered
// unasked: for every kernel, one variant that runs here (its naive one where it has it) with its
// default params (and each choice of a choice param, such as attn_scores's layout), one thread,
// at the kernel's check shapes, it takes the output of a correct run and requires that
//   - one element set just outside its tolerance (expected ± bound·(1 + ε), or the next float for
//     an exact element) fails, and the message names that element;
//   - one element set to NaN fails, naming it;
//   - one element set just inside its tolerance (expected ± bound·(1 − ε)) passes;
//   - an output the variant never wrote (NaN or garbage by design) fails.
// GEMM above its projection threshold checks the rows of C·t: an error of 10× its bound in one
// element, or a NaN, fails naming the row.
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "harness/core/registry.hpp"
#include "harness/platform/isa.hpp"
#include "harness/platform/machine.hpp"
#include "harness/platform/pool.hpp"

using namespace cromwell;

namespace {

constexpr double kEps = 0x1p-10;
constexpr float kInf = std::numeric_limits<float>::infinity();

// The variant a kernel's checker is tested with: its naive one, else the first that this CPU
// runs in this process; null when there is none.
const VariantEntry* variant_for(const Registry& reg, const std::string& kernel) {
  const VariantEntry* first = nullptr;
  for (const auto& v : reg.variants()) {
    if (v.kernel != kernel || !missing_isa(v.isa).empty()) continue;
    if (v.child_env && v.child_env(v.space.defaults())) continue;
    if (v.name == "naive") return &v;
    if (!first) first = &v;
  }
  return first;
}

// The default params, then each choice of each choice param with the others at their defaults
// (attn_scores's layout changes the workspace, and with it the order of the output).
std::vector<ParamValues> configs_for(const VariantEntry& v, const Dims& shape) {
  std::vector<ParamValues> out{v.space.defaults()};
  for (std::size_t i = 0; i < v.space.params.size(); ++i)
    for (const auto& choice : v.space.params[i].choices) {
      ParamValues pv = v.space.defaults();
      if (pv.items[i].second == choice) continue;
      pv.items[i].second = choice;
      if (v.space.violation(pv, shape, machine_caches(), Constraint::Kind::validity).empty()) out.push_back(pv);
    }
  return out;
}

Pool& one_thread() {
  static Pool pool(1, {});
  return pool;
}

std::unique_ptr<Instance> instance(const VariantEntry& v, const Dims& shape, const ParamValues& params) {
  return v.instantiate(shape, params, one_thread(), InstanceOptions{});
}

double error_of(float got, const Tolerance& t) { return std::abs(double(got) - t.expected); }

// A float on side `sign` of the expected value, just farther from it than the bound allows: the
// next float for an exact element (back toward the finite range from an infinity), else
// expected ± bound·(1 + ε) rounded to float and moved outward while rounding left it within.
float just_outside(const Tolerance& t, int sign) {
  const float away = sign > 0 ? kInf : -kInf;
  float f;
  if (t.bound == 0) {
    f = std::nextafter(float(t.expected), away);
    if (double(f) == t.expected) f = std::nextafter(float(t.expected), -away);
  } else {
    f = float(t.expected + sign * t.bound * (1 + kEps));
    for (int step = 0; step < 64 && error_of(f, t) <= t.bound; ++step) f = std::nextafter(f, away);
  }
  return f;
}

// expected ± bound·(1 − ε) rounded to float, moved toward the expected value while rounding left
// it outside (bound > 0): the float farthest from the expected value on that side that the bound
// still allows.
float just_inside(const Tolerance& t, int sign) {
  const float toward = sign > 0 ? -kInf : kInf;
  float f = float(t.expected + sign * t.bound * (1 - kEps));
  for (int step = 0; step < 64 && !(error_of(f, t) <= t.bound); ++step) f = std::nextafter(f, toward);
  return f;
}

// The check names element `name` first: its message starts with it ("C[3,5] = ...").
void require_names(const Check& ck, const std::string& name) {
  INFO("check: " << (ck.ok ? "passed" : ck.detail));
  CHECK(!ck.ok);
  CHECK_THAT(ck.detail, Catch::StartsWith(name + " "));
}

// Corrupts element i of a correct output in every way and restores it after each.
void corrupt_element(Instance& inst, std::size_t i) {
  const std::span<float> out = inst.output();
  const float good = out[i];
  const Tolerance t = inst.tolerance(i);
  const std::string name = inst.element_name(i);
  INFO("element " << i << " = " << name << ": got " << good << ", expected " << t.expected << ", bound " << t.bound);
  REQUIRE(!t.projected);  // check shapes are below any projection threshold
  REQUIRE(t.bound >= 0);
  REQUIRE(t.accepts(good));  // the correct run's element lies within its stated tolerance
  REQUIRE(!std::isnan(t.expected));
  for (int sign : {1, -1}) {
    out[i] = just_outside(t, sign);
    INFO("set to " << out[i] << " (" << (sign > 0 ? "above" : "below") << ")");
    REQUIRE(error_of(out[i], t) > t.bound);
    CHECK(!t.accepts(out[i]));
    require_names(inst.check_output(), name);
    if (t.bound > 0) {
      out[i] = just_inside(t, sign);
      REQUIRE(error_of(out[i], t) <= t.bound);
      const Check ck = inst.check_output();
      INFO("check: " << ck.detail);
      CHECK(ck.ok);
    }
    out[i] = good;
  }
  out[i] = std::numeric_limits<float>::quiet_NaN();
  require_names(inst.check_output(), name);
  out[i] = good;
}

}  // namespace

TEST_CASE("the checker reports a wrong element, a NaN and an unwritten output as failed, naming the element") {
  const Registry& reg = Registry::get();
  REQUIRE(!reg.kernels().empty());
  std::size_t kernels_checked = 0;
  for (const auto& k : reg.kernels()) {
    const VariantEntry* v = variant_for(reg, k.name);
    if (!v) {
      WARN("no variant of " << k.name << " runs on this CPU: its checker is not tested");
      continue;
    }
    ++kernels_checked;
    for (const auto& shape : k.check_shapes)
      for (const auto& params : configs_for(*v, shape)) {
        std::string config = v->id() + " " + shape.str();
        for (const auto& [name, value] : params.items) config += " " + name + ":" + value;
        INFO(config);
        const auto inst = instance(*v, shape, params);
        const Check first = inst->check();
        INFO("correct run: " << first.detail);
        REQUIRE(first.ok);
        const std::size_t n = inst->output().size();
        REQUIRE(n > 0);
        // The first, middle and last element; the names differ, so a message that names the wrong
        // element (or none in particular) cannot pass.
        const std::set<std::size_t> picks{n / 2, 0, n - 1};
        std::set<std::string> names;
        for (std::size_t i : picks) names.insert(inst->element_name(i));
        CHECK(names.size() == picks.size());
        for (std::size_t i : picks) corrupt_element(*inst, i);
        CHECK(inst->check_output().ok);  // restored

        const auto fresh = instance(*v, shape, params);
        CHECK(!fresh->check_output().ok);  // the variant never ran
      }
  }
  std::size_t runnable = 0;
  for (const auto& k : reg.kernels()) runnable += variant_for(reg, k.name) != nullptr;
  CHECK(kernels_checked == runnable);
  CHECK(kernels_checked >= 9);  // the built-in kernels all have a baseline variant
}

TEST_CASE("the randomized GEMM check reports an element 10x beyond its row's tolerance, and a NaN, naming the row") {
  const Registry& reg = Registry::get();
  const VariantEntry* v = variant_for(reg, "gemm");
  REQUIRE(v);
  // m·n·k just above 2²⁷ with small m: n·k = 2.1 M floats of B, one naive pass in well under a second.
  const Dims shape = parse_dims("m:64,n:1031,k:2039");
  REQUIRE(64.0 * 1031 * 2039 > 0x1p27);
  const auto inst = instance(*v, shape, v->space.defaults());
  const Check first = inst->check();
  INFO("correct run: " << first.detail);
  REQUIRE(first.ok);
  const std::span<float> out = inst->output();
  REQUIRE(out.size() == 64u * 1031u);
  for (const std::size_t row : {std::size_t{0}, std::size_t{37}, std::size_t{63}}) {
    const std::size_t i = row * 1031 + 517;
    const float good = out[i];
    const Tolerance t = inst->tolerance(i);
    const std::string name = inst->element_name(i);
    INFO("C[" << row << ",517] = " << good << ", expected " << t.expected << ", bound " << t.bound << ", " << name);
    CHECK(t.projected);
    CHECK(name == "row " + std::to_string(row) + " of C·t");
    CHECK(inst->element_name(i + 1) == name);  // the projection names rows, not elements
    CHECK(error_of(good, t) <= t.bound);
    for (int sign : {1, -1}) {
      // bound is the row's tolerance / |t[517]|: this moves the row of C·t by 10× its tolerance.
      out[i] = float(t.expected + sign * 10 * t.bound);
      require_names(inst->check_output(), name);
      // Half the bound moves the row by half its tolerance: the rounding errors of a correct run
      // are far below the rigorous bound, so this passes.
      out[i] = float(t.expected + sign * t.bound / 2);
      const Check ck = inst->check_output();
      INFO("half the bound: " << ck.detail);
      CHECK(ck.ok);
    }
    out[i] = std::numeric_limits<float>::quiet_NaN();
    require_names(inst->check_output(), name);
    out[i] = good;
  }
  CHECK(inst->check_output().ok);
  CHECK(!instance(*v, shape, v->space.defaults())->check_output().ok);  // never ran
}

TEST_CASE("Instance::tolerance and element_name refuse an element beyond the output") {
  const Registry& reg = Registry::get();
  const VariantEntry* v = variant_for(reg, "copy");
  REQUIRE(v);
  const auto inst = instance(*v, parse_dims("n:7"), v->space.defaults());
  CHECK(inst->output().size() == 7);
  CHECK_THROWS_AS(inst->tolerance(7), std::out_of_range);
  CHECK_THROWS_AS(inst->element_name(7), std::out_of_range);
}
