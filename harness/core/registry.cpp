#include "harness/core/registry.hpp"

#include <fnmatch.h>
#include <unistd.h>
#include <algorithm>
#include <chrono>
#include <future>
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

namespace {

// The reference cache: one slot per key, holding a shared future, so that every thread asking for
// a key shares the one computation under way (the first asker computes it, outside the lock).
struct ReferenceCache {
  struct Slot {
    std::shared_future<std::shared_ptr<const void>> value;
    std::size_t bytes = 0;
    std::uint64_t last_use = 0;
    bool ready = false;  // only ready slots count in `bytes` and may be evicted
  };
  std::mutex mu;
  std::map<std::string, Slot> slots;
  std::uint64_t clock = 0;
  std::size_t bytes = 0, budget = std::size_t{1} << 30;
  ReferenceCacheStats stats;

  // Drops the least recently used ready slots that hold bytes (never `keep`) until the held bytes
  // fit the budget.
  void evict(const std::string* keep) {
    while (bytes > budget) {
      auto victim = slots.end();
      for (auto it = slots.begin(); it != slots.end(); ++it)
        if (it->second.ready && it->second.bytes > 0 && (!keep || it->first != *keep) &&
            (victim == slots.end() || it->second.last_use < victim->second.last_use))
          victim = it;
      if (victim == slots.end()) return;
      bytes -= victim->second.bytes;
      slots.erase(victim);
      ++stats.evicted;
    }
  }
};

ReferenceCache& reference_cache() {
  static ReferenceCache c;
  return c;
}

thread_local std::int64_t tl_reference_ns = 0;

}  // namespace

std::shared_ptr<const void> cached_reference(const std::string& key,
                                             const std::function<std::shared_ptr<const void>()>& make,
                                             std::size_t bytes) {
  const auto t0 = std::chrono::steady_clock::now();
  struct Clock {
    std::chrono::steady_clock::time_point t0;
    ~Clock() {
      tl_reference_ns +=
          std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0).count();
    }
  } clock{t0};
  ReferenceCache& c = reference_cache();
  std::promise<std::shared_ptr<const void>> promise;
  std::shared_future<std::shared_ptr<const void>> value;
  bool mine = false;
  {
    std::lock_guard lock(c.mu);
    if (auto it = c.slots.find(key); it != c.slots.end()) {
      it->second.last_use = ++c.clock;
      value = it->second.value;
      ++c.stats.shared;
    } else {
      value = promise.get_future().share();
      c.slots.emplace(key, ReferenceCache::Slot{value, 0, ++c.clock, false});
      ++c.stats.computed;
      mine = true;
    }
  }
  if (mine) {
    try {
      promise.set_value(make());
    } catch (...) {
      // The threads waiting get the exception; the next request computes afresh.
      promise.set_exception(std::current_exception());
      std::lock_guard lock(c.mu);
      c.slots.erase(key);
      throw;
    }
    std::lock_guard lock(c.mu);
    if (auto it = c.slots.find(key); it != c.slots.end()) {
      it->second.ready = true;
      it->second.bytes = bytes;
      c.bytes += bytes;
      c.evict(&key);
    }
  }
  return value.get();
}

ReferenceCacheStats reference_cache_stats() {
  ReferenceCache& c = reference_cache();
  std::lock_guard lock(c.mu);
  ReferenceCacheStats s = c.stats;
  s.bytes = c.bytes;
  s.budget = c.budget;
  return s;
}

std::size_t set_reference_cache_budget(std::size_t bytes) {
  ReferenceCache& c = reference_cache();
  std::lock_guard lock(c.mu);
  const std::size_t old = c.budget;
  c.budget = bytes;
  c.evict(nullptr);
  return old;
}

std::int64_t reference_ns_this_thread() { return tl_reference_ns; }

