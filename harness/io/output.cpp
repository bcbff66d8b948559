#include "harness/io/output.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include <fmt/format.h>

namespace cromwell {
namespace {

void make_parent(const std::string& path) {
  const std::filesystem::path p(path);
  if (p.has_parent_path()) std::filesystem::create_directories(p.parent_path());
}

}  // namespace

OutputFile::OutputFile(const std::string& path, Mode mode, const std::string& option) : path_(path) {
  make_parent(path);
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) throw std::invalid_argument(fmt::format("{} {}: cannot open: {}", option, path, std::strerror(errno)));
  lock(option);
  struct stat st {};
  fstat(fd_, &st);
  existed_ = st.st_size > 0;
  if (existed_ && mode == Mode::create) {
    ::close(fd_);
    fd_ = -1;
    throw std::invalid_argument(fmt::format(
        "{} {}: the file exists; --resume continues that sweep, --overwrite replaces it, or choose another name",
        option, path));
  }
  if (mode == Mode::overwrite && ftruncate(fd_, 0) != 0)
    throw std::invalid_argument(fmt::format("{} {}: cannot empty it: {}", option, path, std::strerror(errno)));
  if (mode == Mode::overwrite) existed_ = false;
}

OutputFile OutputFile::unique(const std::string& base, const std::string& ext) {
  make_parent(base + ext);
  for (int n = 1;; ++n) {
    OutputFile f;
    f.path_ = n == 1 ? base + ext : fmt::format("{}-{}{}", base, n, ext);
    f.fd_ = ::open(f.path_.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (f.fd_ >= 0) {
      f.lock("-o");
      return f;
    }
    if (errno != EEXIST)
      throw std::invalid_argument(fmt::format("cannot create {}: {}", f.path_, std::strerror(errno)));
  }
}

void OutputFile::lock(const std::string& option) {
  if (flock(fd_, LOCK_EX | LOCK_NB) == 0) return;
  const int e = errno;
  ::close(fd_);
  fd_ = -1;
  if (e == EWOULDBLOCK)
    throw std::invalid_argument(
        fmt::format("{} {}: another sweep is writing this file (it holds its lock); wait for it to end or choose "
                    "another name",
                    option, path_));
  throw std::invalid_argument(fmt::format("{} {}: cannot lock it: {}", option, path_, std::strerror(e)));
}

OutputFile::OutputFile(OutputFile&& o) noexcept : path_(std::move(o.path_)), fd_(o.fd_), existed_(o.existed_) {
  o.fd_ = -1;
}

OutputFile::~OutputFile() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace cromwell
