#pragma once
// The files a sweep writes, claimed before anything runs: created with their directory, locked for
// the life of the sweep (a second sweep writing the same file is refused, whatever its options),
// and never replaced unless asked. A default name that another sweep took in the same second gets
// a suffix instead of an error.
#include <string>

namespace cromwell {

class OutputFile {
 public:
  enum class Mode {
    create,     // refuse a file that exists
    overwrite,  // empty it (after taking the lock)
    resume,     // keep it (a missing file is created)
  };
  // Throws std::invalid_argument naming the option, the file and what to do instead.
  OutputFile(const std::string& path, Mode mode, const std::string& option);
  // A new file named base.ext, else base-2.ext, base-3.ext, ...: the first that did not exist.
  static OutputFile unique(const std::string& base, const std::string& ext);
  OutputFile(OutputFile&&) noexcept;
  OutputFile& operator=(OutputFile&&) = delete;
  ~OutputFile();

  const std::string& path() const { return path_; }
  bool existed() const { return existed_; }  // held data when claimed (resume)

 private:
  OutputFile() = default;
  void lock(const std::string& option);
  std::string path_;
  int fd_ = -1;
  bool existed_ = false;
};

}  // namespace cromwell