namespace {

struct LeftWorkspaces {
  struct Entry {
    std::vector<std::shared_ptr<void>> workspaces;
    std::size_t bytes_each = 0;
    std::uint64_t last_use = 0;
  };
  std::mutex mu;
  std::map<std::string, Entry> entries;
  std::uint64_t clock = 0;
  std::size_t bytes = 0;
  const std::size_t budget = [] {
    const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    const std::size_t quarter = pages > 0 && page > 0 ? std::size_t(pages) * std::size_t(page) / 4 : 0;
    return std::min<std::size_t>(quarter ? quarter : std::size_t{1} << 30, std::size_t{4} << 30);
  }();
};

LeftWorkspaces& left_workspaces() {
  static LeftWorkspaces w;
  return w;
}

}  // namespace

std::vector<std::shared_ptr<void>> take_workspaces(const std::string& key, std::size_t at_most) {
  LeftWorkspaces& l = left_workspaces();
  std::vector<std::shared_ptr<void>> out, freed;  // freed: released after the lock
  std::lock_guard lock(l.mu);
  // Plans run kernel after kernel: once an instance of another kernel is made, the workspaces left
  // by the others are not asked for again, and their pages serve its workspaces
  // (platform/regions.hpp) instead of fresh ones.
  const std::string kernel = key.substr(0, key.find('/') + 1);
  for (auto it = l.entries.begin(); it != l.entries.end();)
    if (it->first.compare(0, kernel.size(), kernel) != 0) {
      for (auto& w : it->second.workspaces) freed.push_back(std::move(w));
      l.bytes -= it->second.bytes_each * it->second.workspaces.size();
      it = l.entries.erase(it);
    } else {
      ++it;
    }
  auto it = l.entries.find(key);
  if (it == l.entries.end()) return out;
  auto& ws = it->second.workspaces;
  while (!ws.empty() && out.size() < at_most) {
    out.push_back(std::move(ws.back()));
    ws.pop_back();
    l.bytes -= it->second.bytes_each;
  }
  if (ws.empty()) l.entries.erase(it);
  return out;
}

void leave_workspaces(const std::string& key, std::vector<std::shared_ptr<void>> workspaces, std::size_t bytes_each) {
  LeftWorkspaces& l = left_workspaces();
  std::vector<std::shared_ptr<void>> freed;  // released after the lock
  std::lock_guard lock(l.mu);
  auto& e = l.entries[key];
  e.bytes_each = bytes_each;
  e.last_use = ++l.clock;
  for (auto& w : workspaces) {
    e.workspaces.push_back(std::move(w));
    l.bytes += bytes_each;
  }
  while (l.bytes > l.budget && !l.entries.empty()) {
    auto victim = l.entries.begin();
    for (auto it = l.entries.begin(); it != l.entries.end(); ++it)
      if (it->second.last_use < victim->second.last_use) victim = it;
    auto& v = victim->second.workspaces;
    // The oldest entry first; within the newest, only what exceeds the budget.
    while (!v.empty() && l.bytes > l.budget) {
      freed.push_back(std::move(v.back()));
      v.pop_back();
      l.bytes -= victim->second.bytes_each;
    }
    if (v.empty()) l.entries.erase(victim);
  }
}

void clear_left_workspaces() {
  LeftWorkspaces& l = left_workspaces();
  std::map<std::string, LeftWorkspaces::Entry> gone;
  std::lock_guard lock(l.mu);
  gone.swap(l.entries);
  l.bytes = 0;
}

std::size_t left_workspace_bytes() {
  LeftWorkspaces& l = left_workspaces();
  std::lock_guard lock(l.mu);
  return l.bytes;
}

namespace detail {

std::string pool_key(const Pool& pool) {
  if (pool.cpus().empty()) return "any";
  std::string s;
  for (int c : pool.cpus()) {
    if (!s.empty()) s += ',';
    s += std::to_string(c);
  }
  return s;
}

}  // namespace detail

}  // namespace cromwell
