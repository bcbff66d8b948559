// The terminal: one aligned line per record as it arrives, and the best configurations at the end.
#include "harness/io/console.hpp"

#include <map>

#include <fmt/format.h>

namespace cromwell {
namespace {

// Pads to `w` display columns (counts UTF-8 code points, not bytes).
std::string pad(const std::string& s, std::size_t w, bool right = false) {
  std::size_t cols = 0;
  for (unsigned char c : s) cols += (c & 0xc0) != 0x80;
  if (cols >= w) return s;
  return right ? std::string(w - cols, ' ') + s : s + std::string(w - cols, ' ');
}

class ConsoleSink final : public Sink {
 public:
  explicit ConsoleSink(std::FILE* out) : out_(out) {
    fmt::print(out_, "{} {} {} {} {} {} {} {} {}\n", pad("status", 11), pad("variant", 22), pad("shape", 20),
               pad("params", 28), pad("thr/pin", 10), pad("time", 11, true), pad("err%", 7, true),
               pad("GFLOP/s", 8, true), pad("GB/s", 8, true));
  }
  void write(const Record& r) override {
    const Config& c = r.config;
    std::string params;
    for (const auto& [n, v] : c.params.items) params += fmt::format("{}{}={}", params.empty() ? "" : " ", n, v);
    std::string axes = fmt::format("{}/{}", c.axes.threads, c.axes.pin);
    if (c.axes.cache != "hot") axes += " cold";
    if (c.axes.align) axes += fmt::format(" +{}", c.axes.align);
    std::string line = fmt::format("{} {} {} {} {}", pad(std::string(to_string(r.status)), 11), pad(c.id(), 22),
                                   pad(c.shape.str(), 20), pad(params, 28), pad(axes, 10));
    if (r.status == Status::measured && r.time_ns) {
      line += fmt::format(" {} {} {} {}", pad(human_time(*r.time_ns), 11, true),
                          pad(fmt::format("{:.1f}{}", r.err_pct.value_or(0), r.unstable ? "!" : ""), 7, true),
                          pad(r.gflops ? fmt::format("{:.2f}", *r.gflops) : "", 8, true),
                          pad(r.gbps ? fmt::format("{:.2f}", *r.gbps) : "", 8, true));
      if (!r.note.empty()) line += "  " + r.note;
    } else if (!r.reason.empty()) {
      line += "  " + r.reason;
    }
    fmt::print(out_, "{}\n", line);
    if (r.unstable && !warned_) {
      warned_ = true;
      fmt::print(out_,
                 "  ! err% above {:.0f}%: the machine is noisy — raise --repetitions or --min-time, pin the "
                 "threads (--pin), or close other programs; confirm ratios with `cromwell compare`\n",
                 kUnstablePct);
    }
    std::fflush(out_);
  }

 private:
  std::FILE* out_;
  bool warned_ = false;
};

}  // namespace

std::unique_ptr<Sink> console_sink(std::FILE* out) { return std::make_unique<ConsoleSink>(out); }

namespace {
double score(const Record& r) {
  if (r.gflops) return *r.gflops;
  if (r.gbps) return *r.gbps;
  return r.time_ns ? -*r.time_ns : 0;
}
}  // namespace

void print_best(std::FILE* out, const std::vector<Record>& records) {
  // Group by variant, shape and threads.
  std::map<std::string, const Record*> best;
  for (const auto& r : records) {
    if (r.config.kernel == "noop" || r.status != Status::measured || !r.time_ns) continue;
    const std::string g = fmt::format("{}|{}|{}", r.config.id(), r.config.shape.str(), r.config.axes.threads);
    if (!best.count(g) || score(r) > score(*best[g])) best[g] = &r;
  }
  if (best.empty()) return;
  fmt::print(out, "\nBest configuration per variant, shape and thread count:\n");
  fmt::print(out, "  {:<22} {:<24} {:>3} {:>10} {:>9} {:>8}  {}\n", "variant", "shape", "thr", "time", "GFLOP/s",
             "×naive", "params");
  for (const auto& [g, r] : best) {
    const auto naive =
        best.find(fmt::format("{}.naive|{}|{}", r->config.kernel, r->config.shape.str(), r->config.axes.threads));
    std::string rel = "";
    if (naive != best.end() && naive->second->time_ns && r->time_ns)
      rel = fmt::format("{:.1f}", *naive->second->time_ns / *r->time_ns);
    std::string params;
    for (const auto& [n, v] : r->config.params.items) params += fmt::format("{}{}={}", params.empty() ? "" : " ", n, v);
    if (r->config.axes.pin != "none") params += fmt::format("{}pin={}", params.empty() ? "" : " ", r->config.axes.pin);
    const std::string ts = human_time(r->time_ns.value_or(0));
    fmt::print(out, "  {:<22} {:<24} {:>3} {:>10} {:>9} {:>8}  {}\n", r->config.id(), r->config.shape.str(),
               r->config.axes.threads, ts, r->gflops ? fmt::format("{:.1f}", *r->gflops) : "", rel, params);
  }
}

}  // namespace cromwell
