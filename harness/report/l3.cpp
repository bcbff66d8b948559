#include "harness/report/l3.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <set>
#include <tuple>

#include <fmt/format.h>

#include "harness/platform/text.hpp"
#include "harness/report/best.hpp"

namespace cromwell {
namespace {

std::vector<double> ranks(std::span<const double> v) {
  std::vector<std::size_t> order(v.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return v[a] < v[b]; });
  std::vector<double> r(v.size());
  for (std::size_t i = 0; i < order.size();) {
    std::size_t j = i;
    while (j + 1 < order.size() && v[order[j + 1]] == v[order[i]]) ++j;
    const double avg = (double(i) + double(j)) / 2 + 1;  // ranks from 1; ties share their mean
    for (std::size_t k = i; k <= j; ++k) r[order[k]] = avg;
    i = j + 1;
  }
  return r;
}

}  // namespace

std::optional<double> spearman(std::span<const double> x, std::span<const double> y) {
  if (x.size() != y.size() || x.size() < 2) return std::nullopt;
  const std::vector<double> rx = ranks(x), ry = ranks(y);
  const double n = double(x.size()), mean = (n + 1) / 2;
  double sxy = 0, sxx = 0, syy = 0;
  for (std::size_t i = 0; i < rx.size(); ++i) {
    sxy += (rx[i] - mean) * (ry[i] - mean);
    sxx += (rx[i] - mean) * (rx[i] - mean);
    syy += (ry[i] - mean) * (ry[i] - mean);
  }
  if (sxx == 0 || syy == 0) return std::nullopt;
  return sxy / std::sqrt(sxx * syy);
}

std::vector<L3Group> l3_groups(const std::vector<Record>& records) {
  std::vector<std::string> kernels;
  using GroupKey = std::tuple<std::size_t, std::string, int, std::string>;
  std::map<GroupKey, L3Group> groups;
  for (const auto& r : records) {
    if (r.config.kernel == "noop" || r.status != Status::measured || !r.time_ns) continue;
    const auto rate = metric_of(r, "l3_miss_rate");
    if (!rate || !std::isfinite(*rate)) continue;
    auto k = std::find(kernels.begin(), kernels.end(), r.config.kernel);
    if (k == kernels.end()) k = kernels.insert(kernels.end(), r.config.kernel);
    L3Group& g =
        groups[{std::size_t(k - kernels.begin()), r.config.shape.str(), r.config.axes.threads, r.config.axes.cache}];
    if (g.rows.empty()) {
      g.kernel = r.config.kernel;
      g.shape = r.config.shape.str();
      g.threads = r.config.axes.threads;
      g.cache = r.config.axes.cache;
    }
    g.rows.push_back(&r);
  }
  std::vector<L3Group> out;
  for (auto& [key, g] : groups) {
    std::stable_sort(g.rows.begin(), g.rows.end(), [](const Record* a, const Record* b) {
      return *metric_of(*a, "l3_miss_rate") > *metric_of(*b, "l3_miss_rate");
    });
    std::vector<double> rate, time;
    std::set<std::string> sources;
    for (const Record* r : g.rows) {
      rate.push_back(*metric_of(*r, "l3_miss_rate"));
      time.push_back(*r->time_ns);
      sources.insert(r->counters_source);
    }
    g.counters = join(std::vector<std::string>(sources.begin(), sources.end()), ", ");
    const bool vary = std::set<double>(rate.begin(), rate.end()).size() > 1;
    if (g.rows.size() < kMinCorrelated)
      g.why_no_rho = fmt::format("{} row(s); a correlation needs at least {}", g.rows.size(), kMinCorrelated);
    else if (!vary)
      g.why_no_rho = "the L3 miss rate is the same on every row";
    else
      g.rho = spearman(rate, time);
    if (!g.rho && g.why_no_rho.empty()) g.why_no_rho = "every row has the same time";
    out.push_back(std::move(g));
  }
  return out;
}

}  // namespace cromwell
