#pragma once
// Which configs of a sweep to measure, and in what order: the strategies of strategy.hpp behind
// one ask/tell interface. The sweep asks for the next candidate, measures it (or finds its result
// in the file it resumes) and tells the value back; an adaptive strategy chooses from the values
// told so far. ask() depends only on the candidates, the seed and the values told, so replaying
// a file's recorded values through tell() proposes the same candidates again: a resumed sweep
// continues where it stopped, and a recorded full grid can judge a strategy offline.
//
//   grid       every candidate once, in order
//   random:N   N distinct candidates drawn uniformly (std::mt19937_64 with our own mapping to an
//              index, so the draws are the same on every standard library)
//   search:N   at most N candidates per group (kernel and shape): a local search over the
//              candidates' coordinates, best-first from a few random starts (search.cpp says why)
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "harness/core/config.hpp"
#include "harness/run/strategy.hpp"

namespace cromwell {

// One valid (runnable) config of the sweep, as the search sees it. Rejected and pruned configs
// are not candidates: they cost nothing.
struct Candidate {
  // Configs compared with each other: the same kernel and shape ("gemm/m:1024,n:1024,k:1024").
  std::string group;
  // Every varying dimension (variant, each param, threads, pin, cache, align) and its value as
  // text. A coordinate whose values in a group all read as numbers is ordered by value; any
  // other is categorical.
  std::vector<std::pair<std::string, std::string>> coords;
  bool operator==(const Candidate&) const = default;
};

// The candidate of a config: group = kernel "/" shape, coords = variant, params, axes.
Candidate candidate_of(const Config& c);

// The neighbours search:N steps to from each candidate of one group (indices into `group`): the
// candidates that differ in one coordinate only — for a numeric one, the nearest value up and
// down among the candidates (holes left by rejected configs are stepped over); for a categorical
// one, every other value — and, across variants with different params, the other variant where
// the two agree on every coordinate both have. Only candidates exist, so every neighbour is
// runnable.
std::vector<std::vector<std::size_t>> search_neighbours(const std::vector<Candidate>& group);

class Search {
 public:
  virtual ~Search() = default;
  // The next candidate to measure (an index into the candidates), or nullopt when the budget is
  // spent or every candidate was asked. A candidate is never asked twice; one asked and not yet
  // told counts as tried (so ask() may run ahead of tell(), e.g. for several workers).
  virtual std::optional<std::size_t> ask() = 0;
  // The objective value of an asked candidate, oriented so that lower is better; nullopt when it
  // failed (it counts as a trial and is never the best). Throws std::logic_error for a candidate
  // that was not asked or was already told.
  virtual void tell(std::size_t candidate, std::optional<double> value) = 0;
};

// The search copies what it needs of `candidates`.
std::unique_ptr<Search> make_search(const Strategy& strategy, const std::vector<Candidate>& candidates,
                                    std::uint64_t seed);

}  // namespace cromwell
