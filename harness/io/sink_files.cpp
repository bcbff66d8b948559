// The CSV and JSON-lines sinks. Each row goes to the file in one write(2) as soon as it exists;
// the file is fsync'ed every few seconds and at the end, so that neither a crash of the process
// (the kernel has every written row) nor of the machine (at most the last seconds) loses much.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

#include <fmt/format.h>

#include "harness/io/csv.hpp"
#include "harness/io/jsonl.hpp"
#include "harness/io/sink.hpp"

namespace cromwell {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kSyncEvery = std::chrono::seconds(5);

// CROMWELL_TEST_KILL_AFTER_ROWS=N (tests only): the process kills itself with SIGKILL after the
// N-th row of a CSV file; N:half writes half of row N+1 first, as a kill in the middle of a write.
struct KillHook {
  long after = -1;
  bool half = false;
  KillHook() {
    if (const char* v = std::getenv("CROMWELL_TEST_KILL_AFTER_ROWS")) {
      after = std::strtol(v, nullptr, 10);
      half = std::strstr(v, ":half") != nullptr;
    }
  }
};

class FileSink : public Sink {
 public:
  FileSink(const std::string& path, const Columns& cols, bool append)
      : path_(path), columns_(columns_of(cols)), synced_(Clock::now()) {
    fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC), 0644);
    if (fd_ < 0) throw std::runtime_error(fmt::format("cannot write {}: {}", path, std::strerror(errno)));
    empty_ = lseek(fd_, 0, SEEK_END) == 0;
  }
  ~FileSink() override {
    if (fd_ >= 0) {
      fsync(fd_);
      ::close(fd_);
    }
  }
  void finish() override { fsync(fd_); }

 protected:
  bool empty() const { return empty_; }
  void put(const std::string& s) {
    for (std::size_t done = 0; done < s.size();) {
      const ssize_t n = ::write(fd_, s.data() + done, s.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw std::runtime_error(fmt::format("cannot write {}: {}", path_, std::strerror(errno)));
      done += std::size_t(n);
    }
    empty_ = false;
    if (Clock::now() - synced_ > kSyncEvery) {
      fsync(fd_);
      synced_ = Clock::now();
    }
  }
  std::string path_;
  std::vector<Column> columns_;

 private:
  int fd_ = -1;
  bool empty_ = true;
  Clock::time_point synced_;
};

class CsvSink final : public FileSink {
 public:
  CsvSink(const std::string& path, const Columns& cols, bool append) : FileSink(path, cols, append) {
    if (empty()) put(csv_line(header_of(columns_)));
  }
  void write(const Record& r) override {
    const std::string line = csv_line(row_cells(r, columns_));
    if (rows_ == kill_.after) {
      if (kill_.half) put(line.substr(0, line.size() / 2));
      std::raise(SIGKILL);
    }
    put(line);
    ++rows_;
  }

 private:
  KillHook kill_;
  long rows_ = 0;
};

class JsonlSink final : public FileSink {
 public:
  using FileSink::FileSink;
  void write(const Record& r) override { put(json_line(r, columns_) + "\n"); }
};

}  // namespace

std::unique_ptr<Sink> csv_sink(const std::string& path, const Columns& cols, bool append) {
  return std::make_unique<CsvSink>(path, cols, append);
}

std::unique_ptr<Sink> jsonl_sink(const std::string& path, const Columns& cols, bool append) {
  return std::make_unique<JsonlSink>(path, cols, append);
}

}  // namespace cromwell
