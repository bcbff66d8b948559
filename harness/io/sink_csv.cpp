// CSV sink (RFC 4180) and the row layout shared by every sink.
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <fmt/format.h>

#include "harness/io/sink.hpp"

namespace cromwell {
namespace {

const char* const kLead[] = {"key", "kernel", "variant", "status", "reason", "note"};
const char* const kAxes[] = {"threads", "pin", "cache", "align"};
const char* const kMeasure[] = {"repetitions", "time_ns", "time_ns_min", "err_pct",
                                "unstable",    "gflops",  "gbps",        "steal_pct"};

std::string num(const std::optional<double>& v, const char* spec = "{}") {
  return v ? fmt::format(fmt::runtime(spec), *v) : "";
}

}  // namespace

std::vector<std::string> Columns::header() const {
  std::vector<std::string> h(std::begin(kLead), std::end(kLead));
  h.insert(h.end(), dims.begin(), dims.end());
  h.insert(h.end(), params.begin(), params.end());
  h.insert(h.end(), std::begin(kAxes), std::end(kAxes));
  h.insert(h.end(), std::begin(kMeasure), std::end(kMeasure));
  h.push_back("counters");
  h.push_back("counters_scope");
  h.push_back("counters_reason");
  h.insert(h.end(), metrics.begin(), metrics.end());
  return h;
}

std::vector<std::string> row_values(const Record& r, const Columns& cols) {
  const Config& c = r.config;
  const bool measured = r.status == Status::measured && r.time_ns.has_value();
  std::vector<std::string> v{c.key(), c.kernel, c.variant, std::string(to_string(r.status)), r.reason, r.note};
  for (const auto& d : cols.dims) {
    const auto* x = c.shape.find(d);
    v.push_back(x ? std::to_string(*x) : "");
  }
  for (const auto& p : cols.params) {
    const auto* x = c.params.find(p);
    v.push_back(x ? *x : "");
  }
  v.push_back(std::to_string(c.axes.threads));
  v.push_back(c.axes.pin);
  v.push_back(c.axes.cache);
  v.push_back(std::to_string(c.axes.align));
  v.push_back(measured ? std::to_string(r.repetitions) : "");
  v.push_back(num(r.time_ns, "{:.1f}"));
  v.push_back(num(r.time_ns_min, "{:.1f}"));
  v.push_back(num(r.err_pct, "{:.2f}"));
  v.push_back(measured ? (r.unstable ? "true" : "false") : "");
  v.push_back(num(r.gflops, "{:.4g}"));
  v.push_back(num(r.gbps, "{:.4g}"));
  v.push_back(num(r.steal_pct, "{:.2f}"));
  v.push_back(measured ? r.counters_source : "");
  v.push_back(measured ? r.counters_scope : "");
  // Why values are missing, and flags on values that are there (multiplexed and scaled).
  std::string reasons;
  for (const auto& m : r.metrics)
    if (!m.reason.empty() && reasons.find(m.reason) == std::string::npos)
      reasons += (reasons.empty() ? "" : "; ") + m.reason;
  v.push_back(reasons);
  for (const auto& name : cols.metrics) {
    std::string cell;
    for (const auto& m : r.metrics)
      if (m.name == name && m.value) cell = fmt::format("{:.6g}", *m.value);
    v.push_back(cell);
  }
  return v;
}

std::string csv_escape(const std::string& field) {
  if (field.find_first_of(",\"\r\n") == std::string::npos) return field;
  std::string out = "\"";
  for (char ch : field) out += ch == '"' ? std::string("\"\"") : std::string(1, ch);
  return out + "\"";
}

namespace {

class CsvSink final : public Sink {
 public:
  CsvSink(const std::string& path, Columns cols) : cols_(std::move(cols)) {
    f_ = std::fopen(path.c_str(), "w");
    if (!f_) throw std::runtime_error(fmt::format("cannot write {}: {}", path, std::strerror(errno)));
    line(cols_.header());
  }
  ~CsvSink() override {
    if (f_) std::fclose(f_);
  }
  void write(const Record& r) override { line(row_values(r, cols_)); }

 private:
  void line(const std::vector<std::string>& values) {
    std::string s;
    for (std::size_t i = 0; i < values.size(); ++i) s += (i ? "," : "") + csv_escape(values[i]);
    s += "\n";
    std::fputs(s.c_str(), f_);
    std::fflush(f_);
  }
  Columns cols_;
  std::FILE* f_ = nullptr;
};

}  // namespace

std::unique_ptr<Sink> csv_sink(const std::string& path, const Columns& cols) {
  return std::make_unique<CsvSink>(path, cols);
}

}  // namespace cromwell
