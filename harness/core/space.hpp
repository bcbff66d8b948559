#pragma once
// Space: the params and constraints of one variant; enumerates the points of a sweep and sorts
// them into accepted, rejected (a validity constraint failed) and pruned (a machine heuristic).
#include <functional>
#include <string>
#include <vector>

#include "harness/core/dims.hpp"
#include "harness/core/param.hpp"
#include "harness/platform/machine.hpp"

namespace cromwell {

struct Constraint {
  enum class Kind { validity, heuristic };
  std::string name;
  Kind kind = Kind::validity;
  // Empty when allowed, else the human reason ("mc=100 must be a multiple of MR=6").
  std::function<std::string(const ParamValues&, const Dims&, const CacheSizes&)> test;
};

struct Space {
  std::vector<Param> params;
  std::vector<Constraint> constraints;

  const Param* find(std::string_view name) const;
  ParamValues defaults() const;
  // Every combination of the given candidate lists (one per param, in param order).
  std::vector<ParamValues> grid(const std::vector<std::vector<std::string>>& candidates) const;
  // First failing constraint of the given kind: empty if none.
  std::string violation(const ParamValues&, const Dims&, const CacheSizes&, Constraint::Kind) const;
};

}  // namespace cromwell
