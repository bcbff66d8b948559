// The CSV and JSON-lines sinks.
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <fmt/format.h>

#include "harness/io/csv.hpp"
#include "harness/io/jsonl.hpp"
#include "harness/io/sink.hpp"

namespace cromwell {
namespace {

class FileSink : public Sink {
 public:
  FileSink(const std::string& path, const Columns& cols) : columns_(columns_of(cols)) {
    f_ = std::fopen(path.c_str(), "w");
    if (!f_) throw std::runtime_error(fmt::format("cannot write {}: {}", path, std::strerror(errno)));
  }
  ~FileSink() override {
    if (f_) std::fclose(f_);
  }

 protected:
  void put(const std::string& s) {
    std::fputs(s.c_str(), f_);
    std::fflush(f_);
  }
  std::vector<Column> columns_;

 private:
  std::FILE* f_ = nullptr;
};

class CsvSink final : public FileSink {
 public:
  CsvSink(const std::string& path, const Columns& cols) : FileSink(path, cols) { put(csv_line(header_of(columns_))); }
  void write(const Record& r) override { put(csv_line(row_cells(r, columns_))); }
};

class JsonlSink final : public FileSink {
 public:
  using FileSink::FileSink;
  void write(const Record& r) override { put(json_line(r, columns_) + "\n"); }
};

}  // namespace

std::unique_ptr<Sink> csv_sink(const std::string& path, const Columns& cols) {
  return std::make_unique<CsvSink>(path, cols);
}

std::unique_ptr<Sink> jsonl_sink(const std::string& path, const Columns& cols) {
  return std::make_unique<JsonlSink>(path, cols);
}

}  // namespace cromwell
