// Your own kernel: y = a·x + y (axpy), with two variants. Everything Cromwell needs is here: the
// kernel (shape, workspace, double reference, check with a stated tolerance, work model) and
// self-registering variants; cromwell::main gives them list, check, sweep, run and compare.
#include <harness/core/registry.hpp>

#include <array>
#include <cmath>
#include <limits>
#include <span>
#include <string>

namespace {
using namespace cromwell;

struct AxpyKernel {
  struct Shape {
    std::int64_t n = 1;
  };
  struct Workspace {
    Buffer<float> x, y, y0;
  };
  using Reference = std::vector<double>;
  static constexpr float kA = 0.75f;

  static constexpr std::string_view name = "axpy";
  static constexpr std::string_view summary = "y = a·x + y, fp32 (an example kernel defined outside Cromwell)";
  // The dimensions, declared once: name, the Shape member, the default size.
  static constexpr std::array dims{Dim<Shape>{"n", &Shape::n, 1 << 20}};
  static std::vector<Shape> default_shapes() { return {{1 << 20}}; }
  static std::vector<Shape> check_shapes() { return {{1}, {7}, {1001}}; }
  // y is reset from y0 by every call, so repeated calls compute the same thing.
  static Workspace make_workspace(const Shape& s, std::uint64_t seed, const Alloc& a) {
    Workspace ws{Buffer<float>(a, s.n), Buffer<float>(a, s.n), Buffer<float>(a, s.n)};
    fill_uniform(ws.x.view, seed, 1, a.pool);
    fill_uniform(ws.y0.view, seed, 2, a.pool);
    for (auto& v : ws.y.view) v = std::numeric_limits<float>::quiet_NaN();
    return ws;
  }
  static std::size_t bytes(const Workspace& ws) { return 12 * ws.x.size(); }
  static Reference reference(const Shape& s, const Workspace& ws) {
    Reference r(s.n);
    for (std::int64_t i = 0; i < s.n; ++i) r[i] = double(kA) * ws.x[i] + ws.y0[i];
    return r;
  }
  // The output the check compares, the expected value and allowed error of each element, and
  // how a failure names it: the checker and the tests that show it catches wrong answers use them.
  static std::span<float> output(Workspace& ws) { return ws.y.view; }
  // One multiply and one add (or one FMA): at most 2 roundings of |a·x| + |y0|.
  static Tolerance tolerance(const Shape&, const Workspace& ws, const Reference& r, std::size_t i) {
    return {r[i], 2 * 0x1p-24 * (std::abs(kA * ws.x[i]) + std::abs(ws.y0[i]))};
  }
  static std::string element_name(const Shape&, const Workspace&, std::size_t i) {
    return "y[" + std::to_string(i) + "]";
  }
  static Check check(const Shape& s, const Workspace& ws, const Reference& r) {
    for (std::size_t i = 0; i < std::size_t(s.n); ++i)
      if (!tolerance(s, ws, r, i).accepts(ws.y[i])) return Check::fail(element_name(s, ws, i) + " differs");
    return Check::pass();
  }
  static Work model(const Shape& s) { return {2.0 * s.n, 12.0 * s.n, 16.0 * s.n}; }
};

const bool plain = register_variant<AxpyKernel>({
    .name = "plain",
    .summary = "one loop",
    .prepare = [](const AxpyKernel::Shape& s, const ParamValues&, Pool& pool) -> Runnable<AxpyKernel> {
      return [s, &pool](AxpyKernel::Workspace& ws) {
        pool.parallel_for(s.n, 16, [&](std::int64_t b, std::int64_t e) {
          for (std::int64_t i = b; i < e; ++i) ws.y[i] = AxpyKernel::kA * ws.x[i] + ws.y0[i];
        });
      };
    },
});

// A variant with a parameter and a constraint: the loop unrolled by `unroll`.
const bool unrolled = register_variant<AxpyKernel>({
    .name = "unrolled",
    .summary = "the loop unrolled by a parameter",
    .space = {.params = {Param::integer("unroll", 1, 64, {1, 2, 4, 8, 16}, 4, "elements", "elements per iteration")},
              .constraints = {{"power-of-two", Constraint::Kind::validity,
                               [](const ParamValues& p, const Dims&, const CacheSizes&) -> std::string {
                                 const auto u = p.integer("unroll");
                                 return (u & (u - 1)) ? "unroll=" + std::to_string(u) + " must be a power of two" : "";
                               }}}},
    .prepare = [](const AxpyKernel::Shape& s, const ParamValues& p, Pool& pool) -> Runnable<AxpyKernel> {
      const std::int64_t u = p.integer("unroll");
      return [s, u, &pool](AxpyKernel::Workspace& ws) {
        pool.parallel_for(s.n, 16, [&](std::int64_t b, std::int64_t e) {
          std::int64_t i = b;
          for (; i + u <= e; i += u)
            for (std::int64_t j = 0; j < u; ++j) ws.y[i + j] = AxpyKernel::kA * ws.x[i + j] + ws.y0[i + j];
          for (; i < e; ++i) ws.y[i] = AxpyKernel::kA * ws.x[i] + ws.y0[i];
        });
      };
    },
});

}  // namespace
