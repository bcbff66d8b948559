// A sweep never loses a result: killed (-9, also in the middle of a row) and resumed, every config
// is recorded exactly once; a crash or a hang under --isolate is an error row; two sweeps never
// write one file; a stop signal finishes the config in flight and writes the summary; resume
// refuses another sweep; a strategy replayed from a file is deterministic, also across a kill.
#include <fcntl.h>
#include <spawn.h>
#include <sys/file.h>

#include <chrono>
#include <csignal>
#include <map>
#include <set>
#include <thread>

#include "harness/io/output.hpp"
#include "harness/io/results.hpp"
#include "tests/cli/cli.hpp"

extern char** environ;

// Inside the helpers' namespace: `cromwell(...)` runs the binary, `cromwell::` names the library.
namespace cromwell_test {
namespace {

// How many rows each key has in a results file (read through the project's reader).
std::map<std::string, int> key_counts(const fs::path& p) {
  std::map<std::string, int> n;
  for (const auto& r : cromwell::read_results(p.string()).records) ++n[r.config.key()];
  return n;
}

bool each_once(const std::map<std::string, int>& n) {
  return std::all_of(n.begin(), n.end(), [](const auto& kv) { return kv.second == 1; });
}

// A sweep of small GEMMs: 10 configs (2 pruned) and 2 calibration rows.
std::string small_sweep(const fs::path& out) {
  return "sweep gemm.naive gemm.blocked --shape m:24,n:24,k:24 --set tile=8,16,32,64 --threads 1,2 "
         "--repetitions 2 --min-time 0.002 -o " +
         out.string();
}

// Starts `cromwell args` in the background (output to `log`); returns its pid.
pid_t start(const std::string& args, const fs::path& log) {
  const std::string cmd = "exec " + std::string(CROMWELL_BINARY) + " " + args + " > " + log.string() + " 2>&1";
  const char* argv[] = {"/bin/sh", "-c", cmd.c_str(), nullptr};
  pid_t pid = 0;
  REQUIRE(posix_spawn(&pid, "/bin/sh", nullptr, nullptr, const_cast<char**>(argv), environ) == 0);
  return pid;
}

int wait_for(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// Waits until `p` has at least `rows` lines after its header (60 s at most).
void wait_rows(const fs::path& p, std::size_t rows) {
  for (int i = 0; i < 600 && (!fs::exists(p) || lines(p).size() < rows + 1); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  REQUIRE(lines(p).size() >= rows + 1);
}

// The test-only variants, and (in the sanitizer build) a segmentation fault left to the kernel:
// AddressSanitizer would catch it and exit with status 1 instead of dying of the signal.
struct Plugin {
  std::string asan;
  Plugin() {
    setenv("CROMWELL_PLUGINS", CROMWELL_TEST_PLUGIN, 1);
    const char* a = std::getenv("ASAN_OPTIONS");
    asan = a ? a : "";
    setenv("ASAN_OPTIONS", (asan.empty() ? "handle_segv=0" : asan + ":handle_segv=0").c_str(), 1);
  }
  ~Plugin() {
    unsetenv("CROMWELL_PLUGINS");
    if (asan.empty())
      unsetenv("ASAN_OPTIONS");
    else
      setenv("ASAN_OPTIONS", asan.c_str(), 1);
  }
};

}  // namespace

TEST_CASE("killed twice with -9 (once in the middle of a row) and resumed, a sweep records every config once",
          "[sweep]") {
  const TempDir dir;
  const fs::path out = dir / "k.csv";
  const Result whole = cromwell(small_sweep(dir / "whole.csv"));
  REQUIRE(whole.code == 0);
  const auto expected = key_counts(dir / "whole.csv");
  REQUIRE(expected.size() == 12);

  setenv("CROMWELL_TEST_KILL_AFTER_ROWS", "5:half", 1);
  CHECK(cromwell(small_sweep(out)).code == 128 + SIGKILL);
  setenv("CROMWELL_TEST_KILL_AFTER_ROWS", "4", 1);
  const Result second = cromwell(small_sweep(out) + " --resume");
  unsetenv("CROMWELL_TEST_KILL_AFTER_ROWS");
  CHECK(second.code == 128 + SIGKILL);
  CHECK_THAT(second.output, Catch::Contains("removed an incomplete last line"));
  CHECK(lines(out).size() == 1 + 5 + 4);

  const Result last = cromwell(small_sweep(out) + " --resume");
  CHECK(last.code == 0);
  CHECK_THAT(last.output, Catch::Contains("(9 recorded before)"));
  const auto got = key_counts(out);
  CHECK(each_once(got));
  CHECK(got.size() == expected.size());
  for (const auto& [k, n] : expected) CHECK(got.count(k) == 1);
}

TEST_CASE("a real kill -9 of a running sweep loses at most the config in flight", "[sweep]") {
  const TempDir dir;
  const fs::path out = dir / "r.csv";
  const std::string args =
      "sweep gemm.naive --shape m:24,n:24,k:24 --shape m:25,n:25,k:25 --shape m:26,n:26,k:26 "
      "--threads 1,2 --align 0,4,8 --repetitions 2 --min-time 0.01 -o " +
      out.string();
  const pid_t pid = start(args, dir / "log");
  wait_rows(out, 4);
  kill(pid, SIGKILL);
  CHECK(wait_for(pid) == 128 + SIGKILL);
  const std::size_t before = lines(out).size() - 1;
  const Result r = cromwell(args + " --resume");
  CHECK(r.code == 0);
  const auto got = key_counts(out);
  CHECK(each_once(got));
  CHECK(got.size() == 2 + 18);
  CHECK(before >= 4);
}

TEST_CASE("a stop signal finishes the config in flight, writes the summary and exits non-zero", "[sweep]") {
  const TempDir dir;
  const fs::path out = dir / "s.csv";
  const std::string args =
      "sweep gemm.naive --shape m:24,n:24,k:24 --threads 1 --align 0,4,8,12,16,20,24,28 "
      "--repetitions 3 --min-time 0.05 -o " +
      out.string();
  const pid_t pid = start(args, dir / "log");
  wait_rows(out, 2);
  kill(pid, SIGTERM);
  CHECK(wait_for(pid) == 128 + SIGTERM);
  const std::string log = [&] {
    std::string s;
    for (const auto& l : lines(dir / "log")) s += l + "\n";
    return s;
  }();
  CHECK_THAT(log, Catch::Contains("stopped by SIGTERM after") && Catch::Contains("--resume continues it"));
  CHECK_THAT(log, Catch::Contains("rows: "));
  const auto ctx = cromwell::read_results(out.string()).context;
  CHECK(ctx["sweep"]["summary"]["stopped_by"] == "SIGTERM");
  const std::size_t rows = lines(out).size() - 1;
  CHECK(rows < 9);
  CHECK(cromwell(args + " --resume").code == 0);
  CHECK(key_counts(out).size() == 9);
}

TEST_CASE("under --isolate a crash or a hang is an error row naming the signal or the timeout", "[sweep]") {
  const Plugin plugin;
  const TempDir dir;
  const fs::path out = dir / "i.csv";
  const Result r = cromwell(
      "sweep gemm.test_crash --shape m:8,n:8,k:8 --set fault=none,segv,abort,ill,hang --isolate --timeout 1 "
      "--repetitions 1 --min-time 0.001 -o " +
      out.string());
  CHECK(r.code == 1);
  std::map<std::string, std::string> reason;
  for (const auto& rec : cromwell::read_results(out.string()).records)
    if (const auto* f = rec.config.params.find("fault"))
      reason[*f] = std::string(to_string(rec.status)) + ": " + rec.reason;
  CHECK(reason["none"] == "measured: ");
  CHECK_THAT(reason["segv"], Catch::StartsWith("error: ") && Catch::Contains("signal 11 (Segmentation fault)"));
  CHECK_THAT(reason["abort"], Catch::Contains("signal 6 (Aborted)"));
  CHECK_THAT(reason["ill"], Catch::Contains("signal 4 (Illegal instruction)"));
  CHECK_THAT(reason["hang"], Catch::Contains("timed out after 1 s"));
}

TEST_CASE("under --isolate one worker measures config after config, and a new one follows a crash", "[sweep]") {
  const Plugin plugin;
  const TempDir dir;
  // The worker's process, as each measured row's note names it, by fault.
  const auto workers = [&](const std::string& faults, int expected_code) {
    const fs::path out = dir / ("w-" + faults + ".csv");
    CHECK(cromwell("sweep gemm.test_crash --shape m:8,n:8,k:8 --shape m:9,n:8,k:8 --shape m:10,n:8,k:8 --set fault=" +
                   faults + " --isolate --repetitions 1 --min-time 0.001 -o " + out.string())
              .code == expected_code);
    std::set<std::string> notes;
    int measured = 0;
    for (const auto& rec : cromwell::read_results(out.string()).records)
      if (rec.status == cromwell::Status::measured && rec.config.kernel == "gemm") {
        ++measured;
        notes.insert(rec.note);
      }
    CHECK(measured == 3);
    return notes;
  };
  const std::set<std::string> one = workers("none", 0);
  REQUIRE(one.size() == 1);
  CHECK_THAT(*one.begin(), Catch::StartsWith("process "));
  CHECK(*one.begin() != "process " + std::to_string(getpid()));
  CHECK(workers("none,segv", 1).size() >= 1);  // every config of fault=none measured beside the crashes
}

TEST_CASE("without --isolate a crash keeps every earlier row", "[sweep]") {
  const Plugin plugin;
  const TempDir dir;
  const fs::path out = dir / "c.csv";
  const Result r = cromwell(
      "sweep gemm.test_crash --shape m:8,n:8,k:8 --set fault=none,segv --threads 1 "
      "--repetitions 1 --min-time 0.001 -o " +
      out.string());
  CHECK(r.code == 128 + SIGSEGV);
  const auto rows = cromwell::read_results(out.string()).records;
  REQUIRE(rows.size() == 2);  // the calibration row and fault=none
  CHECK(rows[1].config.params.items[0].second == "none");
}

TEST_CASE("retrying errors runs the error rows again and keeps the file as it was", "[sweep]") {
  const Plugin plugin;
  const TempDir dir;
  const fs::path out = dir / "e.csv";
  const std::string args =
      "sweep gemm.test_crash --shape m:8,n:8,k:8 --set fault=none,abort --isolate "
      "--repetitions 1 --min-time 0.001 -o " +
      out.string();
  CHECK(cromwell(args).code == 1);
  const Result nothing = cromwell(args + " --resume");  // nothing left to run: the error row stays, and says so
  CHECK(nothing.code == 1);
  CHECK_THAT(nothing.output, Catch::Contains("(3 recorded before)"));
  const Result again = cromwell(args + " --resume --retry-errors");
  CHECK(again.code == 1);
  CHECK_THAT(again.output, Catch::Contains("1 error row(s) removed to run again"));
  CHECK(fs::exists(dir / "e.before-retry.csv"));
  CHECK(each_once(key_counts(out)));
  CHECK(key_counts(out).size() == 3);
}

TEST_CASE("two sweeps never write one file", "[sweep]") {
  const TempDir dir;
  const fs::path out = dir / "l.csv";
  {
    const cromwell::OutputFile held(out.string(), cromwell::OutputFile::Mode::create, "-o");
    const Result r = cromwell(small_sweep(out) + " --resume");
    CHECK(r.code == 2);
    CHECK_THAT(r.output, Catch::Contains("another sweep is writing this file"));
    CHECK(cromwell(small_sweep(out) + " --overwrite").code == 2);
  }
  // Default names taken in the same second get a suffix.
  const cromwell::OutputFile a = cromwell::OutputFile::unique((dir / "same").string(), ".csv");
  const cromwell::OutputFile b = cromwell::OutputFile::unique((dir / "same").string(), ".csv");
  CHECK(a.path() != b.path());
  CHECK(b.path() == (dir / "same-2.csv").string());
}

TEST_CASE("resume refuses another sweep, commit or CPU unless forced", "[sweep]") {
  const TempDir dir;
  const fs::path out = dir / "x.csv";
  REQUIRE(cromwell(small_sweep(out)).code == 0);
  const Result other = cromwell(small_sweep(out) + " --set tile=8 --resume");
  CHECK(other.code == 2);
  CHECK_THAT(other.output, Catch::Contains("not the same sweep") && Catch::Contains("sweep.hash") &&
                               Catch::Contains("--force resumes it anyway"));
  // Another commit: the context says so.
  const fs::path ctx = dir / "x.json";
  std::string text;
  for (const auto& l : lines(ctx)) text += l + "\n";
  const auto at = text.find("\"git_commit\": \"");
  REQUIRE(at != std::string::npos);
  text.insert(at + 15, "0ther");
  std::ofstream(ctx) << text;
  const Result commit = cromwell(small_sweep(out) + " --resume");
  CHECK(commit.code == 2);
  CHECK_THAT(commit.output, Catch::Contains("cromwell.git_commit: \"0ther"));
  const Result forced = cromwell(small_sweep(out) + " --resume --force");
  CHECK(forced.code == 0);
  CHECK(each_once(key_counts(out)));
}

TEST_CASE("dry-run lists the configs, groups the rejected by reason, estimates the time and writes nothing",
          "[sweep]") {
  const TempDir dir;
  const Result r = cromwell(
      "sweep gemm.avx2 --shape m:64,n:64,k:64 --set mc=6,7,8,12 --set kc=256 --set nc=4096 "
      "--shape m:100000,n:100000,k:100000 --dry-run -o " +
      (dir / "d.csv").string());
  CHECK(r.code == 0);
  CHECK_THAT(r.output, Catch::Contains("run      gemm.avx2/m:64,n:64,k:64/mc:6,"));
  CHECK_THAT(r.output, Catch::Contains("rejected     4 × mc=7 must be a multiple of MR=6"));
  CHECK_THAT(r.output, Catch::Contains("needs about") && Catch::Contains("GiB available"));
  CHECK_THAT(r.output, Catch::Contains("estimate: about"));
  CHECK(!fs::exists(dir / "d.csv"));
}

TEST_CASE("a search replayed from a recorded grid is deterministic, also when killed and resumed", "[sweep]") {
  const TempDir dir;
  const std::string grid = std::string(CROMWELL_SOURCE_DIR) + "/tests/run/data/gemm_avx2_prefetch_256.csv";
  const std::string args =
      "sweep gemm.avx2_prefetch --shape m:256,n:256,k:256 --no-prune "
      "--set mc=6,12,24,36,48,72,96,120,144,192,252 --set kc=8,16,32,48,64,96,128,192,256 "
      "--set nc=16,32,64,128,256 --set pf_dist=0,8 --set pf_hint=t0 --threads 1 "
      "--repetitions 41 --min-time 0.0005 --strategy search:40 --replay " +
      grid + " -o ";
  REQUIRE(cromwell(args + (dir / "a.csv").string()).code == 0);
  setenv("CROMWELL_TEST_KILL_AFTER_ROWS", "17", 1);
  CHECK(cromwell(args + (dir / "b.csv").string()).code == 128 + SIGKILL);
  unsetenv("CROMWELL_TEST_KILL_AFTER_ROWS");
  CHECK(cromwell(args + (dir / "b.csv").string() + " --resume").code == 0);
  std::vector<std::string> a, b;
  for (const auto& r : cromwell::read_results((dir / "a.csv").string()).records) a.push_back(r.config.key());
  for (const auto& r : cromwell::read_results((dir / "b.csv").string()).records) b.push_back(r.config.key());
  CHECK(a == b);
  CHECK(std::count_if(a.begin(), a.end(), [](const auto&) { return true; }) >= 40);
}

TEST_CASE("a sweep runs from a spec file, flags override it", "[sweep]") {
  const TempDir dir;
  std::ofstream(dir / "s.toml") << "[sweep]\nvariants = [\"gemm.blocked\"]\nshapes = [\"m:16,n:16,k:16\"]\n"
                                   "repetitions = 2\nmin_time = 0.001\n\n[params]\ntile = [8, 16]\n";
  const fs::path out = dir / "s.csv";
  const Result r = cromwell("sweep " + (dir / "s.toml").string() + " --set tile=8 -o " + out.string());
  CHECK(r.code == 0);
  const auto f = cromwell::read_results(out.string());
  REQUIRE(f.records.size() == 2);  // calibration + tile=8
  CHECK(f.records[1].repetitions == 2);
  CHECK(f.context["sweep"]["spec"]["params"]["tile"] == "8,16");
}

TEST_CASE("the test-only variants that inject extra work stay correct at any amount of it", "[cli][gate]") {
  const Plugin plugin;
  setenv("CROMWELL_TEST_EXTRA_PCT", "3", 1);
  const auto r = cromwell_test::cromwell(
      "check gemm.test_extra gemv.test_extra --shape m:17,n:19,k:23 --shape n:37,k:41 --set work_pct=0,7,150");
  unsetenv("CROMWELL_TEST_EXTRA_PCT");
  INFO(r.output);
  CHECK(r.code == 0);
  CHECK_THAT(r.output, Catch::Contains("of 2 variant(s)") && Catch::Contains("correct, 0 failed, 0 errors"));
}

}  // namespace cromwell_test
