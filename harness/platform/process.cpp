#include "harness/platform/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <stdexcept>
#include <string_view>

#include <fmt/format.h>

extern char** environ;

namespace cromwell {

std::string self_exe() {
  char buf[4096];
  const ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) throw std::runtime_error(fmt::format("readlink(/proc/self/exe): {}", std::strerror(errno)));
  return std::string(buf, static_cast<std::size_t>(n));
}

std::string ProcessResult::describe() const {
  if (timed_out) return fmt::format("timed out after {} s (killed)", timeout_s);
  if (signal) return fmt::format("died with signal {} ({})", signal, strsignal(signal));
  return fmt::format("exited with status {}", exit_code);
}

ProcessResult run_process(const std::vector<std::string>& argv_in, const ProcessOptions& opt) {
  if (argv_in.empty()) throw std::invalid_argument("run_process: empty command line");
  // The environment: ours, minus the names that opt.env assigns, plus opt.env.
  std::vector<std::string> env = opt.env;
  for (char** e = environ; *e; ++e) {
    const std::string_view var(*e);
    bool replaced = false;
    for (const auto& a : opt.env) {
      const auto name = std::string_view(a).substr(0, a.find('=') + 1);
      replaced = replaced || var.substr(0, name.size()) == name;
    }
    if (!replaced) env.emplace_back(var);
  }
  std::vector<std::string> args = argv_in;
  std::vector<char*> argv, envp;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);

  int fds[2] = {-1, -1};
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  // The timeout waits on the pipe of the captured output.
  if (opt.timeout_s > 0 && !opt.output_file.empty())
    throw std::invalid_argument("run_process: a timeout needs the output captured, not sent to a file");
  if (opt.output_file.empty()) {
    if (pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error(fmt::format("pipe: {}", std::strerror(errno)));
    posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO);
  } else {
    posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, opt.output_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&fa, STDOUT_FILENO, STDERR_FILENO);
  }
  pid_t pid = 0;
  const int rc = posix_spawnp(&pid, argv[0], &fa, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  if (fds[1] >= 0) close(fds[1]);
  if (rc != 0) {
    if (fds[0] >= 0) close(fds[0]);
    throw std::runtime_error(fmt::format("posix_spawn({}): {}", args[0], std::strerror(rc)));
  }
  ProcessResult r;
  r.timeout_s = opt.timeout_s;
  if (fds[0] >= 0) {
    using Clock = std::chrono::steady_clock;
    const auto deadline = Clock::now() + std::chrono::duration<double>(opt.timeout_s);
    char buf[4096];
    for (;;) {
      if (opt.timeout_s > 0) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
        pollfd p{fds[0], POLLIN, 0};
        const int ready = left > 0 ? poll(&p, 1, int(std::min<long long>(left, 1 << 30))) : 0;
        if (ready < 0 && errno == EINTR) continue;
        if (ready == 0) {  // the deadline passed with the pipe still open
          kill(pid, SIGKILL);
          r.timed_out = true;
          break;
        }
      }
      const ssize_t n = read(fds[0], buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      r.out.append(buf, static_cast<std::size_t>(n));
    }
    close(fds[0]);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFSIGNALED(status))
    r.signal = WTERMSIG(status);
  else
    r.exit_code = WEXITSTATUS(status);
  return r;
}

}  // namespace cromwell
