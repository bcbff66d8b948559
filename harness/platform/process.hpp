#pragma once
// Child processes: the path of the running executable, running a command line with extra
// environment, its standard output captured or sent to a file, and a child that stays and answers
// line by line. Errors of the system calls throw std::runtime_error naming the call and errno; what
// the child did is in the result.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cromwell {

// /proc/self/exe, resolved.
std::string self_exe();

struct ProcessOptions {
  std::vector<std::string> env = {};  // NAME=value assignments that add to or replace this process's environment
  std::string output_file = {};       // empty: capture stdout (stderr is inherited); else stdout and stderr go here
  double timeout_s = 0;               // > 0: the child is killed (SIGKILL) when it runs longer (captured output only)
};

struct ProcessResult {
  int exit_code = -1;      // -1 when the child died of a signal
  int signal = 0;          // the signal that ended it, else 0
  bool timed_out = false;  // killed after ProcessOptions::timeout_s
  std::string out;         // captured stdout
  bool ok() const { return signal == 0 && exit_code == 0; }
  // "exited with status 3", "died with signal 11 (Segmentation fault)", "timed out after 2 s (killed)"
  std::string describe() const;
  double timeout_s = 0;
};

// argv[0] is looked up on PATH when it holds no '/'.
ProcessResult run_process(const std::vector<std::string>& argv, const ProcessOptions& opt = {});

// A child that reads requests on its standard input and answers on its standard output, a line
// each, for as long as it lives (both are one socket, so a write to a child that has gone fails
// instead of raising SIGPIPE here). stderr is inherited. The child is killed (SIGKILL) when this
// process dies, and ends when its input closes.
class Coprocess {
 public:
  Coprocess(const std::vector<std::string>& argv, const std::vector<std::string>& env);
  ~Coprocess();  // closes the child's input and waits for it (SIGKILL after a second)
  Coprocess(const Coprocess&) = delete;
  Coprocess& operator=(const Coprocess&) = delete;

  // Writes `line` and a newline; false when the child is gone.
  bool send(std::string_view line);
  // The next line of the child's answer, without its newline; nullopt when the child closed its
  // output or `timeout_s` (> 0) passed first, which end() then reports.
  std::optional<std::string> read_line(double timeout_s);
  // Ends the child (SIGKILL unless it has exited) and says how it ended.
  ProcessResult end();

 private:
  int pid_ = -1;
  int fd_ = -1;
  std::string buffer_;  // read and not yet returned
  bool timed_out_ = false;
  double timeout_s_ = 0;
};

}  // namespace cromwell
