#include "harness/run/search.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <map>
#include <random>
#include <stdexcept>

#include <fmt/format.h>

namespace cromwell {
namespace {

// A uniform index in [0, n) from the generator. std::uniform_int_distribution is not specified
// exactly and differs between standard libraries; rejecting the 2^64 mod n lowest outputs leaves
// a range whose size is a multiple of n, so the remainder is exactly uniform.
std::size_t below(std::mt19937_64& rng, std::size_t n) {
  const std::uint64_t bound = n;
  const std::uint64_t threshold = (0 - bound) % bound;
  for (;;) {
    const std::uint64_t x = rng();
    if (x >= threshold) return static_cast<std::size_t>(x % bound);
  }
}

// Independent streams per group from one seed (SplitMix64's finalizer on seed + group), so a
// group's trials do not depend on how many draws the groups before it took.
std::uint64_t mix(std::uint64_t seed, std::uint64_t stream) {
  std::uint64_t z = seed + 0x9e3779b97f4a7c15ULL * (stream + 1);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// What every strategy checks of the runner: each candidate is asked at most once and told at
// most once, after it was asked.
class Ledger {
 public:
  explicit Ledger(std::size_t n) : state_(n, State::fresh) {}
  void ask(std::size_t i) { state_[i] = State::asked; }
  void tell(std::size_t i) {
    if (i >= state_.size() || state_[i] != State::asked)
      throw std::logic_error(fmt::format("search: told a value for candidate {}, which {}", i,
                                         i >= state_.size()          ? "does not exist"
                                         : state_[i] == State::fresh ? "was not asked"
                                                                     : "was already told"));
    state_[i] = State::told;
  }

 private:
  enum class State : unsigned char { fresh, asked, told };
  std::vector<State> state_;
};

class GridSearch final : public Search {
 public:
  explicit GridSearch(std::size_t n) : ledger_(n), n_(n) {}
  std::optional<std::size_t> ask() override {
    if (next_ == n_) return std::nullopt;
    ledger_.ask(next_);
    return next_++;
  }
  void tell(std::size_t c, std::optional<double>) override { ledger_.tell(c); }

 private:
  Ledger ledger_;
  std::size_t n_, next_ = 0;
};

// The first `trials` positions of a Fisher–Yates shuffle, drawn one at a time.
class RandomSearch final : public Search {
 public:
  RandomSearch(std::size_t n, std::size_t trials, std::uint64_t seed)
      : ledger_(n), order_(n), trials_(std::min(trials, n)), rng_(seed) {
    for (std::size_t i = 0; i < n; ++i) order_[i] = i;
  }
  std::optional<std::size_t> ask() override {
    if (next_ == trials_) return std::nullopt;
    std::swap(order_[next_], order_[next_ + below(rng_, order_.size() - next_)]);
    ledger_.ask(order_[next_]);
    return order_[next_++];
  }
  void tell(std::size_t c, std::optional<double>) override { ledger_.tell(c); }

 private:
  Ledger ledger_;
  std::vector<std::size_t> order_;
  std::size_t trials_, next_ = 0;
  std::mt19937_64 rng_;
};

// The neighbourhood graph of one group (search.hpp: search_neighbours says what a neighbour is).
std::vector<std::vector<std::size_t>> neighbours_of(const std::vector<const Candidate*>& members) {
  // The coordinate names of the group, in order of first appearance; a member without one (a
  // param of another variant) has the empty value there.
  std::vector<std::string> names;
  for (const Candidate* c : members)
    for (const auto& [name, _] : c->coords)
      if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  const std::size_t m = members.size(), d = names.size();
  std::vector<std::vector<std::string>> value(m, std::vector<std::string>(d));
  for (std::size_t i = 0; i < m; ++i)
    for (const auto& [name, v] : members[i]->coords)
      value[i][std::find(names.begin(), names.end(), name) - names.begin()] = v;

  std::vector<std::vector<std::size_t>> out(m);
  for (std::size_t j = 0; j < d; ++j) {
    // Numeric when every present value reads whole as a number; then ordered by that number.
    std::vector<double> number(m, -std::numeric_limits<double>::infinity());
    bool numeric = true;
    for (std::size_t i = 0; i < m && numeric; ++i) {
      const std::string& v = value[i][j];
      if (v.empty()) continue;
      const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), number[i]);
      numeric = ec == std::errc{} && end == v.data() + v.size();
    }
    // Lines: the members that agree on every other coordinate.
    std::map<std::vector<std::string>, std::vector<std::size_t>> lines;
    for (std::size_t i = 0; i < m; ++i) {
      std::vector<std::string> rest = value[i];
      rest.erase(rest.begin() + static_cast<std::ptrdiff_t>(j));
      lines[std::move(rest)].push_back(i);
    }
    for (auto& [_, line] : lines) {
      if (numeric) {
        std::stable_sort(line.begin(), line.end(), [&](std::size_t a, std::size_t b) { return number[a] < number[b]; });
        for (std::size_t p = 0; p + 1 < line.size(); ++p) {
          out[line[p]].push_back(line[p + 1]);
          out[line[p + 1]].push_back(line[p]);
        }
      } else {
        for (std::size_t a : line)
          for (std::size_t b : line)
            if (a != b) out[a].push_back(b);
      }
    }
  }

