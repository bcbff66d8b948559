#pragma once
// The command line as the tests meet it: the cromwell binary run through the shell, its output and
// exit code; scratch directories; the lines and fields of a CSV file.
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace cromwell_test {

namespace fs = std::filesystem;

struct Result {
  int code = -1;
  std::string output;
};

// With `env` ("NAME=value ...") in the environment of the command.
inline Result cromwell_env(const std::string& env, const std::string& args) {
  const std::string cmd = env + " " + std::string(CROMWELL_BINARY) + " " + args + " 2>&1";
  Result r;
  FILE* p = popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  std::array<char, 4096> buf{};
  while (fgets(buf.data(), buf.size(), p)) r.output += buf.data();
  const int status = pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}
inline Result cromwell(const std::string& args) { return cromwell_env("", args); }

// A fresh directory, removed with everything in it when the test case ends.
struct TempDir {
  fs::path path;
  TempDir() {
    static int counter = 0;  // one per test executable, shared by the files that include this
    path = fs::temp_directory_path() / ("cromwell-cli-" + std::to_string(getpid()) + "-" + std::to_string(++counter));
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
  fs::path operator/(const std::string& name) const { return path / name; }
};

inline std::vector<std::string> lines(const fs::path& p) {
  std::ifstream in(p);
  std::vector<std::string> out;
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

// Splits one RFC 4180 line (no embedded newlines) into its fields.
inline std::vector<std::string> csv_fields(const std::string& line) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted && c == '"' && i + 1 < line.size() && line[i + 1] == '"')
      out.back() += '"', ++i;
    else if (c == '"')
      quoted = !quoted;
    else if (c == ',' && !quoted)
      out.emplace_back();
    else
      out.back() += c;
  }
  return out;
}

}  // namespace cromwell_test
