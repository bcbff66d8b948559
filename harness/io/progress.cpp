#include "harness/io/progress.hpp"

#include <unistd.h>

#include <chrono>

#include <fmt/format.h>

namespace cromwell {
namespace {

using Clock = std::chrono::steady_clock;

std::string duration(double s) {
  if (s < 90) return fmt::format("{:.0f} s", s);
  if (s < 5400) return fmt::format("{:.0f} min", s / 60);
  return fmt::format("{:.1f} h", s / 3600);
}

class ProgressSink final : public Sink {
 public:
  ProgressSink(std::unique_ptr<Sink> rows, std::FILE* out, std::size_t total, std::size_t to_run, std::size_t done)
      : rows_(std::move(rows)),
        out_(out),
        terminal_(isatty(fileno(out))),
        total_(total),
        to_run_(to_run),
        done_(done),
        start_(Clock::now()),
        shown_(start_) {}

  void write(const Record& r) override {
    if (terminal_ && drawn_) fmt::print(out_, "\r\033[K");
    if (rows_) rows_->write(r);
    ++done_;
    if (r.status == Status::rejected || r.status == Status::pruned) ++skipped_;
    if (r.status == Status::failed || r.status == Status::error) ++failed_;
    if (r.status != Status::rejected && r.status != Status::pruned && r.config.kernel != "noop") ++ran_;
    const auto now = Clock::now();
    if (terminal_ || now - shown_ > std::chrono::seconds(30)) {
      show(!terminal_);
      shown_ = now;
    }
  }
  void finish() override {
    if (terminal_ && drawn_) fmt::print(out_, "\r\033[K");
    drawn_ = false;
    if (rows_) rows_->finish();
  }

 private:
  void show(bool newline) {
    const double elapsed = std::chrono::duration<double>(Clock::now() - start_).count();
    std::string eta = "";
    if (ran_ > 0 && to_run_ > ran_) eta = ", about " + duration(elapsed / double(ran_) * double(to_run_ - ran_)) + " left";
    fmt::print(out_, "[{}/{}] {} rejected or pruned, {} failed or errors, {} elapsed{}{}", done_, total_, skipped_,
               failed_, duration(elapsed), eta, newline ? "\n" : "");
    std::fflush(out_);
    drawn_ = !newline;
  }

  std::unique_ptr<Sink> rows_;
  std::FILE* out_;
  bool terminal_;
  std::size_t total_, to_run_, done_, ran_ = 0, skipped_ = 0, failed_ = 0;
  Clock::time_point start_, shown_;
  bool drawn_ = false;
};

}  // namespace

std::unique_ptr<Sink> progress_sink(std::unique_ptr<Sink> rows, std::FILE* out, std::size_t total,
                                    std::size_t to_run, std::size_t done) {
  return std::make_unique<ProgressSink>(std::move(rows), out, total, to_run, done);
}

}  // namespace cromwell
