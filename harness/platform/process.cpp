#include "harness/platform/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/socket.h>
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

namespace {

// A command line and an environment as execve wants them: ours, minus the names that `assigned`
// assigns, plus `assigned`.
struct Exec {
  Exec(const std::vector<std::string>& argv_in, const std::vector<std::string>& assigned)
      : args(argv_in), env(assigned) {
    if (args.empty()) throw std::invalid_argument("a child process: empty command line");
    for (char** e = environ; *e; ++e) {
      const std::string_view var(*e);
      bool replaced = false;
      for (const auto& a : assigned) {
        const auto name = std::string_view(a).substr(0, a.find('=') + 1);
        replaced = replaced || var.substr(0, name.size()) == name;
      }
      if (!replaced) env.emplace_back(var);
    }
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    for (auto& e : env) envp.push_back(e.data());
    envp.push_back(nullptr);
  }
  std::vector<std::string> args, env;
  std::vector<char*> argv, envp;
};

void wait_for(pid_t pid, ProcessResult& r) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFSIGNALED(status))
    r.signal = WTERMSIG(status);
  else
    r.exit_code = WEXITSTATUS(status);
}

using Clock = std::chrono::steady_clock;

Clock::time_point deadline_after(double s) {
  return Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s));
}

// Waits until `deadline` for `fd` to be readable; false when the time ran out. No wait limit unless
// `timeout_s` > 0.
bool readable(int fd, Clock::time_point deadline, double timeout_s) {
  if (timeout_s <= 0) return true;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return false;
    pollfd p{fd, POLLIN, 0};
    const int ready = poll(&p, 1, int(std::min<long long>(left, 1 << 30)));
    if (ready < 0 && errno == EINTR) continue;
    return ready > 0;
  }
}

}  // namespace

ProcessResult run_process(const std::vector<std::string>& argv_in, const ProcessOptions& opt) {
  Exec exec(argv_in, opt.env);
  auto& args = exec.args;

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
  const int rc = posix_spawnp(&pid, exec.argv[0], &fa, nullptr, exec.argv.data(), exec.envp.data());
  posix_spawn_file_actions_destroy(&fa);
  if (fds[1] >= 0) close(fds[1]);
  if (rc != 0) {
    if (fds[0] >= 0) close(fds[0]);
    throw std::runtime_error(fmt::format("posix_spawn({}): {}", args[0], std::strerror(rc)));
  }
  ProcessResult r;
  r.timeout_s = opt.timeout_s;
  if (fds[0] >= 0) {
    const auto deadline = deadline_after(opt.timeout_s);
    char buf[4096];
    for (;;) {
      if (!readable(fds[0], deadline, opt.timeout_s)) {  // the deadline passed with the pipe still open
        kill(pid, SIGKILL);
        r.timed_out = true;
        break;
      }
      const ssize_t n = read(fds[0], buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      r.out.append(buf, static_cast<std::size_t>(n));
    }
    close(fds[0]);
  }
  wait_for(pid, r);
  return r;
}

Coprocess::Coprocess(const std::vector<std::string>& argv, const std::vector<std::string>& env) {
  Exec exec(argv, env);
  int sv[2] = {-1, -1};
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
    throw std::runtime_error(fmt::format("socketpair: {}", std::strerror(errno)));
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, sv[1], STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&fa, sv[1], STDOUT_FILENO);
  pid_t pid = 0;
  const int rc = posix_spawnp(&pid, exec.argv[0], &fa, nullptr, exec.argv.data(), exec.envp.data());
  posix_spawn_file_actions_destroy(&fa);
  close(sv[1]);
  if (rc != 0) {
    close(sv[0]);
    throw std::runtime_error(fmt::format("posix_spawn({}): {}", exec.args[0], std::strerror(rc)));
  }
  pid_ = pid;
  fd_ = sv[0];
}

Coprocess::~Coprocess() {
  if (pid_ < 0) return;
  shutdown(fd_, SHUT_WR);  // the child sees the end of its input and exits
  end();
}

bool Coprocess::send(std::string_view line) {
  std::string text(line);
  text += '\n';
  for (std::size_t done = 0; done < text.size();) {
    const ssize_t n = ::send(fd_, text.data() + done, text.size() - done, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

std::optional<std::string> Coprocess::read_line(double timeout_s) {
  const auto deadline = deadline_after(timeout_s);
  char buf[4096];
  for (;;) {
    if (const auto nl = buffer_.find('\n'); nl != std::string::npos) {
      std::string line = buffer_.substr(0, nl);
      buffer_.erase(0, nl + 1);
      return line;
    }
    if (!readable(fd_, deadline, timeout_s)) {
      timed_out_ = true;
      timeout_s_ = timeout_s;
      return std::nullopt;
    }
    const ssize_t n = read(fd_, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return std::nullopt;
    buffer_.append(buf, static_cast<std::size_t>(n));
  }
}

ProcessResult Coprocess::end() {
  ProcessResult r;
  if (pid_ < 0) return r;
  r.timed_out = timed_out_;
  r.timeout_s = timeout_s_;
  // A child that closed its output is ending (it closes its files before it can be reaped): it
  // gets a second to say how; one that timed out, or takes longer, is killed.
  bool reaped = false;
  for (int i = 0; !timed_out_ && i < 200 && !reaped; ++i) {
    int status = 0;
    const pid_t done = waitpid(pid_, &status, WNOHANG);
    if (done == pid_) {
      reaped = true;
      if (WIFSIGNALED(status))
        r.signal = WTERMSIG(status);
      else
        r.exit_code = WEXITSTATUS(status);
    } else if (done == 0) {
      usleep(5'000);
    }
  }
  if (!reaped) {
    kill(pid_, SIGKILL);
    wait_for(pid_, r);
  }
  close(fd_);
  pid_ = -1;
  fd_ = -1;
  r.out = std::move(buffer_);
  return r;
}

}  // namespace cromwell