  // Variants with different params never agree on every other coordinate (one has pf_dist where
  // the other has none), so across them "one coordinate apart" means the other variant where the
  // two agree on every coordinate both have: gemm.avx2 and gemm.avx2_prefetch with the same
  // blocking, gemm.naive and every config of the same axes.
  const std::size_t variant = std::find(names.begin(), names.end(), "variant") - names.begin();
  if (variant == d) return out;
  std::map<std::vector<bool>, std::vector<std::size_t>> by_presence;  // the coordinates a member has
  for (std::size_t i = 0; i < m; ++i) {
    std::vector<bool> present(d);
    for (std::size_t j = 0; j < d; ++j) present[j] = !value[i][j].empty();
    by_presence[present].push_back(i);
  }
  for (const auto& [has_a, as] : by_presence)
    for (const auto& [has_b, bs] : by_presence) {
      if (has_a == has_b) continue;  // the same coordinates: linked by the lines above
      const auto shared = [&](std::size_t i) {
        std::vector<std::string> key;
        for (std::size_t j = 0; j < d; ++j)
          if (j != variant && has_a[j] && has_b[j]) key.push_back(value[i][j]);
        return key;
      };
      std::map<std::vector<std::string>, std::vector<std::size_t>> index;
      for (std::size_t b : bs) index[shared(b)].push_back(b);
      for (std::size_t a : as)
        if (const auto it = index.find(shared(a)); it != index.end())
          for (std::size_t b : it->second)
            if (value[a][variant] != value[b][variant]) out[a].push_back(b);
    }
  return out;
}

// search:N within one group. Best-first local search: a few random starts, then always a random
// untried neighbour of the best candidate measured so far that still has one. While a neighbour
// improves, this is first-improvement hill climbing (Kernel Tuner's greedy local searches); at a
// local optimum it does not restart blindly but widens around the next-best candidates, which on
// a plateau of near-equal configs (where timing noise decides the order) walks the plateau best
// first. When no measured candidate has an untried neighbour left (a disconnected part of the
// graph, e.g. another variant whose params differ), it draws a random untried candidate.
class LocalSearch {
 public:
  LocalSearch(std::vector<std::size_t> members, const std::vector<Candidate>& all, std::size_t trials,
              std::uint64_t seed)
      : members_(std::move(members)),
        asked_(members_.size(), false),
        trials_(std::min(trials, members_.size())),
        rng_(seed) {
    std::vector<const Candidate*> ptrs;
    for (std::size_t c : members_) ptrs.push_back(&all[c]);
    neighbours_ = neighbours_of(ptrs);
    starts_ = std::min<std::size_t>(kStarts, trials_);
  }

  // A local index, or nullopt when the group's budget is spent.
  std::optional<std::size_t> ask() {
    if (used_ == trials_) return std::nullopt;
    std::optional<std::size_t> pick;
    if (used_ >= starts_) pick = neighbour_of_best();
    if (!pick) pick = random_untried();
    asked_[*pick] = true;
    ++used_;
    return pick;
  }
  void tell(std::size_t local, std::optional<double> value) {
    if (!value || std::isnan(*value)) return;  // a failed trial is never searched around
    const std::pair<double, std::size_t> entry{*value, local};
    ranked_.insert(std::lower_bound(ranked_.begin(), ranked_.end(), entry), entry);
  }
  const std::vector<std::size_t>& members() const { return members_; }

