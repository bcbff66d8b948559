// JSON-lines sink: one object per record with the CSV's column names; missing values are null.
#include <cerrno>
#include <cstring>
#include <set>
#include <stdexcept>

#include <fmt/format.h>

#include "harness/io/json.hpp"
#include "harness/io/sink.hpp"

namespace cromwell {
namespace {

class JsonlSink final : public Sink {
 public:
  JsonlSink(const std::string& path, Columns cols) : cols_(std::move(cols)), header_(cols_.header()) {
    f_ = std::fopen(path.c_str(), "w");
    if (!f_) throw std::runtime_error(fmt::format("cannot write {}: {}", path, std::strerror(errno)));
    static const std::set<std::string> text{
        "key", "kernel", "variant",  "status",         "reason",          "note",
        "pin", "cache",  "counters", "counters_scope", "counters_reason", "unstable"};
    for (const auto& h : header_) numeric_.push_back(!text.count(h) && !is_param(h));
  }
  ~JsonlSink() override {
    if (f_) std::fclose(f_);
  }
  void write(const Record& r) override {
    const auto values = row_values(r, cols_);
    std::string s = "{";
    for (std::size_t i = 0; i < values.size(); ++i) {
      s += (i ? "," : "") + json_string(header_[i]) + ":";
      if (values[i].empty())
        s += "null";
      else if (header_[i] == "unstable")
        s += values[i];
      else if (numeric_[i])
        s += values[i];
      else
        s += json_string(values[i]);
    }
    s += "}\n";
    std::fputs(s.c_str(), f_);
    std::fflush(f_);
  }

 private:
  bool is_param(const std::string& h) const {
    for (const auto& p : cols_.params)
      if (p == h) return true;
    return false;
  }
  Columns cols_;
  std::vector<std::string> header_;
  std::vector<bool> numeric_;
  std::FILE* f_ = nullptr;
};

}  // namespace

std::unique_ptr<Sink> jsonl_sink(const std::string& path, const Columns& cols) {
  return std::make_unique<JsonlSink>(path, cols);
}

}  // namespace cromwell
