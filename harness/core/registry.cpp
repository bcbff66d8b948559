#include "harness/core/registry.hpp"

#include <fnmatch.h>
#include <algorithm>
#include <map>
#include <mutex>
#include <set>
#include <stdexcept>

#include <fmt/format.h>

#include "harness/platform/isa.hpp"
#include "harness/platform/machine.hpp"

namespace cromwell {

Registry& Registry::get() {
  static Registry r;
  return r;
}

void Registry::add(KernelEntry k) {
  if (kernel(k.name)) return;
  kernels_.push_back(std::move(k));
  std::sort(kernels_.begin(), kernels_.end(), [](auto& a, auto& b) { return a.name < b.name; });
}

void Registry::add(VariantEntry v) {
  const std::string id = v.id();
  auto fail = [&](const std::string& why) {
    throw std::logic_error(fmt::format("cannot register variant {}: {}", id, why));
  };
  if (variant(id)) fail("a variant with this name is already registered");
  if (v.name.empty() || v.name.find_first_of("./,:% *?") != std::string::npos)
    fail("the variant name must be non-empty, without . / , : % space * ?");
  if (!v.instantiate) fail("it has no prepare function");
  std::set<std::string> names;
  static const std::set<std::string> reserved{"threads", "pin", "cache", "align"};
  for (const auto& p : v.space.params) {
    if (!names.insert(p.name).second) fail(fmt::format("parameter '{}' is declared twice", p.name));
    if (reserved.count(p.name)) fail(fmt::format("parameter '{}' is a harness axis", p.name));
    if (const auto* k = kernel(v.kernel); k && std::find(k->dims.begin(), k->dims.end(), p.name) != k->dims.end())
      fail(fmt::format("parameter '{}' is a shape dimension of {}", p.name, v.kernel));
    if (p.sweep.empty()) fail(fmt::format("parameter '{}' has no sweep values", p.name));
    if (!p.is_integer() && p.lo != p.hi) fail(fmt::format("parameter '{}' mixes choices and a range", p.name));
    if (p.is_integer() && p.lo > p.hi) fail(fmt::format("parameter '{}' has an empty range", p.name));
    if (auto why = p.validate(p.fallback); !why.empty()) fail(fmt::format("default: {}", why));
    for (const auto& s : p.sweep)
      if (auto why = p.validate(s); !why.empty()) fail(fmt::format("sweep value: {}", why));
  }
  for (const auto& f : v.isa) {
    try {
      (void)cpu_has(f);
    } catch (const std::exception& e) {
      fail(e.what());
    }
  }
  variants_.push_back(std::move(v));
  std::sort(variants_.begin(), variants_.end(), [](auto& a, auto& b) { return a.id() < b.id(); });
}

const KernelEntry* Registry::kernel(std::string_view name) const {
  for (const auto& k : kernels_)
    if (k.name == name) return &k;
  return nullptr;
}

const VariantEntry* Registry::variant(std::string_view id) const {
  for (const auto& v : variants_)
    if (v.id() == id) return &v;
  return nullptr;
}

std::vector<const VariantEntry*> Registry::select(const std::vector<std::string>& filters) const {
  std::vector<const VariantEntry*> out;
  for (const auto& v : variants_) {
    const std::string id = v.id();
    bool hit = filters.empty();
    for (const auto& f : filters) hit = hit || f == v.kernel || fnmatch(f.c_str(), id.c_str(), 0) == 0;
    if (hit) out.push_back(&v);
  }
  return out;
}

void Registry::validate(const Config& c) const {
  const VariantEntry* v = variant(c.id());
  if (!kernel(c.kernel))
    throw std::invalid_argument(fmt::format("unknown kernel '{}' (cromwell list kernels)", c.kernel));
  if (!v)
    throw std::invalid_argument(fmt::format("unknown variant '{}' (cromwell list variants {})", c.id(), c.kernel));
  const Dims norm = kernel(c.kernel)->normalize(c.shape);
  if (!(norm == c.shape))
    throw std::invalid_argument(
        fmt::format("shape '{}' of {} is not canonical: expected '{}'", c.shape.str(), c.kernel, norm.str()));
  if (c.params.items.size() != v->space.params.size())
    throw std::invalid_argument(fmt::format("{} takes {} parameter(s), the key gives {}", c.id(),
                                            v->space.params.size(), c.params.items.size()));
  for (std::size_t i = 0; i < c.params.items.size(); ++i) {
    const auto& p = v->space.params[i];
    if (c.params.items[i].first != p.name)
      throw std::invalid_argument(
          fmt::format("{}: parameter {} is '{}', expected '{}'", c.id(), i + 1, c.params.items[i].first, p.name));
    if (auto why = p.validate(c.params.items[i].second); !why.empty())
      throw std::invalid_argument(fmt::format("{}: {}", c.id(), why));
  }
  if (auto why = v->space.violation(c.params, c.shape, machine_caches(), Constraint::Kind::validity); !why.empty())
    throw std::invalid_argument(fmt::format("{}: {}", c.id(), why));
  if (c.axes.threads < 1) throw std::invalid_argument(fmt::format("threads={} must be ≥ 1", c.axes.threads));
  if (c.axes.cache != "hot" && c.axes.cache != "cold")
    throw std::invalid_argument(fmt::format("cache={} is not valid: allowed hot|cold", c.axes.cache));
  if (c.axes.align < 0 || c.axes.align > 63)
    throw std::invalid_argument(fmt::format("align={} is not valid: allowed 0..63 bytes", c.axes.align));
}

std::shared_ptr<const void> cached_reference(const std::string& key,
                                             const std::function<std::shared_ptr<const void>()>& make) {
  static std::mutex mu;
  static std::map<std::string, std::shared_ptr<const void>> cache;
  {
    std::lock_guard lock(mu);
    if (auto it = cache.find(key); it != cache.end()) return it->second;
  }
  auto value = make();
  std::lock_guard lock(mu);
  return cache.emplace(key, value).first->second;
}

}  // namespace cromwell