 private:
  // Random starts before the walk: one start is at the mercy of where it lands; a few give a
  // better first basin for little (measured on the recorded grid, docs/PERFORMANCE.md).
  static constexpr std::size_t kStarts = 3;

  std::optional<std::size_t> neighbour_of_best() {
    for (const auto& [_, i] : ranked_) {
      std::vector<std::size_t> untried;
      for (std::size_t nb : neighbours_[i])
        if (!asked_[nb]) untried.push_back(nb);
      if (!untried.empty()) return untried[below(rng_, untried.size())];
    }
    return std::nullopt;
  }
  std::size_t random_untried() {
    std::vector<std::size_t> untried;
    for (std::size_t i = 0; i < asked_.size(); ++i)
      if (!asked_[i]) untried.push_back(i);
    return untried[below(rng_, untried.size())];
  }

  std::vector<std::size_t> members_;  // candidate indices, in candidate order
  std::vector<std::vector<std::size_t>> neighbours_;
  std::vector<std::pair<double, std::size_t>> ranked_;  // (value, local index) of the measured, best first
  std::vector<bool> asked_;
  std::size_t trials_, starts_, used_ = 0;
  std::mt19937_64 rng_;
};

// search:N over every group: the groups one after another, in order of first appearance, each
// with its own budget and its own random stream.
class GroupedSearch final : public Search {
 public:
  GroupedSearch(const std::vector<Candidate>& all, std::size_t trials, std::uint64_t seed)
      : ledger_(all.size()), where_(all.size()) {
    std::map<std::string, std::size_t> index;
    std::vector<std::vector<std::size_t>> members;
    for (std::size_t c = 0; c < all.size(); ++c) {
      const auto [it, added] = index.try_emplace(all[c].group, members.size());
      if (added) members.emplace_back();
      where_[c] = {it->second, members[it->second].size()};
      members[it->second].push_back(c);
    }
    for (std::size_t g = 0; g < members.size(); ++g)
      groups_.emplace_back(std::move(members[g]), all, trials, mix(seed, g));
  }
  std::optional<std::size_t> ask() override {
    for (; current_ < groups_.size(); ++current_)
      if (const auto local = groups_[current_].ask()) {
        const std::size_t c = groups_[current_].members()[*local];
        ledger_.ask(c);
        return c;
      }
    return std::nullopt;
  }
  void tell(std::size_t c, std::optional<double> value) override {
    ledger_.tell(c);
    groups_[where_[c].first].tell(where_[c].second, value);
  }

 private:
  Ledger ledger_;
  std::vector<std::pair<std::size_t, std::size_t>> where_;  // candidate -> (group, local index)
  std::vector<LocalSearch> groups_;
  std::size_t current_ = 0;
};

}  // namespace

std::vector<std::vector<std::size_t>> search_neighbours(const std::vector<Candidate>& group) {
  std::vector<const Candidate*> ptrs;
  for (const Candidate& c : group) ptrs.push_back(&c);
  return neighbours_of(ptrs);
}

Candidate candidate_of(const Config& c) {
  Candidate out{.group = c.kernel + "/" + c.shape.str(), .coords = {{"variant", c.variant}}};
  for (const auto& p : c.params.items) out.coords.push_back(p);
  out.coords.emplace_back("threads", std::to_string(c.axes.threads));
  out.coords.emplace_back("pin", c.axes.pin);
  out.coords.emplace_back("cache", c.axes.cache);
  out.coords.emplace_back("align", std::to_string(c.axes.align));
  return out;
}

std::unique_ptr<Search> make_search(const Strategy& strategy, const std::vector<Candidate>& candidates,
                                    std::uint64_t seed) {
  const auto trials = static_cast<std::size_t>(std::max(0L, strategy.trials));
  switch (strategy.kind) {
    case Strategy::Kind::grid:
      return std::make_unique<GridSearch>(candidates.size());
    case Strategy::Kind::random:
      return std::make_unique<RandomSearch>(candidates.size(), trials, seed);
    case Strategy::Kind::search:
      return std::make_unique<GroupedSearch>(candidates, trials, seed);
  }
  throw std::logic_error("make_search: unknown strategy kind");
}

}  // namespace cromwell
