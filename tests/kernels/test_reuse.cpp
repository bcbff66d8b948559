// Workspaces passed from one instance to the next (InstanceOptions::reuse): the next instance of
// the same data takes them, its first workspace's output is NaN again as a fresh one's, its check
// still passes, and two instances alive at once never share a workspace; once an instance of
// another kernel is made, the first kernel's are freed.
#include <cmath>

#include <catch2/catch.hpp>

#include "harness/core/registry.hpp"
#include "harness/platform/pool.hpp"

using namespace cromwell;

namespace {

std::unique_ptr<Instance> make(const std::string& id, const Dims& shape, bool cold) {
  const VariantEntry& v = *Registry::get().variant(id);
  InstanceOptions o;
  o.reuse = true;
  o.cold = cold;
  o.cold_bytes = 1 << 20;
  return v.instantiate(shape, v.space.defaults(), pool_for(1, "none"), o);
}

bool all_nan(std::span<float> y) {
  for (float v : y)
    if (!std::isnan(v)) return false;
  return true;
}

}  // namespace

TEST_CASE("an instance takes the workspaces an earlier one of the same data left, as good as fresh", "[reuse]") {
  clear_left_workspaces();
  const Dims shape{{{"n", 4099}}};
  {
    auto a = make("silu.naive", shape, /*cold=*/true);
    REQUIRE(a->copies() >= 2);
    CHECK(a->check().ok);
  }
  const std::size_t left = left_workspace_bytes();
  CHECK(left > 0);
  auto b = make("silu.avx2", shape, /*cold=*/true);  // another variant, the same data
  CHECK(left_workspace_bytes() < left);              // taken
  CHECK(all_nan(b->output()));                       // as make_workspace leaves it
  CHECK(b->check().ok);
  // Alive together: c cannot get b's workspaces (held), and nothing was left by b yet.
  auto c = make("silu.naive", shape, /*cold=*/false);
  CHECK(c->output().data() != b->output().data());
  CHECK(c->check().ok);
  // Another shape never takes them.
  clear_left_workspaces();
  {
    auto d = make("silu.naive", shape, /*cold=*/false);
    CHECK(d->check().ok);
  }
  CHECK(left_workspace_bytes() > 0);
  auto e = make("silu.naive", Dims{{{"n", 4100}}}, /*cold=*/false);
  CHECK(left_workspace_bytes() > 0);
  CHECK(e->check().ok);
  clear_left_workspaces();
}

TEST_CASE("workspaces left by one kernel are freed when an instance of another kernel is made", "[reuse]") {
  const auto leave = [](const std::string& id, const Dims& shape) { make(id, shape, /*cold=*/false).reset(); };
  const Dims silu{{{"n", 4099}}}, rmsnorm{{{"rows", 3}, {"n", 257}}};
  clear_left_workspaces();
  leave("rmsnorm.naive", rmsnorm);
  const std::size_t alone = left_workspace_bytes();
  REQUIRE(alone > 0);
  clear_left_workspaces();
  leave("silu.naive", silu);
  leave("silu.naive", Dims{{{"n", 17}}});  // the same kernel: both kept
  const std::size_t both = left_workspace_bytes();
  CHECK(both > 0);
  leave("rmsnorm.naive", rmsnorm);
  CHECK(left_workspace_bytes() == alone);  // silu's freed
  clear_left_workspaces();
}
