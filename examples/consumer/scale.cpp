// y = 2·x: the smallest kernel a user can register against the installed package.
#include <array>
#include <cmath>
#include <harness/core/registry.hpp>
#include <limits>
#include <span>
#include <string>

namespace {
using namespace cromwell;

struct ScaleKernel {
  struct Shape {
    std::int64_t n = 1;
  };
  struct Workspace {
    Buffer<float> x, y;
  };
  using Reference = std::vector<double>;
  static constexpr std::string_view name = "scale";
  static constexpr std::string_view summary = "y = 2·x";
  static constexpr std::array dims{Dim<Shape>{"n", &Shape::n, 1000}};
  static std::vector<Shape> default_shapes() { return {{4096}}; }
  static std::vector<Shape> check_shapes() { return {{1}, {7}, {1001}}; }
  static Workspace make_workspace(const Shape& s, std::uint64_t seed, const Alloc& a) {
    Workspace ws{Buffer<float>(a, s.n), Buffer<float>(a, s.n)};
    fill_uniform(ws.x.view, seed, 1, a.pool);
    for (auto& v : ws.y.view) v = std::numeric_limits<float>::quiet_NaN();  // a variant that skips y fails
    return ws;
  }
  static std::size_t bytes(const Workspace& ws) { return 8 * ws.x.size(); }
  static Reference reference(const Shape& s, const Workspace& ws) {
    Reference r(s.n);
    for (std::int64_t i = 0; i < s.n; ++i) r[i] = 2.0 * ws.x[i];
    return r;
  }
  static std::span<float> output(Workspace& ws) { return ws.y.view; }
  // Doubling is exact in floating point.
  static Tolerance tolerance(const Shape&, const Workspace&, const Reference& r, std::size_t i) { return {r[i], 0}; }
  static std::string element_name(const Shape&, const Workspace&, std::size_t i) {
    return "y[" + std::to_string(i) + "]";
  }
  static Check check(const Shape& s, const Workspace& ws, const Reference& r) {
    for (std::size_t i = 0; i < std::size_t(s.n); ++i)
      if (!tolerance(s, ws, r, i).accepts(ws.y[i])) return Check::fail(element_name(s, ws, i) + " differs");
    return Check::pass();
  }
  static Work model(const Shape& s) { return {double(s.n), 8.0 * s.n, 12.0 * s.n}; }
};

const bool registered = register_variant<ScaleKernel>({
    .name = "plain",
    .summary = "a loop",
    .prepare = [](const ScaleKernel::Shape& s, const ParamValues&, Pool&) -> Runnable<ScaleKernel> {
      return [s](ScaleKernel::Workspace& ws) {
        for (std::int64_t i = 0; i < s.n; ++i) ws.y[i] = 2.0f * ws.x[i];
      };
    },
});
}  // namespace
