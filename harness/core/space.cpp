#include "harness/core/space.hpp"

namespace cromwell {

const Param* Space::find(std::string_view name) const {
  for (const auto& p : params)
    if (p.name == name) return &p;
  return nullptr;
}

ParamValues Space::defaults() const {
  ParamValues v;
  for (const auto& p : params) v.items.emplace_back(p.name, p.fallback);
  return v;
}

std::vector<ParamValues> Space::grid(const std::vector<std::vector<std::string>>& candidates) const {
  std::vector<ParamValues> out{ParamValues{}};
  for (std::size_t i = 0; i < params.size(); ++i) {
    std::vector<ParamValues> next;
    for (const auto& partial : out)
      for (const auto& value : candidates[i]) {
        ParamValues v = partial;
        v.items.emplace_back(params[i].name, value);
        next.push_back(std::move(v));
      }
    out = std::move(next);
  }
  return out;
}

std::string Space::violation(const ParamValues& v, const Dims& shape, const CacheSizes& caches,
                             Constraint::Kind kind) const {
  for (const auto& c : constraints)
    if (c.kind == kind)
      if (auto why = c.test(v, shape, caches); !why.empty()) return why;
  return "";
}

}  // namespace cromwell
