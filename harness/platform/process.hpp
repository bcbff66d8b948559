#pragma once
// Child processes: the path of the running executable, and running a command line with extra
// environment, its standard output captured or sent to a file. Errors of the system calls throw
// std::runtime_error naming the call and errno; what the child did is in the result.
#include <string>
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
  int exit_code = -1;  // -1 when the child died of a signal
  int signal = 0;      // the signal that ended it, else 0
  bool timed_out = false;  // killed after ProcessOptions::timeout_s
  std::string out;     // captured stdout
  bool ok() const { return signal == 0 && exit_code == 0; }
  // "exited with status 3", "died with signal 11 (Segmentation fault)", "timed out after 2 s (killed)"
  std::string describe() const;
  double timeout_s = 0;
};

// argv[0] is looked up on PATH when it holds no '/'.
ProcessResult run_process(const std::vector<std::string>& argv, const ProcessOptions& opt = {});

}  // namespace cromwell
